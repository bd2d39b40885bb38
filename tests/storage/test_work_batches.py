"""Triage is claimed a batch at a time; a review that fails the batch fails only itself: the
rest are run one by one and done, and it alone is given back to be tried again."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.reviews.work_queue import WorkQueue
from bot.reviews.workers import Batches, Workers
from storage.db import session_scope
from storage.models import Work, WorkKind
from storage.reviews import ReviewData, upsert_reviews
from storage.work import ClaimedWork
from tests.support.workflow import eventually

pytestmark = [pytest.mark.storage, pytest.mark.timed_wait]  # the workers wait with deadlines

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_a_failing_review_fails_only_itself_and_the_batch_is_done_one_by_one(engine):
    queue = WorkQueue(engine, lease=timedelta(seconds=60), clock=lambda: NOW)
    with session_scope(engine) as session:
        stored = upsert_reviews(
            session,
            [ReviewData(source="google", external_id=f"b-{n}", text="Kallt") for n in range(5)],
            now=NOW,
        )
        ids = [result.review_id for result in stored]
        queue.add(session, kind=WorkKind.triage, review_ids=ids)
    bad = ids[2]
    batches: list[list[int]] = []
    lock = threading.Lock()

    def run(works: Sequence[ClaimedWork]) -> None:
        with lock:
            batches.append([work.review_id for work in works])
        if any(work.review_id == bad for work in works):
            raise ValueError("this review cannot be triaged")
        with session_scope(engine) as session:
            assert queue.finish_held(session, works) == list(works)

    workers = Workers(queue, {"triage": Batches(1, WorkKind.triage, 10, run)}, name="w")
    workers.start()
    try:
        queue.wake(WorkKind.triage)

        def left() -> list[tuple[int, str | None, datetime]] | None:
            with Session(engine) as session:
                rows = session.exec(select(Work)).all()
            return [(w.review_id, w.claim, w.due_at) for w in rows] if len(rows) == 1 else None

        [(review_id, claim, due_at)] = eventually(left, what="only the failing review left")
    finally:
        workers.stop()

    assert (review_id, claim) == (bad, None)
    assert due_at > NOW  # tried again later, not at once
    assert batches[0] == ids  # claimed together
    assert sorted(batches[1:]) == [[i] for i in ids]  # then each alone
