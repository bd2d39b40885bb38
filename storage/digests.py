"""The weekly digest's rows: what its week held, and the `digest_run` claim that makes it one
per week (inserted before anything is sent, recorded as sent after)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.db import rows_updated
from storage.figures import Period
from storage.models import Decision, DigestRun, Review, ReviewStatus, not_null


def negative_themes(
    session: Session, *, period: Period
) -> list[tuple[list[str] | None, str | None]]:
    """(themes, text) of each negative review written in `period`, in the order received."""
    return list(
        session.exec(
            select(col(Review.themes), col(Review.text))
            .where(
                col(Review.negative).is_(True),
                col(Review.created_at) >= period.start,
                col(Review.created_at) < period.end,
            )
            .order_by(col(Review.id))
        ).all()
    )


def decisions_by_responder(session: Session, *, period: Period) -> list[tuple[str, int]]:
    """(responder, reviews approved or declined) in `period`, the busiest first."""
    decided = func.count()
    rows = session.exec(
        select(not_null(Decision.actor), decided)
        .where(
            col(Decision.action).in_([ReviewStatus.approved, ReviewStatus.declined]),
            col(Decision.at) >= period.start,
            col(Decision.at) < period.end,
            col(Decision.actor).is_not(None),
        )
        .group_by(col(Decision.actor))
        .order_by(decided.desc(), col(Decision.actor))
    ).all()
    return [(actor, count) for actor, count in rows]


def reviews_written(
    session: Session, *, period: Period
) -> list[tuple[datetime, bool | None, int | None]]:
    """(written at, negative, rating) of every review written in `period`."""
    return list(
        session.exec(
            select(Review.created_at, Review.negative, Review.rating).where(
                col(Review.created_at) >= period.start, col(Review.created_at) < period.end
            )
        ).all()
    )


def claim_week(session: Session, *, week: str, now: datetime) -> bool:
    """Claim the digest of `week` (its first day); False when it was claimed before (the
    session is then rolled back: the claim is a unit of work of its own)."""
    session.add(DigestRun(week=week, claimed_at=now))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    return True


def take_over_week(
    session: Session, *, week: str, now: datetime, stale_before: datetime
) -> datetime | None:
    """Claim a week whose claim is older than `stale_before` and was never recorded as sent;
    returns when that claim was made (its digest may be in Slack since then), or None."""
    claimed = session.exec(select(DigestRun).where(col(DigestRun.week) == week)).first()
    if claimed is None or claimed.sent_at is not None or claimed.claimed_at > stale_before:
        return None
    moved = rows_updated(
        session,
        update(DigestRun)
        .where(
            col(DigestRun.week) == week,
            col(DigestRun.claimed_at) == claimed.claimed_at,
            col(DigestRun.sent_at).is_(None),
        )
        .values(claimed_at=now),
    )
    return claimed.claimed_at if moved == 1 else None


def release_week(session: Session, *, week: str) -> None:
    """Give the week back: nothing reached the channel, so a later run may send it."""
    session.execute(delete(DigestRun).where(col(DigestRun.week) == week))


def record_sent(session: Session, *, week: str, now: datetime, channel: str, ts: str) -> None:
    session.execute(
        update(DigestRun)
        .where(col(DigestRun.week) == week)
        .values(sent_at=now, channel=channel, ts=ts)
    )
