"""A click taken by a web process (services started without workers, as `reviewbot web` runs)
is stored with all it starts; only a worker then redraws the card, posts the thread's lines
and publishes the reply. On SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.blocks import ids
from bot.cards.card_step import CardStep
from bot.publishing.base import OutgoingReply
from storage.db import session_scope
from storage.models import ThreadLine, Work, WorkKind
from tests.slack.test_workflow_publishing import SECRET, ReplyReceiver
from tests.support.harness import REVIEWS_CHANNEL, AppHarness
from tests.support.workflow import (
    ANNA,
    block_action,
    card_message,
    card_text,
    decisions,
    eventually,
    instruction_values,
    open_modal,
    post_review,
    review,
    settled,
    slack_card,
    view_submission,
)

pytestmark = pytest.mark.timed_wait  # the workers' poll is a timed wait: not under faketime

# What a process calls to show something in a channel; a web process leaves them to workers.
SHOWING = ("chat.postMessage", "chat.update")


@pytest.fixture
def receiver() -> Iterator[ReplyReceiver]:
    with ReplyReceiver() as server:
        yield server


@pytest.fixture
def roles(fake_slack, database_url, receiver) -> Iterator[Any]:
    """Starts the app on the test's database as a web process (`work=False`) or with workers."""
    started: list[AppHarness] = []

    def start(*, work: bool) -> AppHarness:
        harness = AppHarness.start(
            fake_slack=fake_slack,
            database_url=database_url,
            work=work,
            reply_webhook_url=f"{receiver.url}/replies",
            reply_webhook_secret=SECRET,
        )
        started.append(harness)
        return harness

    yield start
    for harness in started:
        harness.stop()


def work_kinds(app: AppHarness, review_id: int) -> set[str]:
    with Session(app.services.engine) as session:
        return {w.kind for w in session.exec(select(Work).where(Work.review_id == review_id))}


def thread_texts(fake_slack: Any, card: dict) -> list[str]:
    return [m["text"] for m in fake_slack.thread(REVIEWS_CHANNEL, card["ts"])]


def decisions_done(app: AppHarness) -> None:
    """Wait for the web process's clicks to be decided: what they started is stored by then."""
    app.services.interactions.shutdown(wait=True)


def test_an_approval_taken_by_web_is_stored_and_a_worker_shows_and_publishes_it_once(
    roles, fake_slack, receiver
):
    worker = roles(work=True)
    web = roles(work=False)
    review_id = post_review(web, fake_slack)  # stored by web, triaged, drafted, carded by worker
    worker.stop()
    card = card_message(fake_slack, review_id)
    assert card is not None
    before = len(fake_slack.calls())

    response = web.send_interaction(block_action(card, ids.ACTION_APPROVE, user=ANNA))
    assert response.status_code == 200
    decisions_done(web)

    assert review(web, review_id).status == "approved"
    assert review(web, review_id).publish_state == "publishing"
    # Stored, not shown: nothing reached the channel, nothing was sent.
    assert [c.method for c in fake_slack.calls()[before:] if c.method in SHOWING] == []
    assert receiver.received == []
    assert work_kinds(web, review_id) == {"card", "publish"}
    with Session(web.services.engine) as session:
        [line] = session.exec(select(ThreadLine).where(ThreadLine.review_id == review_id))
    assert (line.kind, line.actor, line.posted_at) == ("approved", ANNA, None)

    roles(work=True)  # a worker comes up and does what the click started
    eventually(lambda: review(web, review_id).publish_state == "published", what="published")
    settled(web, review_id)
    assert "Approved" in card_text(fake_slack, review_id)
    [delivery] = receiver.received
    assert delivery["delivery"] == f"review-{review_id}" and delivery["signed"]
    lines = eventually(
        lambda: (texts := thread_texts(fake_slack, card)) and len(texts) == 2 and texts,
        what="both lines in the thread",
    )
    assert "approved the reply" in lines[0] and "was published" in lines[1]
    with Session(web.services.engine) as session:
        stored = session.exec(select(ThreadLine).where(ThreadLine.review_id == review_id)).all()
    assert [(s.kind, s.posted_at is not None) for s in stored] == [
        ("approved", True),
        ("published", True),
    ]


def test_a_regenerate_click_stores_its_work_with_it_and_the_card_shows_drafting_until_then(
    roles, fake_slack
):
    worker = roles(work=True)
    web = roles(work=False)
    review_id = post_review(web, fake_slack)
    worker.stop()
    modal = open_modal(web, fake_slack, review_id, ids.ACTION_REGENERATE)  # views.open: web's
    before = len(fake_slack.calls())

    submitted = web.send_interaction(view_submission(modal, instruction_values("Kortare")))
    assert submitted.status_code == 200
    decisions_done(web)

    assert [c.method for c in fake_slack.calls()[before:] if c.method in SHOWING] == []
    assert work_kinds(web, review_id) == {"card", "regenerate"}
    # The card step, as a worker runs it while the new draft is still to write.
    CardStep(web.services.engine, web.services.cards)(review_id)
    assert "Writing a new draft" in card_text(fake_slack, review_id)

    roles(work=True)
    eventually(
        lambda: "Writing a new draft" not in card_text(fake_slack, review_id), what="new draft"
    )
    settled(web, review_id)
    card = card_message(fake_slack, review_id)
    assert card is not None
    [line] = fake_slack.thread(REVIEWS_CHANNEL, card["ts"])
    assert "asked for a new draft" in line["text"] and "Kortare" in str(line["blocks"])


def test_a_publish_taken_over_from_a_dead_worker_is_sent_again_with_the_same_delivery_id(
    roles, fake_slack, receiver
):
    worker = roles(work=True)
    web = roles(work=False)
    review_id = post_review(web, fake_slack)
    worker.stop()
    card = card_message(fake_slack, review_id)
    assert card is not None
    web.send_interaction(block_action(card, ids.ACTION_APPROVE, user=ANNA))
    decisions_done(web)
    # A worker claims the publishing, sends the reply and dies before recording it.
    queue = web.services.pipeline.work
    [dead] = queue.claim_batch([WorkKind.publish], "dead-worker/1", 1)
    assert dead.review_id == review_id
    approval = decisions(web, review_id, "approved")[0]
    assert approval.final_text is not None
    web.services.publishers.for_source("google").publish(
        OutgoingReply(review_id, "google", "g-1", approval.final_text)
    )
    queue.retry(dead, timedelta(0))  # its lease runs out: due again, as after a kill

    roles(work=True)
    eventually(lambda: review(web, review_id).publish_state == "published", what="published")
    settled(web, review_id)
    # At least once, never told apart: the receiver sees the same delivery twice.
    assert [r["delivery"] for r in receiver.received] == [f"review-{review_id}"] * 2
    texts = thread_texts(fake_slack, card)
    assert len([t for t in texts if "was published" in t]) == 1


def test_a_redraw_that_would_show_the_same_card_is_skipped_by_any_worker(roles, fake_slack):
    first = roles(work=True)
    review_id = post_review(first, fake_slack)
    settled(first, review_id)
    first.stop()
    version = slack_card(first, review_id).version
    before = len(fake_slack.calls("chat.update"))

    # Another worker, which never drew this card, is asked to redraw it; nothing changed.
    second = roles(work=True)
    with session_scope(second.services.engine) as session:
        second.services.pipeline.work.add(session, kind=WorkKind.card, review_ids=[review_id])
    second.services.pipeline.work.stored([WorkKind.card], [review_id])
    settled(second, review_id)

    assert len(fake_slack.calls("chat.update")) == before
    assert slack_card(second, review_id).version == version
    card = card_message(fake_slack, review_id)
    assert card is not None
    response = second.send_interaction(block_action(card, ids.ACTION_APPROVE, user=ANNA))
    assert response.status_code == 200
    second.wait_for_status(review_id, "approved")  # the buttons on screen are not stale
