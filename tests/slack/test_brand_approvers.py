"""Approver rights per brand (ROUTES_FILE), through the real app: on a brand's card its own
approvers decide, on a card of no brand APPROVERS do; a refusal reads as it always has."""

from __future__ import annotations

import pytest

from bot.blocks import ids
from bot.reviews.refusals import NOT_APPROVER
from tests.support.harness import REVIEWS_CHANNEL, AppHarness
from tests.support.routes import write_routes
from tests.support.workflow import (
    ANNA,
    BJORN,
    NEGATIVE_REVIEW,
    block_action,
    card_message,
    decisions,
    edit_values,
    ephemerals_for,
    eventually,
    open_modal,
    post_review,
    review,
    view_submission,
)

LEAD = "U0LEAD"  # APPROVERS: reviews of no brand, and of brands that name none


@pytest.fixture
def app(fake_slack, database_url, tmp_path):
    # lumi's approvers: U0ANNA and the user group S0LUMILEADS; norr names none.
    fake_slack.usergroups["S0LUMILEADS"] = [BJORN]
    harness = AppHarness.start(
        fake_slack=fake_slack,
        database_url=database_url,
        routes_file=write_routes(tmp_path),
        approvers=LEAD,
    )
    yield harness
    harness.stop()


def posted(app, fake_slack, external_id: str, channel: str, **fields) -> int:
    review = {**NEGATIVE_REVIEW, "external_id": external_id, **fields}
    return post_review(app, fake_slack, review, channel=channel)


def click(app, fake_slack, review_id: int, channel: str, user: str, action: str) -> None:
    card = card_message(fake_slack, review_id, channel=channel)
    app.send_interaction(block_action(card, action, user=user, channel=channel))


def test_on_a_brands_card_only_that_brands_approvers_may_approve(app, fake_slack):
    review_id = posted(app, fake_slack, "lumi-1", "C0LUMI", location="Södermalm")

    click(app, fake_slack, review_id, "C0LUMI", LEAD, ids.ACTION_APPROVE)

    [told] = eventually(lambda: ephemerals_for(fake_slack, LEAD), what="the refusal")
    assert told == NOT_APPROVER
    [refused] = eventually(lambda: decisions(app, review_id, "refused"))
    assert (refused.actor, refused.detail) == (LEAD, {"attempted": "approve"})
    assert review(app, review_id).status == "pending"

    # A member of the brand's approvers' user group may.
    click(app, fake_slack, review_id, "C0LUMI", BJORN, ids.ACTION_APPROVE)
    app.wait_for_status(review_id, "approved")
    assert [d.actor for d in decisions(app, review_id, "approved")] == [BJORN]


def test_on_a_card_of_no_brand_or_of_a_brand_without_approvers_approvers_decide(app, fake_slack):
    plain = posted(app, fake_slack, "plain-1", REVIEWS_CHANNEL, location="Göteborg")
    norr = posted(app, fake_slack, "norr-1", "C0NORR", brand="norr")

    click(app, fake_slack, plain, REVIEWS_CHANNEL, ANNA, ids.ACTION_APPROVE)
    [told] = eventually(lambda: ephemerals_for(fake_slack, ANNA), what="the refusal")
    assert told == NOT_APPROVER
    click(app, fake_slack, norr, "C0NORR", ANNA, ids.ACTION_APPROVE)
    eventually(lambda: len(ephemerals_for(fake_slack, ANNA)) == 2, what="the second refusal")
    assert [review(app, r).status for r in (plain, norr)] == ["pending", "pending"]

    click(app, fake_slack, plain, REVIEWS_CHANNEL, LEAD, ids.ACTION_APPROVE)
    click(app, fake_slack, norr, "C0NORR", LEAD, ids.ACTION_APPROVE)
    app.wait_for_status(plain, "approved")
    app.wait_for_status(norr, "approved")


def test_decline_and_approve_from_the_edit_modal_follow_the_brands_approvers(app, fake_slack):
    review_id = posted(app, fake_slack, "lumi-1", "C0LUMI", location="Södermalm")

    modal = open_modal(app, fake_slack, review_id, ids.ACTION_EDIT, channel="C0LUMI", user=LEAD)
    refused = app.send_interaction(
        view_submission(modal, edit_values("Hej!", approve_now=True), user=LEAD)
    )
    assert refused.json()["response_action"] == "errors"
    assert refused.json()["errors"][ids.BLOCK_EDIT_MODE] == NOT_APPROVER

    click(app, fake_slack, review_id, "C0LUMI", LEAD, ids.ACTION_DECLINE)
    eventually(lambda: len(decisions(app, review_id, "refused")) == 2, what="two refusals")
    assert [d.detail for d in decisions(app, review_id, "refused")] == [
        {"attempted": "approve"},
        {"attempted": "decline"},
    ]

    modal = open_modal(app, fake_slack, review_id, ids.ACTION_EDIT, channel="C0LUMI", user=ANNA)
    accepted = app.send_interaction(
        view_submission(modal, edit_values("Hej Anna!", approve_now=True), user=ANNA)
    )
    assert accepted.status_code == 200 and accepted.content in (b"", b"null")
    app.wait_for_status(review_id, "approved")
