"""Payloads Slack sends when someone clicks a card button or submits a modal, built from
what the fake Slack holds, and small pollers for work done after the ack."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session, select

from bot.blocks import ids
from storage.models import Decision, Draft, Review, SlackCard, Work
from tests.support.harness import REVIEWS_CHANNEL, TEAM_ID, AppHarness

T = TypeVar("T")

ANNA = "U0ANNA"
BJORN = "U0BJORN"

NEGATIVE_REVIEW: dict[str, Any] = {
    "source": "google",
    "external_id": "g-1",
    "rating": 1,
    "title": "Kall mat",
    "text": "Maten var kall och vi väntade i en timme på bordet.",
    "author": "Anna Svensson",
    "language": "sv",
    "created_at": "2026-11-20T18:03:00+01:00",
    "url": "https://example.com/reviews/g-1",
    "location": "Stockholm",
}


def start(app_factory: Callable[..., AppHarness], **overrides: Any) -> AppHarness:
    """The app without Slack pacing, so tests that post many messages do not wait."""
    return app_factory(card_post_interval=0, **overrides)


def eventually(check: Callable[[], T | None], *, timeout: float = 10.0, what: str = "") -> T:
    """Poll `check` until it returns something truthy (work after an ack runs off-thread)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.02)


def post_review(
    app: AppHarness,
    fake_slack: Any,
    review: dict | None = None,
    *,
    channel: str = REVIEWS_CHANNEL,
) -> int:
    """POST a review and wait for its card in `channel`; returns the review id."""
    response = app.post_reviews(review or NEGATIVE_REVIEW)
    assert response.status_code == 202, response.text
    review_id = response.json()["reviews"][0]["id"]
    app.wait_for_status(review_id, "pending")
    drafted_card(fake_slack, review_id, channel=channel)
    # Slack has the card a moment before the outbox row records it.
    eventually(lambda: posted_card_ts(app, review_id), what=f"the card of {review_id} recorded")
    settled(app, review_id)
    return review_id


def settled(app: AppHarness, review_id: int) -> None:
    """Wait until no step of the review is left to run: a card redraw still queued would turn
    the buttons a test is about to click into an older version's."""

    def nothing_left() -> bool:
        with Session(app.services.engine) as session:
            return session.exec(select(Work).where(Work.review_id == review_id)).first() is None

    eventually(nothing_left, what=f"the work of review {review_id} done")


def card_message(fake_slack: Any, review_id: int, *, channel: str = REVIEWS_CHANNEL) -> dict | None:
    for message in fake_slack.messages(channel):
        payload = (message.get("metadata") or {}).get("event_payload") or {}
        if payload.get("review_id") == review_id:
            return message
    return None


def card_text(fake_slack: Any, review_id: int) -> str:
    """Everything the card says, as one string of its mrkdwn/plain text."""
    message = card_message(fake_slack, review_id) or {}
    return "\n".join(_texts(message.get("blocks") or [])) + "\n" + message.get("text", "")


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if isinstance(node.get("text"), str) else []
        for value in node.values():
            if isinstance(value, dict | list):
                found.extend(_texts(value))
        return found
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []


def buttons(message: dict) -> dict[str, dict]:
    """action_id → button element of a message's actions blocks."""
    return {
        element["action_id"]: element
        for block in message.get("blocks") or []
        if block.get("type") == "actions"
        for element in block["elements"]
    }


def interaction(kind: str, user: str) -> dict[str, Any]:
    """What every interaction payload from our workspace carries: its type and who acted."""
    return {
        "type": kind,
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0APP",
        "token": "legacy-unused",
    }


def block_action(
    message: dict, action_id: str, *, user: str = ANNA, channel: str = REVIEWS_CHANNEL
) -> dict[str, Any]:
    """The block_actions payload Slack sends when `user` clicks `action_id` on `message`,
    a message in `channel`."""
    button = buttons(message)[action_id]
    return {
        **interaction("block_actions", user),
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": f"trigger-{time.monotonic_ns()}",
        "channel": {"id": channel, "name": channel.lower()},
        "message": message,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "review_actions",
                "value": button.get("value"),
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def view_submission(view: dict, values: dict, *, user: str = ANNA) -> dict[str, Any]:
    """The view_submission payload for an opened modal (as FakeSlack holds it) with `values`."""
    return {
        **interaction("view_submission", user),
        "trigger_id": f"trigger-{time.monotonic_ns()}",
        "view": {**view, "state": {"values": values}},
    }


def open_modal(
    app: AppHarness,
    fake_slack: Any,
    review_id: int,
    action_id: str,
    *,
    channel: str = REVIEWS_CHANNEL,
    **kw: Any,
) -> dict:
    """Click a button on the card in `channel` that opens a modal; returns the modal as Slack
    shows it."""
    before = len(fake_slack.ok_calls("views.open"))
    message = card_message(fake_slack, review_id, channel=channel)
    click = block_action(message, action_id, channel=channel, **kw)
    assert app.send_interaction(click).status_code == 200
    return fake_slack.wait_for("views.open", before + 1)[-1].args["view"]


def edit_values(text: str, *, approve_now: bool) -> dict:
    mode = ids.EDIT_MODE_APPROVE if approve_now else ids.EDIT_MODE_SAVE
    return {
        ids.BLOCK_REPLY_TEXT: {ids.INPUT_REPLY_TEXT: {"type": "plain_text_input", "value": text}},
        ids.BLOCK_EDIT_MODE: {
            ids.INPUT_EDIT_MODE: {"type": "radio_buttons", "selected_option": {"value": mode}}
        },
    }


def instruction_values(text: str | None) -> dict:
    return {
        ids.BLOCK_INSTRUCTION: {ids.INPUT_INSTRUCTION: {"type": "plain_text_input", "value": text}}
    }


def decline_values(reason: str, note: str | None) -> dict:
    return {
        ids.BLOCK_DECLINE_REASON: {
            ids.INPUT_DECLINE_REASON: {
                "type": "radio_buttons",
                "selected_option": {"value": reason},
            }
        },
        ids.BLOCK_DECLINE_NOTE: {
            ids.INPUT_DECLINE_NOTE: {"type": "plain_text_input", "value": note}
        },
    }


def assign_values(user: str) -> dict:
    return {
        ids.BLOCK_ASSIGNEE: {ids.INPUT_ASSIGNEE: {"type": "users_select", "selected_user": user}}
    }


def decisions(app: AppHarness, review_id: int, action: str | None = None) -> list[Decision]:
    with Session(app.services.engine) as session:
        query = select(Decision).where(Decision.review_id == review_id).order_by(Decision.id)
        rows = list(session.exec(query))
    return [d for d in rows if action in (None, d.action)]


def drafts(app: AppHarness, review_id: int) -> list[Draft]:
    with Session(app.services.engine) as session:
        query = select(Draft).where(Draft.review_id == review_id).order_by(Draft.version)
        return list(session.exec(query))


def review(app: AppHarness, review_id: int) -> Review:
    with Session(app.services.engine) as session:
        return session.get(Review, review_id)


def slack_card(app: AppHarness, review_id: int) -> SlackCard:
    with Session(app.services.engine) as session:
        return session.exec(select(SlackCard).where(SlackCard.review_id == review_id)).one()


def queued_card(app: AppHarness, review_id: int) -> SlackCard | None:
    """The review's card row; None until a worker queues it, which may come after the draft."""
    with Session(app.services.engine) as session:
        return session.exec(select(SlackCard).where(SlackCard.review_id == review_id)).first()


def posted_card_ts(app: AppHarness, review_id: int) -> str | None:
    """The ts of the review's card once its post is recorded; None before (a worker queues the
    card after the draft is stored, so for a moment a pending review has no card row)."""
    with Session(app.services.engine) as session:
        card = session.exec(select(SlackCard).where(SlackCard.review_id == review_id)).first()
    return card.ts if card else None


def ephemerals_for(fake_slack: Any, user: str) -> list[str]:
    return [e["text"] for e in fake_slack.ephemerals(user)]


def name_person(fake_slack: Any, user: str, display_name: str, real_name: str = "") -> None:
    """Slack knows `user` by these names (users.info), as it knows every member."""
    fake_slack.users[user] = {
        "id": user,
        "name": display_name,
        "real_name": real_name or display_name,
        "tz": "Europe/Stockholm",
    }


def drafted_card(fake_slack: Any, review_id: int, *, channel: str = REVIEWS_CHANNEL) -> dict:
    """The review's card once its draft is in: it goes up first saying a draft is on its way."""

    def drafted() -> dict | None:
        card = card_message(fake_slack, review_id, channel=channel)
        # "Writing a draft", or "Writing a new draft" on a redraw while a step runs again.
        return card if card and "Writing a " not in json.dumps(card["blocks"]) else None

    return eventually(drafted, what=f"the drafted card of {review_id}")
