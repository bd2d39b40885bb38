"""The upkeep jobs: the outbox sweep takes up what a failure left, retention erases old data,
and each configured source is polled on its own interval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.jobs import outbox, retention
from storage.db import session_scope
from storage.erasure import ERASED
from storage.models import Review, SlackCard
from tests.support.harness import REVIEWS_CHANNEL
from tests.support.workflow import NEGATIVE_REVIEW, card_message, eventually, post_review


def test_the_outbox_sweep_drafts_and_cards_a_review_a_crash_left_behind(app_factory, fake_slack):
    app = app_factory()
    review_id = app.post_reviews(NEGATIVE_REVIEW).json()["reviews"][0]["id"]
    app.wait_for_status(review_id, "pending")
    eventually(lambda: card_message(fake_slack, review_id), what="the first card")
    # As if the process had died right after intake: the review is back at the start, no card.
    with session_scope(app.services.engine) as session:
        session.get(Review, review_id).status = "received"
        session.delete(session.exec(select(SlackCard)).one())
    fake_slack.reset()

    outbox.run(app.services, app.services.clock() + timedelta(minutes=5))

    assert app.wait_for_status(review_id, "pending").status == "pending"
    eventually(lambda: card_message(fake_slack, review_id), what="the card after the sweep")
    assert len(fake_slack.ok_calls("chat.postMessage")) >= 1


def test_retention_erases_old_reviews_and_redraws_their_cards(app_factory, fake_slack):
    app = app_factory(retention_days=30)
    review_id = post_review(app, fake_slack)  # written 2026-11-20
    updates_before = len(fake_slack.ok_calls("chat.update"))

    retention.run(app.services, datetime(2026, 12, 25, tzinfo=UTC))

    with Session(app.services.engine) as session:
        review = session.get(Review, review_id)
    assert (review.author, review.text) == (None, ERASED)
    eventually(lambda: len(fake_slack.ok_calls("chat.update")) > updates_before, what="the redraw")
    card = card_message(fake_slack, review_id)
    shown = str(card["blocks"]) + card["text"]
    assert NEGATIVE_REVIEW["author"] not in shown and "Maten var kall" not in shown


def test_retention_keeps_recent_reviews(app_factory, fake_slack):
    app = app_factory(retention_days=30)
    review_id = post_review(app, fake_slack)
    retention.run(app.services, datetime(2026, 12, 1, tzinfo=UTC))
    with Session(app.services.engine) as session:
        assert session.get(Review, review_id).author == NEGATIVE_REVIEW["author"]


def test_erasing_a_long_review_deletes_its_text_from_the_cards_thread(app_factory, fake_slack):
    app = app_factory(retention_days=30)
    long_text = "Maten var kall och vi väntade länge. " * 200  # about 7,400 characters
    review_id = post_review(app, fake_slack, {**NEGATIVE_REVIEW, "text": long_text})
    card = card_message(fake_slack, review_id)

    def text_parts() -> list[dict] | None:
        # The parts are posted one after the other: wait for more than the first.
        thread = fake_slack.thread(REVIEWS_CHANNEL, card["ts"])
        found = [m for m in thread if "Review text, part" in m["text"]]
        return found if len(found) >= 2 else None

    assert eventually(text_parts, what="the review text in the thread")

    retention.run(app.services, datetime(2026, 12, 25, tzinfo=UTC))

    thread = fake_slack.thread(REVIEWS_CHANNEL, card["ts"])
    assert [m for m in thread if "Review text, part" in m["text"]] == []
    assert "Maten var kall" not in str(thread)
    assert "Maten var kall" not in str(card_message(fake_slack, review_id)["blocks"])
