"""The work table: the steps reviews wait for, claimed by workers with a lease.

Why a table of its own rather than claim columns on `review`: a review's status already says
where it is (received → triaged → drafting → pending), and its compare-and-set moves stay what
keeps a step from being done twice. What the status cannot say is *who is doing it and until
when*, for more than one kind of step at once, without every KPI and card query reading past
claim columns. A row here is "review R waits for step K": it is inserted in the transaction
that makes the step due (intake, triage) and deleted in the one that records it done, checked
against the claim that holds it, so a worker that lost its claim cannot record the step.

Claims: `due_at` is when a row may be claimed. New rows are due at once; a claim moves it to
the end of the lease, which the holder renews while it works; a row whose lease ran out is due
again and the next worker takes it over. On PostgreSQL the candidate row is locked with
`FOR UPDATE SKIP LOCKED`, so workers never queue behind each other; on SQLite the same UPDATE
is a compare-and-set on `due_at` under the database's single writer lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Session, col

from storage.db import dialect_insert, rows_updated
from storage.models import Review, ReviewStatus, UTCDateTime, Work, WorkKind

# PostgreSQL's LISTEN/NOTIFY channel: a notification says work of the kind in its payload is due.
WORK_CHANNEL = "reviewbot_work"

# The work a review's status calls for: what add_due_work puts back.
_DUE_FOR = {ReviewStatus.received: WorkKind.triage, ReviewStatus.triaged: WorkKind.draft}


@dataclass(frozen=True)
class ClaimedWork:
    id: int
    kind: str
    review_id: int
    claim: str
    attempts: int  # this claim included: above 1, another worker held it before
    asked: int  # times it was asked for, as this claim found it

    @property
    def taken_over(self) -> bool:
        return self.attempts > 1


@dataclass(frozen=True)
class WorkCounts:
    kind: str
    queued: int  # waiting for a worker (new, retried, or its lease ran out)
    claimed: int  # held by a worker within its lease
    oldest_queued_at: datetime | None


def _execute_and_notify(session: Session, statement: sa.Insert, kind: str) -> None:
    """Run the INSERT that makes work of `kind` due; on PostgreSQL, in the same round trip,
    notify the workers, which hear it when the transaction commits (never for one rolled
    back). Ingest pays for every round trip in the time it answers the sender."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(statement)
        return
    # A data-modifying WITH runs to completion whether or not the query reads it.
    added = statement.returning(sa.literal(1)).cte("added")
    session.execute(sa.select(sa.func.pg_notify(WORK_CHANNEL, kind)).add_cte(added))


def add_work(session: Session, *, kind: str, review_ids: Sequence[int], now: datetime) -> None:
    """Make step `kind` due for each review, in the caller's transaction. A review that
    already waits for it keeps its row and its claim, asked for again: a worker running it
    now runs it once more after (a card redrawn from what it was read from is stale)."""
    if not review_ids:
        return
    statement = dialect_insert(session)(Work).values(
        [
            {
                "kind": kind,
                "review_id": review_id,
                "created_at": now,
                "due_at": now,
                "attempts": 0,
                "asked": 1,
            }
            for review_id in review_ids
        ]
    )
    upsert = statement.on_conflict_do_update(
        index_elements=["kind", "review_id"],
        set_={"asked": col(Work.asked) + 1},
    )
    _execute_and_notify(session, upsert, kind)


def add_due_work(
    session: Session, *, now: datetime, review_ids: Sequence[int] | None = None
) -> None:
    """The work each review's status calls for (all reviews, or those of `review_ids`), where
    its row is missing: reviews stored before the work table, or left by a failure."""
    for status, kind in _DUE_FOR.items():
        reviews = sa.select(
            sa.literal(str(kind)),
            col(Review.id),
            sa.literal(now, UTCDateTime()),
            sa.literal(now, UTCDateTime()),
            sa.literal(0),
            sa.literal(1),
        ).where(col(Review.status) == status)
        if review_ids is not None:
            reviews = reviews.where(col(Review.id).in_(list(review_ids)))
        missing = (
            dialect_insert(session)(Work)
            .from_select(
                ["kind", "review_id", "created_at", "due_at", "attempts", "asked"], reviews
            )
            .on_conflict_do_nothing(index_elements=["kind", "review_id"])
        )
        _execute_and_notify(session, missing, kind)


def claim_batch(
    session: Session,
    *,
    kinds: Sequence[str],
    claim: str,
    now: datetime,
    lease: timedelta,
    limit: int,
) -> list[ClaimedWork]:
    """Claim up to `limit` of the oldest due rows of `kinds` for `lease`, oldest first."""
    candidates = (
        sa.select(col(Work.id))
        .where(col(Work.kind).in_(list(kinds)), col(Work.due_at) <= now)
        .order_by(col(Work.due_at), col(Work.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(
        sa.update(Work)
        .where(col(Work.id).in_(candidates.scalar_subquery()), col(Work.due_at) <= now)
        .values(claim=claim, due_at=now + lease, attempts=col(Work.attempts) + 1)
        .returning(
            col(Work.id),
            col(Work.kind),
            col(Work.review_id),
            col(Work.attempts),
            col(Work.asked),
        )
        .execution_options(synchronize_session=False)
    ).all()
    # RETURNING gives no order; claims run oldest first.
    return sorted(
        (
            ClaimedWork(id=r[0], kind=r[1], review_id=r[2], claim=claim, attempts=r[3], asked=r[4])
            for r in rows
        ),
        key=lambda work: work.id,
    )


def work_is_due(session: Session, *, now: datetime) -> bool:
    """Whether any row may be claimed now: what an idle worker polls, cheaply."""
    return (
        session.execute(sa.select(col(Work.id)).where(col(Work.due_at) <= now).limit(1)).first()
        is not None
    )


def reset_orphaned_drafts(session: Session) -> list[int]:
    """Reviews left `drafting` with no work holding the draft (the process writing it died
    before drafts were work): back to `triaged`, to be drafted again. Their ids."""
    held = sa.select(col(Work.review_id)).where(
        col(Work.kind).in_([WorkKind.draft, WorkKind.regenerate])
    )
    orphaned = list(
        session.execute(
            sa.select(col(Review.id)).where(
                col(Review.status) == ReviewStatus.drafting, col(Review.id).not_in(held)
            )
        ).scalars()
    )
    if orphaned:
        session.execute(
            sa.update(Review)
            .where(col(Review.id).in_(orphaned), col(Review.status) == ReviewStatus.drafting)
            .values(status=ReviewStatus.triaged)
            .execution_options(synchronize_session=False)
        )
    return orphaned


def renew_claims(session: Session, *, claims: Sequence[str], until: datetime) -> int:
    """Extend the lease of the rows these claims still hold; how many they hold."""
    if not claims:
        return 0
    return rows_updated(
        session,
        sa.update(Work)
        .where(col(Work.claim).in_(list(claims)))
        .values(due_at=until)
        .execution_options(synchronize_session=False),
    )


def finish_work(
    session: Session, *, work: ClaimedWork, now: datetime
) -> Literal["finished", "again", "lost"]:
    """The step is done: delete its row ("finished"), or, when it was asked for again
    meanwhile, make it due again now ("again"). "lost" when the claim no longer holds it
    (its lease ran out and another worker took it): the caller must not record the step."""
    ours = (col(Work.id) == work.id, col(Work.claim) == work.claim)
    deleted = rows_updated(
        session,
        sa.delete(Work)  # type: ignore[arg-type]  # a DELETE's result has a rowcount too
        .where(*ours, col(Work.asked) == work.asked)
        .execution_options(synchronize_session=False),
    )
    if deleted == 1:
        return "finished"
    again = rows_updated(
        session,
        sa.update(Work)
        .where(*ours)
        .values(claim=None, due_at=now, attempts=0)
        .execution_options(synchronize_session=False),
    )
    return "again" if again == 1 else "lost"


def release_work(session: Session, *, work_id: int, claim: str, due_at: datetime) -> bool:
    """Give the row back, to be claimed again from `due_at` (a retry after a failure)."""
    return (
        rows_updated(
            session,
            sa.update(Work)
            .where(col(Work.id) == work_id, col(Work.claim) == claim)
            .values(claim=None, due_at=due_at)
            .execution_options(synchronize_session=False),
        )
        == 1
    )


def drop_work(session: Session, *, kind: str, review_ids: Sequence[int]) -> None:
    """Steps done inline, outside any claim (a command that processes what it stores)."""
    if review_ids:
        session.execute(
            sa.delete(Work).where(col(Work.kind) == kind, col(Work.review_id).in_(list(review_ids)))
        )


def work_counts(session: Session, *, now: datetime) -> list[WorkCounts]:
    """Per kind: rows waiting for a worker, rows held within their lease, the oldest waiting."""
    held = sa.and_(col(Work.claim).is_not(None), col(Work.due_at) > now)
    rows = session.execute(
        sa.select(
            col(Work.kind),
            sa.func.count().filter(sa.not_(held)),
            sa.func.count().filter(held),
            sa.func.min(col(Work.created_at)).filter(sa.not_(held)),
        ).group_by(col(Work.kind))
    ).all()
    counts = {
        kind: WorkCounts(kind, queued, claimed, oldest) for kind, queued, claimed, oldest in rows
    }
    return [counts.get(kind) or WorkCounts(kind, 0, 0, None) for kind in WorkKind]


def work_waiting(session: Session, *, kind: str, review_id: int) -> bool:
    """Whether the review waits for step `kind` (or a worker runs it now)."""
    return (
        session.execute(
            sa.select(col(Work.id)).where(col(Work.kind) == kind, col(Work.review_id) == review_id)
        ).first()
        is not None
    )
