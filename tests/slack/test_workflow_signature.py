"""A reply is signed by the person who approves it: their own signature from App Home, else
their Slack name; the brand's sign-off only when Slack names no person."""

from __future__ import annotations

import time

from bot.blocks import ids
from tests.slack.test_home import home_opened, home_text
from tests.support.harness import TEAM_ID
from tests.support.workflow import (
    ANNA,
    BJORN,
    NEGATIVE_REVIEW,
    block_action,
    card_message,
    card_text,
    decisions,
    eventually,
    name_person,
    post_review,
    start,
    view_submission,
)

SIGN_OFF = "Vänliga hälsningar\n{}\nCafé Lumi"
ON_CARD = "Vänliga hälsningar\n> {}\n> Café Lumi"  # the card quotes the reply


def approve(app, fake_slack, review_id: int, user: str) -> str:
    app.send_interaction(
        block_action(card_message(fake_slack, review_id), ids.ACTION_APPROVE, user=user)
    )
    app.wait_for_status(review_id, "approved")
    [decision] = decisions(app, review_id, "approved")
    return decision.final_text


def test_the_card_shows_a_slot_and_approve_signs_with_the_approvers_slack_name(
    app_factory, fake_slack
):
    app = start(app_factory)
    name_person(fake_slack, ANNA, "Anna", "Anna Berg")
    first = post_review(app, fake_slack)
    second = post_review(app, fake_slack, {**NEGATIVE_REVIEW, "external_id": "g-2"})
    assert ON_CARD.format("[your name]") in card_text(fake_slack, first)

    assert approve(app, fake_slack, first, ANNA).endswith(SIGN_OFF.format("Anna"))
    assert approve(app, fake_slack, second, ANNA).endswith(SIGN_OFF.format("Anna"))
    eventually(lambda: ON_CARD.format("Anna") in card_text(fake_slack, first), what="redraw")
    # Slack was asked once; the second approval used the name it kept.
    assert [c.args["user"] for c in fake_slack.ok_calls("users.info")] == [ANNA]


def test_without_a_display_name_the_real_name_signs(app_factory, fake_slack):
    app = start(app_factory)
    name_person(fake_slack, BJORN, "", "Björn Ek")
    review_id = post_review(app, fake_slack)
    assert approve(app, fake_slack, review_id, BJORN).endswith(SIGN_OFF.format("Björn Ek"))


def test_a_user_slack_does_not_know_gets_the_brands_sign_off(app_factory, fake_slack):
    app = start(app_factory)
    review_id = post_review(app, fake_slack)
    # U0NOBODY is not a member: users.info answers user_not_found.
    assert approve(app, fake_slack, review_id, "U0NOBODY").endswith(SIGN_OFF.format("Team Lumi"))


def test_a_signature_set_on_app_home_signs_the_replies_that_person_approves(
    app_factory, fake_slack
):
    app = start(app_factory)
    name_person(fake_slack, ANNA, "Anna", "Anna Berg")
    home_opened(app, ANNA)
    [published] = fake_slack.wait_for("views.publish")
    assert "*Your signature:* Anna\nReplies you approve are signed with this (your Slack name" in (
        home_text(published.args["view"])
    )

    app.send_interaction(home_click(published.args["view"], ANNA))
    modal = fake_slack.wait_for("views.open")[-1].args["view"]
    assert modal["callback_id"] == ids.CALLBACK_SIGNATURE
    too_long = app.send_interaction(view_submission(modal, signature_values("A" * 121)))
    assert too_long.json()["response_action"] == "errors"
    saved = app.send_interaction(view_submission(modal, signature_values("  Anna  på Lumi ")))
    assert saved.status_code == 200 and saved.text == ""

    republished = fake_slack.wait_for("views.publish", count=2)[-1].args["view"]
    assert "*Your signature:* Anna på Lumi\nReplies you approve are signed with this (your own" in (
        home_text(republished)
    )
    review_id = post_review(app, fake_slack)
    assert approve(app, fake_slack, review_id, ANNA).endswith(SIGN_OFF.format("Anna på Lumi"))


def home_click(view: dict, user: str) -> dict:
    """The block_actions payload of a button on the Home tab."""
    return {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0APP",
        "token": "legacy-unused",
        "container": {"type": "view", "view_id": "V0HOME"},
        "trigger_id": f"trigger-{time.monotonic_ns()}",
        "view": view,
        "actions": [
            {
                "type": "button",
                "action_id": ids.ACTION_SET_SIGNATURE,
                "block_id": "sig",
                "value": "signature",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def signature_values(text: str) -> dict:
    return {ids.BLOCK_SIGNATURE: {ids.INPUT_SIGNATURE: {"type": "plain_text_input", "value": text}}}
