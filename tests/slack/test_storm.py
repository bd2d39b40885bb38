"""Under a storm (Slack answering 429 and 5xx), every post reaches Slack once: a card's failure
is its own, escalations come as one message in working hours, and what the jobs post is
posted exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.jobs import digest, escalation, follow_up, nudges, patterns
from bot.reviews.escalation import ESCALATED
from bot.reviews.intake import ReviewIn
from bot.reviews.nudges import NUDGED
from bot.wiring import build_services
from storage.db import session_scope
from storage.models import CardState, Decision, DigestRun, SlackCard
from tests.support.harness import REVIEWS_CHANNEL
from tests.support.jobs import NOW, actions, add_review, approve, job_services, set_card, set_review

STORM = {"rating": 1, "language": "sv", "author": "Anna Svensson", "source": "google"}


@pytest.fixture
def services(fake_slack, database_url):
    services = job_services(fake_slack, database_url, escalation_contacts="U0BOSS")
    yield services
    services.close()


def storm(fake_slack, seed: int = 3) -> None:
    """The faults `bench/chaos.py --faults` sends: a third of calls rate-limited, a tenth failing."""
    fake_slack.set_fault_rates(rate_429=0.3, rate_5xx=0.1, seed=seed)


def queued_offline(database_url: str, count: int) -> list[int]:
    """Reviews stored while Slack was not configured: their cards wait in the outbox."""
    offline = build_services(Settings(database_url=database_url, reviews_channel=REVIEWS_CHANNEL))
    try:
        reviews = [
            ReviewIn.model_validate(
                {**STORM, "external_id": f"q-{n}", "text": f"Kall mat och lång väntan, {n}."}
            )
            for n in range(count)
        ]
        return [result.review_id for result in offline.intake.ingest(reviews)]
    finally:
        offline.close()


def card_posts(fake_slack) -> list[int]:
    """The review ids of the card posts Slack accepted, in order."""
    return [
        call.args["metadata"]["event_payload"]["review_id"]
        for call in fake_slack.ok_calls("chat.postMessage")
        if (call.args.get("metadata") or {}).get("event_type") == "review_card"
    ]


def cards(services) -> dict[int, SlackCard]:
    with Session(services.engine) as session:
        return {c.review_id: c for c in session.exec(select(SlackCard))}


# --- the outbox sweep ------------------------------------------------------------------------
def test_a_sweep_with_one_failing_card_posts_the_others(fake_slack, database_url):
    first, *others = queued_offline(database_url, 3)
    services = job_services(fake_slack, database_url)
    try:
        # The first card's post and all its retries fail; nothing reached Slack.
        fake_slack.fail_next("chat.postMessage", status=503, times=6)
        assert services.outbox.sweep() == 2
        state = cards(services)
        assert state[first].state == CardState.queued
        assert all(state[r].state == CardState.posted for r in others)
        assert sorted(card_posts(fake_slack)) == sorted(others)

        assert services.outbox.sweep() == 1
        assert sorted(card_posts(fake_slack)) == sorted([first, *others])
    finally:
        services.close()


def test_a_sweep_whose_channel_scan_fails_still_posts_every_card_once(fake_slack, database_url):
    queued = queued_offline(database_url, 3)
    services = job_services(fake_slack, database_url)
    try:
        fake_slack.fail_next("conversations.history", status=500)
        assert services.outbox.sweep() == 3
        assert sorted(card_posts(fake_slack)) == sorted(queued)
        assert len(fake_slack.messages(REVIEWS_CHANNEL)) == 3
    finally:
        services.close()


def test_under_a_storm_a_queue_of_cards_is_posted_in_one_sweep_each_exactly_once(
    fake_slack, database_url
):
    queued = queued_offline(database_url, 12)
    services = job_services(fake_slack, database_url)
    try:
        storm(fake_slack)
        # Now and then a post that failed did reach Slack.
        fake_slack.fail_next("chat.postMessage", status=500, after_success=True, times=2)
        assert services.outbox.sweep() == 12
        state = cards(services)
        assert all(state[r].state == CardState.posted for r in queued)
        in_slack = [
            m["metadata"]["event_payload"]["review_id"]
            for m in fake_slack.messages(REVIEWS_CHANNEL)
        ]
        assert sorted(in_slack) == sorted(queued)
        assert {state[r].ts for r in queued} == {
            m["ts"] for m in fake_slack.messages(REVIEWS_CHANNEL)
        }
    finally:
        services.close()


# --- escalations -----------------------------------------------------------------------------
def late(services, count: int) -> list[int]:
    ids = []
    for n in range(count):
        review_id = add_review(services, external_id=f"late-{n}", author=f"Kund {n}")
        written = NOW - timedelta(hours=30, minutes=n)
        set_review(services, review_id, created_at=written, received_at=written)
        ids.append(review_id)
    return ids


def escalation_messages(fake_slack) -> list[dict]:
    return [m for m in fake_slack.messages(REVIEWS_CHANNEL) if "Reply deadline" in m["text"]]


def test_six_late_reviews_in_one_sweep_are_one_escalation_listing_them(fake_slack, services):
    ids = late(services, 6)
    assert escalation.run(services, NOW) == 6

    [message] = escalation_messages(fake_slack)
    text = message["blocks"][0]["text"]["text"]
    assert "6 reviews have had no reply within 24 h" in text
    assert all(f"from Kund {n}" in text for n in range(6))
    assert text.count("<@U0BOSS>") == 1
    assert text.count("|Open the card>") == 6
    assert all(len(actions(services, r, "escalated")) == 1 for r in ids)
    assert escalation.run(services, NOW + timedelta(minutes=5)) == 0
    assert len(escalation_messages(fake_slack)) == 1


def test_an_escalation_due_at_night_is_held_until_the_working_day(fake_slack, services):
    night = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 02:00 in Stockholm
    ids = late(services, 2)
    for review_id in ids:
        set_review(services, review_id, created_at=night - timedelta(hours=25))
        set_review(services, review_id, received_at=night - timedelta(hours=25))
    assert escalation.run(services, night) == 0
    assert escalation_messages(fake_slack) == []
    # The cards show the breach at once; only the announcement waits.
    assert all(services.cards.view_for(r).sla_breached for r in ids)

    approve(services, ids[0])  # decided before the team came in: not announced
    assert escalation.run(services, datetime(2026, 11, 24, 7, 0, tzinfo=UTC)) == 1
    [message] = escalation_messages(fake_slack)
    assert "a review has had no reply" in message["text"]
    assert "Kund 1" in message["blocks"][0]["text"]["text"]


def test_with_escalate_anytime_an_escalation_goes_out_at_night(fake_slack, database_url):
    night = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    services = job_services(
        fake_slack, database_url, escalation_contacts="U0BOSS", escalate_anytime=True
    )
    try:
        ids = late(services, 3)
        for review_id in ids:
            written = night - timedelta(hours=25)
            set_review(services, review_id, created_at=written, received_at=written)
        assert escalation.run(services, night) == 3
        assert len(escalation_messages(fake_slack)) == 1
    finally:
        services.close()


def test_an_escalation_under_a_storm_is_posted_exactly_once(fake_slack, services):
    late(services, 4)
    storm(fake_slack)
    fake_slack.fail_next("chat.postMessage", status=502, after_success=True)
    announced = escalation.run(services, NOW)
    announced += escalation.run(services, NOW + timedelta(minutes=5))
    assert announced == 4
    assert len(escalation_messages(fake_slack)) == 1


# --- what the other jobs post ----------------------------------------------------------------
def test_a_nudge_under_a_storm_is_posted_exactly_once(fake_slack, services):
    review_id = add_review(services)
    set_card(services, review_id, posted_at=NOW - timedelta(hours=4))
    storm(fake_slack)
    fake_slack.fail_next("chat.postMessage", status=500, after_success=True)
    sent = nudges.run(services, NOW) + nudges.run(services, NOW + timedelta(minutes=5))
    assert sent == 1
    card = cards(services)[review_id]
    reminders = [m for m in fake_slack.thread(card.channel, card.ts) if "Reminder" in m["text"]]
    assert len(reminders) == 1
    assert len(actions(services, review_id, "nudged")) == 1


def test_a_follow_up_question_under_a_storm_is_posted_exactly_once(fake_slack, services):
    review_id = add_review(services)
    approve(services, review_id)
    set_review(services, review_id, decided_at=NOW - timedelta(days=7), published_at=None)
    storm(fake_slack)
    fake_slack.fail_next("chat.postMessage", status=503, after_success=True)
    asked = follow_up.run(services, NOW) + follow_up.run(services, NOW + timedelta(minutes=5))
    assert asked == 1
    card = cards(services)[review_id]
    questions = [m for m in fake_slack.thread(card.channel, card.ts) if "followed up" in m["text"]]
    assert len(questions) == 1


def test_a_pattern_alert_under_a_storm_is_posted_exactly_once(fake_slack, services):
    for n in range(3):
        review_id = add_review(services, external_id=f"p-{n}")
        set_review(services, review_id, themes=["delivery"], created_at=NOW - timedelta(days=1))
    storm(fake_slack)
    fake_slack.fail_next("chat.postMessage", status=500, after_success=True)
    sent = patterns.run(services, NOW) + patterns.run(services, NOW + timedelta(minutes=5))
    assert sent == 1
    alerts = [m for m in fake_slack.messages(REVIEWS_CHANNEL) if "*Pattern:*" in m["text"]]
    assert len(alerts) == 1


def test_a_nudge_sent_before_the_process_died_unrecorded_is_not_sent_again(
    fake_slack, database_url
):
    first = job_services(fake_slack, database_url)
    review_id = add_review(first)
    set_card(first, review_id, posted_at=NOW - timedelta(hours=4))
    assert nudges.run(first, NOW) == 1
    with session_scope(first.engine) as session:  # as if it died before the audit row
        session.execute(delete(Decision).where(col(Decision.action) == NUDGED))
    first.close()

    restarted = job_services(fake_slack, database_url)
    try:
        assert nudges.run(restarted, NOW + timedelta(minutes=5)) == 1  # adopted, recorded
        card = cards(restarted)[review_id]
        reminders = [m for m in fake_slack.thread(card.channel, card.ts) if "Reminder" in m["text"]]
        assert len(reminders) == 1
        assert len(actions(restarted, review_id, "nudged")) == 1
    finally:
        restarted.close()


def test_an_escalation_sent_before_the_process_died_unrecorded_is_not_sent_again(
    fake_slack, database_url
):
    first = job_services(fake_slack, database_url)
    late(first, 2)
    assert escalation.run(first, NOW) == 2
    with session_scope(first.engine) as session:
        session.execute(delete(Decision).where(col(Decision.action) == ESCALATED))
    first.close()

    restarted = job_services(fake_slack, database_url)
    try:
        assert escalation.run(restarted, NOW + timedelta(minutes=5)) == 2
        assert len(escalation_messages(fake_slack)) == 1
    finally:
        restarted.close()


# --- the digest ------------------------------------------------------------------------------
MONDAY = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 08:00 in Stockholm: the digest's hour


def digest_messages(fake_slack) -> list[dict]:
    return [m for m in fake_slack.messages(REVIEWS_CHANNEL) if "Weekly review digest" in m["text"]]


@pytest.mark.parametrize("reached_slack", [True, False])
def test_a_digest_whose_run_died_while_sending_is_sent_once_by_a_later_run(
    fake_slack, services, reached_slack
):
    assert digest.run(services, MONDAY) is True
    with session_scope(services.engine) as session:  # as if it died before recording the send
        session.execute(update(DigestRun).values(sent_at=None, channel=None, ts=None))
    if not reached_slack:
        fake_slack.reset()  # Slack never had it

    assert digest.run(services, MONDAY + timedelta(minutes=5)) is False  # maybe still sending
    restarted = job_services(fake_slack, services.settings.database_url)
    try:
        assert digest.run(restarted, MONDAY + timedelta(hours=1)) is True
        assert digest.run(restarted, MONDAY + timedelta(hours=2)) is False
    finally:
        restarted.close()
    [message] = digest_messages(fake_slack)
    with Session(services.engine) as session:
        [run] = session.exec(select(DigestRun)).all()
    assert run.ts == message["ts"]
