"""Two approvals at once, stale buttons, approvers, and errors: one decision, polite refusals."""

from __future__ import annotations

import threading

from bot.blocks import ids
from tests.support.harness import REVIEWS_CHANNEL
from tests.support.workflow import (
    ANNA,
    BJORN,
    NEGATIVE_REVIEW,
    assign_values,
    block_action,
    card_message,
    decisions,
    edit_values,
    ephemerals_for,
    eventually,
    open_modal,
    post_review,
    review,
    slack_card,
    start,
    view_submission,
)


def test_two_people_approving_at_once_record_one_decision(app_factory, fake_slack):
    app = start(app_factory)
    review_id = post_review(app, fake_slack)
    card = card_message(fake_slack, review_id)
    barrier = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def click(user: str) -> None:
        payload = block_action(card, ids.ACTION_APPROVE, user=user)
        barrier.wait()
        statuses[user] = app.send_interaction(payload).status_code

    threads = [threading.Thread(target=click, args=(user,)) for user in (ANNA, BJORN)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == {ANNA: 200, BJORN: 200}
    app.wait_for_status(review_id, "approved")
    told = eventually(lambda: fake_slack.ephemerals(), what="an ephemeral to the second")
    [decision] = decisions(app, review_id, "approved")
    loser = BJORN if decision.actor == ANNA else ANNA
    assert [(e["user"], e["text"].split(" at ")[0]) for e in told] == [
        (loser, f"Already approved by <@{decision.actor}>")
    ]
    assert len(fake_slack.messages(REVIEWS_CHANNEL)) == 1


def test_a_button_from_an_older_card_version_is_refused_politely(app_factory, fake_slack):
    app = start(app_factory)
    review_id = post_review(app, fake_slack)
    old_card = card_message(fake_slack, review_id)
    drafted = slack_card(app, review_id).version
    modal = open_modal(app, fake_slack, review_id, ids.ACTION_ASSIGN)
    app.send_interaction(view_submission(modal, assign_values(BJORN)))
    eventually(lambda: slack_card(app, review_id).version == drafted + 1, what="the redrawn card")

    app.send_interaction(block_action(old_card, ids.ACTION_APPROVE, user=ANNA))

    [told] = eventually(lambda: ephemerals_for(fake_slack, ANNA), what="the refusal")
    assert "changed since you last saw it" in told
    assert review(app, review_id).status == "pending"
    assert decisions(app, review_id, "approved") == []


def test_only_approvers_may_approve_and_a_refusal_is_recorded(app_factory, fake_slack):
    fake_slack.usergroups["S0LEADS"] = [BJORN]
    app = start(app_factory, approvers="U0LEAD,S0LEADS")
    review_id = post_review(app, fake_slack)
    card = card_message(fake_slack, review_id)

    app.send_interaction(block_action(card, ids.ACTION_APPROVE, user=ANNA))

    [told] = eventually(lambda: ephemerals_for(fake_slack, ANNA), what="the refusal")
    assert "Only the team's approvers" in told
    [refused] = eventually(lambda: decisions(app, review_id, "refused"))
    assert (refused.actor, refused.detail) == (ANNA, {"attempted": "approve"})
    assert review(app, review_id).status == "pending"

    # A member of the approvers' user group may.
    app.send_interaction(block_action(card, ids.ACTION_APPROVE, user=BJORN))
    app.wait_for_status(review_id, "approved")
    assert [d.actor for d in decisions(app, review_id, "approved")] == [BJORN]


def test_a_non_approver_who_edits_is_told_in_the_modal_and_may_save_a_draft(
    app_factory, fake_slack
):
    app = start(app_factory, approvers="U0LEAD")
    review_id = post_review(app, fake_slack)
    modal = open_modal(app, fake_slack, review_id, ids.ACTION_EDIT)

    refused = app.send_interaction(view_submission(modal, edit_values("Hej!", approve_now=True)))
    saved = app.send_interaction(view_submission(modal, edit_values("Hej!", approve_now=False)))

    assert refused.json()["response_action"] == "errors"
    assert "approvers" in refused.json()["errors"][ids.BLOCK_EDIT_MODE]
    assert saved.status_code == 200 and saved.content in (b"", b"null")
    eventually(lambda: decisions(app, review_id, "edited"), what="the saved draft")
    assert review(app, review_id).status == "pending"
    assert [d.action for d in decisions(app, review_id)] == ["refused", "edited"]


def test_a_failure_in_a_listener_tells_the_user_without_a_stack_trace(app_factory, fake_slack):
    app = start(app_factory)
    review_id = post_review(app, fake_slack)
    click = block_action(card_message(fake_slack, review_id), ids.ACTION_EDIT, user=ANNA)
    del click["trigger_id"]  # Slack refuses views.open: like a trigger that expired

    app.send_interaction(click)

    [told] = eventually(lambda: ephemerals_for(fake_slack, ANNA), what="the apology")
    assert told.startswith(":warning: Sorry, that did not work (reference `")
    assert "Traceback" not in told and "invalid_trigger_id" not in told


def test_a_reply_over_the_platforms_limit_cannot_be_approved(app_factory, fake_slack):
    app = start(app_factory)
    review_id = post_review(
        app, fake_slack, {**NEGATIVE_REVIEW, "source": "google_play", "external_id": "play-1"}
    )
    long_reply = "Hej Anna! " + "Vi beklagar verkligen. " * 20  # about 470 characters

    modal = open_modal(app, fake_slack, review_id, ids.ACTION_EDIT)
    app.send_interaction(view_submission(modal, edit_values(long_reply, approve_now=True)))

    refusal = eventually(lambda: ephemerals_for(fake_slack, ANNA), what="the refusal")[-1]
    assert "Google Play accepts at most 350" in refusal
    assert decisions(app, review_id, "approved") == []
    assert review(app, review_id).status == "pending"
