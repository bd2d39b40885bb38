"""Customer follow-up a week after the reply, answered with the buttons through the real app;
and a customer's new rating shown on the card."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete
from sqlmodel import Session, col

from bot.blocks import follow_up as follow_up_blocks
from bot.jobs import follow_up, review_changes
from storage.db import session_scope
from storage.figures import Period
from storage.kpi import compute_kpis
from storage.models import Decision
from tests.support.jobs import (
    NOW,
    actions,
    add_review,
    approve,
    card,
    job_services,
    review,
    set_review,
    thread_texts,
)
from tests.support.workflow import block_action, card_text, eventually, post_review


@pytest.fixture
def services(fake_slack, database_url):
    services = job_services(fake_slack, database_url)
    yield services
    services.close()


def approved_ago(services, review_id, age: timedelta) -> None:
    approve(services, review_id)
    set_review(services, review_id, decided_at=NOW - age, published_at=None)


def questions(fake_slack, c) -> list[dict]:
    return [m for m in fake_slack.thread(c.channel, c.ts) if "followed up" in m["text"]]


def test_a_week_after_the_reply_the_thread_asks_about_the_customer(fake_slack, services):
    review_id = add_review(services)
    approved_ago(services, review_id, timedelta(days=6, hours=23))
    assert follow_up.run(services, NOW) == 0

    set_review(services, review_id, decided_at=NOW - timedelta(days=7))
    assert follow_up.run(services, NOW) == 1
    assert follow_up.run(services, NOW + timedelta(days=1)) == 0

    [question] = questions(fake_slack, card(services, review_id))
    buttons = question["blocks"][1]["elements"]
    assert [b["action_id"] for b in buttons] == [
        follow_up_blocks.ACTION_FOLLOWED_UP,
        follow_up_blocks.ACTION_NOT_NEEDED,
    ]
    assert {b["value"] for b in buttons} == {str(review_id)}
    assert review(services, review_id).follow_up_asked_at == NOW


def test_a_question_claimed_by_a_process_that_died_is_asked_once_later(fake_slack, services):
    review_id = add_review(services)
    approved_ago(services, review_id, timedelta(days=8))
    # Claimed, then the process died before posting: no question, none recorded.
    set_review(services, review_id, follow_up_asked_at=NOW - timedelta(minutes=10))
    assert follow_up.run(services, NOW) == 0  # a claim this fresh may still be posting

    later = NOW + timedelta(hours=1)
    assert follow_up.run(services, later) == 1
    assert len(questions(fake_slack, card(services, review_id))) == 1
    assert review(services, review_id).follow_up_asked_at == later
    assert len(actions(services, review_id, "follow_up_asked")) == 1
    assert follow_up.run(services, later + timedelta(days=1)) == 0


def test_a_question_slack_took_before_the_process_died_is_not_asked_again(fake_slack, services):
    review_id = add_review(services)
    approved_ago(services, review_id, timedelta(days=8))
    assert follow_up.run(services, NOW) == 1
    # As if the process died after Slack took the question, before recording it.
    with session_scope(services.engine) as session:
        session.execute(
            delete(Decision).where(
                col(Decision.review_id) == review_id, col(Decision.action) == "follow_up_asked"
            )
        )

    assert follow_up.run(services, NOW + timedelta(hours=1)) == 1  # found, recorded
    assert len(questions(fake_slack, card(services, review_id))) == 1
    assert len(actions(services, review_id, "follow_up_asked")) == 1


def test_a_pending_review_gets_no_follow_up_question(fake_slack, services):
    review_id = add_review(services)
    set_review(services, review_id, decided_at=NOW - timedelta(days=30))
    assert follow_up.run(services, NOW) == 0


def test_clicking_done_records_who_followed_up(app_factory, fake_slack):
    app = app_factory(card_post_interval=0)
    services = app.services
    review_id = post_review(app, fake_slack)
    approved_ago(services, review_id, timedelta(days=8))
    follow_up.run(services, NOW)
    c = card(services, review_id)
    [question] = questions(fake_slack, c)

    click = block_action(question, follow_up_blocks.ACTION_FOLLOWED_UP, user="U0BJORN")
    assert app.send_interaction(click).status_code == 200

    def answered():
        texts = [m["text"] for m in fake_slack.thread(c.channel, c.ts)]
        return any("<@U0BJORN> followed up with the customer" in t for t in texts)

    eventually(answered, what="the question replaced by the answer")
    [audit] = actions(services, review_id, "followed_up")
    assert (audit.actor, audit.detail) == ("U0BJORN", {"outcome": "done"})
    assert review(services, review_id).followed_up_at is not None

    again = block_action(question, follow_up_blocks.ACTION_NOT_NEEDED, user="U0ANNA")
    assert app.send_interaction(again).status_code == 200
    eventually(lambda: fake_slack.ephemerals("U0ANNA"), what="the refusal")
    assert "already answered" in fake_slack.ephemerals("U0ANNA")[-1]["text"]
    assert len(actions(services, review_id, "followed_up")) == 1


def test_a_new_rating_shows_on_the_card_and_counts_as_turned_around(fake_slack, services):
    review_id = add_review(services, rating=1)
    approve(services, review_id)
    add_review(services, rating=4, text="Uppdatering: de ringde upp och ordnade allt. Tack!")

    # Shown when intake stored it: the sweep finds nothing left to show.
    assert review_changes.run(services, NOW) == 0
    assert "Rating changed 1★ → 4★" in card_text(fake_slack, review_id)
    rating_lines = [
        t for t in thread_texts(fake_slack, services, review_id) if "changed the rating" in t
    ]
    assert len(rating_lines) == 1
    with Session(services.engine) as session:
        kpis = compute_kpis(
            session, Period(NOW - timedelta(days=1), NOW + timedelta(days=1)), now=NOW
        )
    assert kpis.turned_around == 1


@pytest.mark.timed_wait  # the workers' poll is a timed wait: not under faketime
def test_a_change_slack_did_not_take_stays_stored_and_a_worker_shows_it_once(fake_slack, services):
    review_id = add_review(services, rating=1)
    fake_slack.fail_next("chat.update", status=500, times=4)  # the first try and every retry
    add_review(services, rating=3, text="Lite bättre efter att de ringde.")
    assert "Rating changed" not in card_text(fake_slack, review_id)
    # Claimed with the change: what shows it is stored work, not the sweep's any more.
    assert review_changes.run(services, NOW) == 0

    services.pipeline.start()  # workers come up and take the stored redraw
    eventually(lambda: "Rating changed 1★ → 3★" in card_text(fake_slack, review_id))
    lines = eventually(
        lambda: [
            t for t in thread_texts(fake_slack, services, review_id) if "changed the rating" in t
        ],
        what="the thread line",
    )
    assert len(lines) == 1
    assert review_changes.run(services, NOW) == 0
