"""A step that ends its work in the transaction recording it (triage, a draft) leaves nothing
for the worker to write after it; one whose transaction rolled back leaves its row to the
worker, which ends it; one asked for again meanwhile is due again, and the workers hear so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from bot.reviews.work_queue import WorkQueue
from storage.db import session_scope
from storage.models import ReviewStatus, Work, WorkKind
from storage.review_states import move_status
from storage.reviews import ReviewData, upsert_reviews

pytestmark = pytest.mark.storage

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def queue(engine) -> WorkQueue:
    return WorkQueue(engine, lease=timedelta(seconds=60), clock=lambda: NOW)


def stored_review(engine, queue: WorkQueue) -> int:
    with session_scope(engine) as session:
        [stored] = upsert_reviews(
            session, [ReviewData(source="google", external_id="f-1", text="Kallt")], now=NOW
        )
        queue.add(session, kind=WorkKind.triage, review_ids=[stored.review_id])
    return stored.review_id


def work_rows(engine) -> list[tuple[str, str | None]]:
    with Session(engine) as session:
        return [(w.kind, w.claim) for w in session.exec(select(Work)).all()]


def test_work_finished_with_its_step_is_gone_and_the_worker_writes_nothing_after(engine, queue):
    review = stored_review(engine, queue)
    [work] = queue.claim_batch([WorkKind.triage], "w/1", 1)
    with session_scope(engine) as session:
        move_status(session, review_id=review, frm=ReviewStatus.received, to=ReviewStatus.positive)
        queue.finish(session, work)

    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    queue.done(work)

    assert statements == []
    assert work_rows(engine) == []


def test_a_step_whose_transaction_rolled_back_is_ended_by_the_worker(engine, queue):
    review = stored_review(engine, queue)
    [work] = queue.claim_batch([WorkKind.triage], "w/1", 1)
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        move_status(session, review_id=review, frm=ReviewStatus.received, to=ReviewStatus.positive)
        queue.finish(session, work)
        raise RuntimeError("the step failed after finishing its work")
    assert work_rows(engine) == [(WorkKind.triage, "w/1")]

    queue.done(work)

    assert work_rows(engine) == []


def test_a_step_asked_for_again_while_it_ran_is_due_again_and_announced(engine, queue):
    review = stored_review(engine, queue)
    [work] = queue.claim_batch([WorkKind.triage], "w/1", 1)
    with session_scope(engine) as session:
        queue.add(session, kind=WorkKind.triage, review_ids=[review])
    seen = queue.announced([WorkKind.triage])
    with session_scope(engine) as session:
        queue.finish(session, work)

    queue.done(work)

    assert work_rows(engine) == [(WorkKind.triage, None)]
    assert queue.announced([WorkKind.triage]) == seen + 1
    assert [w.review_id for w in queue.claim_batch([WorkKind.triage], "w/2", 1)] == [review]
