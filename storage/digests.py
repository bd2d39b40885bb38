"""The weekly digest's rows: what its week held, and the `digest_run` claim that makes it one
per week and brand (inserted before anything is sent, recorded as sent after). `brand` None
is the whole deployment's digest; a brand id reads and claims that brand's alone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from storage.db import rows_updated
from storage.figures import Period
from storage.models import Decision, DigestRun, Review, ReviewStatus, not_null


def _of_brand(brand: str | None) -> list[ColumnElement[bool]]:
    return [] if brand is None else [col(Review.brand) == brand]


def _run_of(week: str, brand: str | None) -> list[ColumnElement[bool]]:
    """The `digest_run` row of this week's digest (the whole deployment's: brand NULL)."""
    of_brand = col(DigestRun.brand).is_(None) if brand is None else col(DigestRun.brand) == brand
    return [col(DigestRun.week) == week, of_brand]


def negative_themes(
    session: Session, *, period: Period, brand: str | None = None
) -> list[tuple[list[str] | None, str | None]]:
    """(themes, text) of each negative review written in `period`, in the order received."""
    return list(
        session.exec(
            select(col(Review.themes), col(Review.text))
            .where(
                col(Review.negative).is_(True),
                col(Review.created_at) >= period.start,
                col(Review.created_at) < period.end,
                *_of_brand(brand),
            )
            .order_by(col(Review.id))
        ).all()
    )


def decisions_by_responder(
    session: Session, *, period: Period, brand: str | None = None
) -> list[tuple[str, int]]:
    """(responder, reviews approved or declined) in `period`, the busiest first."""
    decided = func.count()
    statement = select(not_null(Decision.actor), decided)
    if brand is not None:
        statement = statement.join(Review, col(Review.id) == Decision.review_id)
    rows = session.exec(
        statement.where(
            col(Decision.action).in_([ReviewStatus.approved, ReviewStatus.declined]),
            col(Decision.at) >= period.start,
            col(Decision.at) < period.end,
            col(Decision.actor).is_not(None),
            *_of_brand(brand),
        )
        .group_by(col(Decision.actor))
        .order_by(decided.desc(), col(Decision.actor))
    ).all()
    return [(actor, count) for actor, count in rows]


def reviews_written(
    session: Session, *, period: Period, brand: str | None = None
) -> list[tuple[datetime, bool | None, int | None]]:
    """(written at, negative, rating) of every review written in `period`."""
    return list(
        session.exec(
            select(Review.created_at, Review.negative, Review.rating).where(
                col(Review.created_at) >= period.start,
                col(Review.created_at) < period.end,
                *_of_brand(brand),
            )
        ).all()
    )


def claim_week(session: Session, *, week: str, brand: str | None = None, now: datetime) -> bool:
    """Claim the digest of `week` (its first day) for `brand`; False when it was claimed
    before (the session is then rolled back: the claim is a unit of work of its own)."""
    session.add(DigestRun(week=week, brand=brand, claimed_at=now))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    return True


def take_over_week(
    session: Session,
    *,
    week: str,
    brand: str | None = None,
    now: datetime,
    stale_before: datetime,
) -> datetime | None:
    """Claim a week whose claim is older than `stale_before` and was never recorded as sent;
    returns when that claim was made (its digest may be in Slack since then), or None."""
    claimed = session.exec(select(DigestRun).where(*_run_of(week, brand))).first()
    if claimed is None or claimed.sent_at is not None or claimed.claimed_at > stale_before:
        return None
    moved = rows_updated(
        session,
        update(DigestRun)
        .where(
            *_run_of(week, brand),
            col(DigestRun.claimed_at) == claimed.claimed_at,
            col(DigestRun.sent_at).is_(None),
        )
        .values(claimed_at=now),
    )
    return claimed.claimed_at if moved == 1 else None


def release_week(session: Session, *, week: str, brand: str | None = None) -> None:
    """Give the week back: nothing reached the channel, so a later run may send it."""
    session.execute(delete(DigestRun).where(*_run_of(week, brand)))


def record_sent(
    session: Session,
    *,
    week: str,
    brand: str | None = None,
    now: datetime,
    channel: str,
    ts: str,
) -> None:
    session.execute(
        update(DigestRun).where(*_run_of(week, brand)).values(sent_at=now, channel=channel, ts=ts)
    )
