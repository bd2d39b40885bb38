"""A customer who changes a review after its draft was written: the card is redrawn as soon as
the change is stored, and a draft written for the old text is not approved. Through the real
app, the fake Slack (and the fake OpenAI server), on each database."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.blocks import ids
from bot.config import Settings
from bot.jobs import review_changes
from bot.reviews.intake import ReviewIn
from bot.wiring import build_services
from tests.support.clock import TestClock
from tests.support.harness import AppHarness
from tests.support.workflow import (
    ANNA,
    NEGATIVE_REVIEW,
    block_action,
    buttons,
    card_message,
    card_text,
    decisions,
    edit_values,
    ephemerals_for,
    eventually,
    instruction_values,
    open_modal,
    post_review,
    review,
    settled,
    slack_card,
    view_submission,
)

COMPLAINT = {**NEGATIVE_REVIEW, "rating": 2}
THANKS = {
    **COMPLAINT,
    "rating": 4,
    "title": "Uppdatering",
    "text": "De ringde upp och bjöd på en ny middag. Tack, nu är allt bra!",
}
OUTDATED = (
    "The customer changed this review (2★ → 4★, new text) after this draft was written. Use "
    "Regenerate for a draft that answers the new text, or Edit to write one."
)
WRITTEN = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> TestClock:
    return TestClock(WRITTEN)


def serve(fake_slack, database_url: str, clock: TestClock, **overrides) -> AppHarness:
    return AppHarness.start(
        fake_slack=fake_slack,
        database_url=database_url,
        clock=clock,
        card_post_interval=0,
        scheduler_enabled=False,  # the tests run the sweep themselves
        **overrides,
    )


@pytest.fixture
def app(fake_slack, database_url, clock) -> Iterator[AppHarness]:
    harness = serve(fake_slack, database_url, clock)
    yield harness
    harness.stop()


def import_elsewhere(database_url: str, clock: TestClock, raw: dict) -> None:
    """The change arrives through a process without Slack (`reviewbot import`), so nothing
    redraws the card until the serving process's sweep."""
    services = build_services(Settings(database_url=database_url), clock=clock)
    try:
        [result] = services.intake.ingest([ReviewIn.model_validate(raw)])
        assert result.status == "updated"
    finally:
        services.close()


def rating_lines(fake_slack, app: AppHarness, review_id: int) -> list[str]:
    """The thread's notes of a new rating, with their detail."""
    card = slack_card(app, review_id)
    thread = fake_slack.thread(card.channel, card.ts)
    return [m["blocks"][0]["text"]["text"] for m in thread if "changed the rating" in m["text"]]


def test_a_changed_review_redraws_its_card_at_once_and_its_old_draft_is_not_approved(
    app, fake_slack, clock
):
    review_id = post_review(app, fake_slack, COMPLAINT)
    as_seen = copy.deepcopy(card_message(fake_slack, review_id))
    clock.advance(timedelta(hours=2))

    assert app.post_reviews(THANKS).json()["updated"] == 1

    # No sweep has run: intake's storing the change is what redraws the card.
    eventually(lambda: "Rating changed 2★ → 4★" in card_text(fake_slack, review_id))
    text = card_text(fake_slack, review_id)
    assert "Tack, nu är allt bra!" in text
    assert "This draft is older than the review's last change* (2★ → 4★, new text)" in text
    offered = buttons(card_message(fake_slack, review_id))
    assert ids.ACTION_APPROVE not in offered
    assert offered[ids.ACTION_REGENERATE]["style"] == "primary"
    assert ids.ACTION_EDIT in offered
    lines = eventually(lambda: rating_lines(fake_slack, app, review_id), what="the thread line")
    assert len(lines) == 1 and "2★ → 4★" in lines[0]

    # The responder clicks Approve on the card as they saw it before the change.
    assert app.send_interaction(block_action(as_seen, ids.ACTION_APPROVE)).status_code == 200
    assert eventually(lambda: ephemerals_for(fake_slack, ANNA), what="the refusal") == [OUTDATED]
    assert review(app, review_id).status == "pending"
    assert decisions(app, review_id, "approved") == []
    assert review_changes.run(app.services, clock()) == 0  # nothing left for the sweep
    assert len(rating_lines(fake_slack, app, review_id)) == 1

    # Regenerate answers the new text, and that draft can be approved.
    modal = open_modal(app, fake_slack, review_id, ids.ACTION_REGENERATE)
    assert app.send_interaction(view_submission(modal, instruction_values(None))).status_code == 200
    eventually(lambda: ids.ACTION_APPROVE in buttons(card_message(fake_slack, review_id)))
    assert "older than the review's last change" not in card_text(fake_slack, review_id)
    card = card_message(fake_slack, review_id)
    assert app.send_interaction(block_action(card, ids.ACTION_APPROVE)).status_code == 200
    eventually(lambda: review(app, review_id).status == "approved", what="the approval")


def test_an_approve_before_the_card_shows_the_change_is_refused_and_the_sweep_shows_it(
    app, fake_slack, database_url, clock
):
    review_id = post_review(app, fake_slack, COMPLAINT)
    clock.advance(timedelta(minutes=30))
    import_elsewhere(database_url, clock, THANKS)
    card = card_message(fake_slack, review_id)
    assert "Rating changed" not in card_text(fake_slack, review_id)  # not redrawn yet

    assert app.send_interaction(block_action(card, ids.ACTION_APPROVE)).status_code == 200
    assert eventually(lambda: ephemerals_for(fake_slack, ANNA), what="the refusal") == [OUTDATED]
    assert decisions(app, review_id, "approved") == []

    assert review_changes.run(app.services, clock()) == 1
    # The sweep stores the redraw; a worker does it.
    eventually(lambda: "Rating changed 2★ → 4★" in card_text(fake_slack, review_id))
    assert ids.ACTION_APPROVE not in buttons(card_message(fake_slack, review_id))
    assert review_changes.run(app.services, clock()) == 0


def test_edit_and_approve_is_refused_on_the_old_card_and_allowed_once_the_card_shows_the_change(
    app, fake_slack, database_url, clock
):
    review_id = post_review(app, fake_slack, COMPLAINT)
    old_modal = open_modal(app, fake_slack, review_id, ids.ACTION_EDIT)
    clock.advance(timedelta(minutes=30))
    import_elsewhere(database_url, clock, THANKS)

    sorry = "Hej Anna! Förlåt för den kalla maten."
    submit = view_submission(old_modal, edit_values(sorry, approve_now=True))
    assert app.send_interaction(submit).status_code == 200
    assert eventually(lambda: ephemerals_for(fake_slack, ANNA), what="the refusal") == [OUTDATED]
    assert decisions(app, review_id, "approved") == []

    review_changes.run(app.services, clock())
    settled(app, review_id)  # the card shows the change: its buttons are the ones to click
    thanks = "Hej Anna! Tack för att du gav oss en chans till, och för de fyra stjärnorna."
    modal = open_modal(app, fake_slack, review_id, ids.ACTION_EDIT)
    submit = view_submission(modal, edit_values(thanks, approve_now=True))
    assert app.send_interaction(submit).status_code == 200
    eventually(lambda: review(app, review_id).status == "approved", what="the approval")
    [approval] = decisions(app, review_id, "approved")
    assert approval.final_text == thanks


def test_a_change_made_while_the_model_writes_marks_that_draft_as_written_before_it(
    fake_slack, fake_openai, database_url, clock
):
    asked = threading.Event()
    answer_now = threading.Event()

    def model(request: dict) -> dict:
        if COMPLAINT["text"] in json.dumps(request, ensure_ascii=False):
            asked.set()
            answer_now.wait(timeout=10)
        return {
            "reply": "Hej Anna! Vi beklagar verkligen att maten var kall. [your name]",
            "review_translation": "The food was cold.",
            "reply_translation": "Hi Anna! We are sorry the food was cold.",
            "themes": ["product_quality"],
            "feedback_kind": "factual",
            "priority": "normal",
            "urgent_reason": "",
        }

    fake_openai.respond_with(model)
    app = serve(
        fake_slack,
        database_url,
        clock,
        openai_api_key="sk-test-key-for-the-fake",
        openai_base_url=fake_openai.base_url,
        openai_timeout=10,
        openai_max_retries=0,
    )
    try:
        review_id = app.post_reviews(COMPLAINT).json()["reviews"][0]["id"]
        assert asked.wait(timeout=10)
        clock.advance(timedelta(seconds=20))
        assert app.post_reviews(THANKS).json()["updated"] == 1
        clock.advance(timedelta(seconds=20))
        answer_now.set()

        app.wait_for_status(review_id, "pending")
        eventually(
            lambda: "older than the review's last change" in card_text(fake_slack, review_id),
            what="the drafted card saying its draft is older than the change",
        )
        card = card_message(fake_slack, review_id)
        assert ids.ACTION_APPROVE not in buttons(card)
        version = slack_card(app, review_id).version
        assert app.services.decisions.approve(review_id, version, ANNA) == OUTDATED
    finally:
        answer_now.set()
        app.stop()
