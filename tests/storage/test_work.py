"""The work table: claims, leases that run out, renewals and retries, on each backend; the
clock is the caller's, so a lease runs out without anybody waiting for it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from storage.db import session_scope
from storage.models import ReviewStatus, WorkKind
from storage.review_states import move_status
from storage.reviews import ReviewData, upsert_reviews
from storage.work import (
    add_due_work,
    add_work,
    claim_batch,
    finish_work,
    release_work,
    renew_claims,
    work_counts,
)
from storage.work_notices import WorkListener

pytestmark = pytest.mark.storage

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def store_reviews(engine, count: int) -> list[int]:
    with session_scope(engine) as session:
        stored = upsert_reviews(
            session,
            [ReviewData(source="google", external_id=f"w-{n}", text="Kallt") for n in range(count)],
            now=NOW,
        )
    return [result.review_id for result in stored]


def claim(engine, name: str, at: datetime, kind: str = WorkKind.triage):
    with session_scope(engine) as session:
        claimed = claim_batch(session, kinds=[kind], claim=name, now=at, lease=LEASE, limit=1)
    return claimed[0] if claimed else None


def counts(engine, at: datetime) -> dict[str, tuple[int, int, datetime | None]]:
    with Session(engine) as session:
        return {
            c.kind: (c.queued, c.claimed, c.oldest_queued_at) for c in work_counts(session, now=at)
        }


def test_each_row_is_claimed_by_one_worker_oldest_first(engine):
    first, second = store_reviews(engine, 2)
    with session_scope(engine) as session:
        add_work(session, kind=WorkKind.triage, review_ids=[first], now=NOW)
        add_work(
            session,
            kind=WorkKind.triage,
            review_ids=[second, first],
            now=NOW + timedelta(seconds=1),
        )

    a = claim(engine, "a", NOW + timedelta(seconds=2))
    b = claim(engine, "b", NOW + timedelta(seconds=2))
    c = claim(engine, "c", NOW + timedelta(seconds=2))

    assert (a.review_id, b.review_id, c) == (first, second, None)
    assert (a.attempts, a.taken_over) == (1, False)
    assert counts(engine, NOW + timedelta(seconds=2))[WorkKind.triage] == (0, 2, None)
    assert claim(engine, "d", NOW, kind=WorkKind.draft) is None


def test_a_batch_claims_the_oldest_due_rows_up_to_its_size_and_none_held(engine):
    reviews = store_reviews(engine, 5)
    with session_scope(engine) as session:
        for n, review in enumerate(reviews):
            add_work(
                session, kind=WorkKind.triage, review_ids=[review], now=NOW + timedelta(seconds=n)
            )
    held = claim(engine, "a", NOW + timedelta(seconds=5))

    with session_scope(engine) as session:
        batch = claim_batch(
            session,
            kinds=[WorkKind.triage],
            claim="b",
            now=NOW + timedelta(seconds=5),
            lease=LEASE,
            limit=3,
        )
    with session_scope(engine) as session:
        rest = claim_batch(
            session,
            kinds=[WorkKind.triage],
            claim="c",
            now=NOW + timedelta(seconds=5),
            lease=LEASE,
            limit=3,
        )

    assert held.review_id == reviews[0]
    assert [(w.review_id, w.claim, w.attempts) for w in batch] == [
        (reviews[1], "b", 1),
        (reviews[2], "b", 1),
        (reviews[3], "b", 1),
    ]
    assert [w.review_id for w in rest] == [reviews[4]]
    assert counts(engine, NOW + timedelta(seconds=5))[WorkKind.triage] == (0, 5, None)


def test_a_lease_that_runs_out_is_taken_over_and_the_first_claim_cannot_finish(engine):
    [review] = store_reviews(engine, 1)
    with session_scope(engine) as session:
        add_work(session, kind=WorkKind.triage, review_ids=[review], now=NOW)
    held = claim(engine, "dead-worker", NOW)

    assert claim(engine, "other", NOW + LEASE - timedelta(seconds=1)) is None
    assert counts(engine, NOW + LEASE)[WorkKind.triage] == (1, 0, NOW)
    taken = claim(engine, "other", NOW + LEASE)

    assert (taken.id, taken.review_id, taken.attempts, taken.taken_over) == (
        held.id,
        review,
        2,
        True,
    )
    with session_scope(engine) as session:
        assert finish_work(session, work=held, now=NOW + LEASE) == "lost"
        assert finish_work(session, work=taken, now=NOW + LEASE) == "finished"
    assert counts(engine, NOW + LEASE)[WorkKind.triage] == (0, 0, None)


def test_a_renewed_lease_keeps_the_row_and_a_released_one_waits_for_its_retry(engine):
    first, second = store_reviews(engine, 2)
    with session_scope(engine) as session:
        add_work(session, kind=WorkKind.draft, review_ids=[first, second], now=NOW)
    working = claim(engine, "w", NOW, kind=WorkKind.draft)
    failing = claim(engine, "f", NOW, kind=WorkKind.draft)

    with session_scope(engine) as session:
        assert renew_claims(session, claims=["w", "gone"], until=NOW + 2 * LEASE) == 1
        assert release_work(
            session, work_id=failing.id, claim="f", due_at=NOW + timedelta(seconds=30)
        )

    at = NOW + LEASE + timedelta(seconds=1)
    assert counts(engine, at)[WorkKind.draft] == (1, 1, NOW)
    retried = claim(engine, "x", at, kind=WorkKind.draft)
    assert (retried.review_id, retried.attempts) == (second, 2)
    assert claim(engine, "y", at, kind=WorkKind.draft) is None
    assert claim(engine, "y", NOW + 2 * LEASE, kind=WorkKind.draft).id == working.id


def test_a_step_asked_for_again_while_it_runs_runs_once_more(engine):
    [review] = store_reviews(engine, 1)
    with session_scope(engine) as session:
        add_work(session, kind=WorkKind.card, review_ids=[review], now=NOW)
    running = claim(engine, "w", NOW, kind=WorkKind.card)
    with session_scope(engine) as session:
        add_work(session, kind=WorkKind.card, review_ids=[review], now=NOW + timedelta(seconds=1))
    assert claim(engine, "x", NOW + timedelta(seconds=1), kind=WorkKind.card) is None  # held

    with session_scope(engine) as session:
        assert finish_work(session, work=running, now=NOW + timedelta(seconds=2)) == "again"
    again = claim(engine, "x", NOW + timedelta(seconds=2), kind=WorkKind.card)
    assert (again.id, again.attempts, again.taken_over) == (running.id, 1, False)
    with session_scope(engine) as session:
        assert finish_work(session, work=again, now=NOW + timedelta(seconds=3)) == "finished"
    assert counts(engine, NOW + timedelta(seconds=3))[WorkKind.card] == (0, 0, None)


def test_reviews_left_without_work_get_the_step_their_status_calls_for(engine):
    received, triaged, pending, queued = store_reviews(engine, 4)
    with session_scope(engine) as session:
        move_status(session, review_id=triaged, frm=ReviewStatus.received, to=ReviewStatus.triaged)
        move_status(session, review_id=pending, frm=ReviewStatus.received, to=ReviewStatus.pending)
        add_work(session, kind=WorkKind.triage, review_ids=[queued], now=NOW)
    held = claim(engine, "w", NOW)

    with session_scope(engine) as session:
        add_due_work(session, now=NOW + timedelta(seconds=5))
        add_due_work(session, now=NOW + timedelta(seconds=6), review_ids=[received, triaged])

    later = NOW + timedelta(seconds=10)
    assert counts(engine, later)[WorkKind.triage] == (1, 1, NOW + timedelta(seconds=5))
    assert claim(engine, "v", later).review_id == received
    assert claim(engine, "v", later, kind=WorkKind.draft).review_id == triaged
    assert claim(engine, "v", later) is None  # `queued` is still held by `w`
    assert held.review_id == queued


def test_postgresql_skips_a_row_another_transaction_is_claiming(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: claims queue on its write lock")
    first, second = store_reviews(engine, 2)
    with session_scope(engine) as session:
        add_work(session, kind=WorkKind.triage, review_ids=[first, second], now=NOW)
    with Session(engine) as slow:
        [held] = claim_batch(
            slow, kinds=[WorkKind.triage], claim="slow", now=NOW, lease=LEASE, limit=1
        )
        quick = claim(engine, "quick", NOW)  # would block without SKIP LOCKED
        slow.commit()
    assert (held.review_id, quick.review_id) == (first, second)


@pytest.mark.timed_wait
def test_postgresql_tells_a_listener_when_work_is_committed(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite workers poll")
    [review] = store_reviews(engine, 1)
    heard = threading.Event()
    kinds: list[str | None] = []

    def on_notice(kind: str | None) -> None:
        kinds.append(kind)
        heard.set()

    listener = WorkListener(engine.url, on_notice=on_notice)
    listener.start()
    try:
        assert heard.wait(10), "the listener never connected"  # it wakes once on connecting
        assert kinds == [None]  # on connecting: whatever was stored meanwhile, of any kind
        heard.clear()
        with session_scope(engine) as session:
            add_work(session, kind=WorkKind.triage, review_ids=[review], now=NOW)
        assert heard.wait(5)
        assert kinds == [None, WorkKind.triage]
    finally:
        listener.close()
