"""The rows the periodic sweeps look for and record: reviews left behind, reviews past their
deadline and their escalations, cards waiting for a decision and their nudges."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from storage.models import CardState, Decision, Review, ReviewStatus, SlackCard, not_null


def stuck_reviews(session: Session, *, updated_before: datetime) -> list[int]:
    """Reviews still received or triaged, untouched since `updated_before`."""
    return list(
        session.exec(
            select(not_null(Review.id)).where(
                col(Review.status).in_([ReviewStatus.received, ReviewStatus.triaged]),
                col(Review.updated_at) < updated_before,
            )
        )
    )


def newly_breached(
    session: Session,
    *,
    waiting: Sequence[str],
    written_before: datetime,
    brands_written_before: Mapping[str, datetime] | None = None,
) -> list[Review]:
    """Negative reviews in a `waiting` status, written before their deadline's start and not
    marked as breached yet, oldest written first. A review of a brand in
    `brands_written_before` is compared with its brand's time, any other with
    `written_before`."""
    return _waiting_negatives(
        session,
        waiting,
        col(Review.sla_breached_at).is_(None),
        _written_before(written_before, brands_written_before or {}),
    )


def _written_before(
    written_before: datetime, brands_written_before: Mapping[str, datetime]
) -> sa.ColumnElement[bool]:
    """`created_at <=` each review's own time, as one plain range per distinct time: the
    planner keeps the status index (and may use (brand, created_at)), where a CASE on the
    brand would leave created_at to be computed row by row."""
    by_time: dict[datetime, list[str]] = {}
    for brand, before in brands_written_before.items():
        if before != written_before:
            by_time.setdefault(before, []).append(brand)
    if not by_time:
        return col(Review.created_at) <= written_before
    others = [brand for brands in by_time.values() for brand in brands]
    return or_(
        *(
            and_(col(Review.brand).in_(brands), col(Review.created_at) <= before)
            for before, brands in by_time.items()
        ),
        and_(
            or_(col(Review.brand).is_(None), col(Review.brand).not_in(others)),
            col(Review.created_at) <= written_before,
        ),
    )


def unannounced_breaches(session: Session, *, waiting: Sequence[str], action: str) -> list[Review]:
    """Negative reviews past their deadline, still waiting for a decision, with no `action`
    decision yet (the escalation that announces or waives them), oldest written first."""
    recorded = select(Decision.id).where(Decision.review_id == Review.id, Decision.action == action)
    return _waiting_negatives(
        session, waiting, col(Review.sla_breached_at).is_not(None), ~recorded.exists()
    )


def _waiting_negatives(
    session: Session, waiting: Sequence[str], *conditions: sa.ColumnElement[bool]
) -> list[Review]:
    """Negative reviews in a `waiting` status that meet `conditions`, oldest written first."""
    return list(
        session.exec(
            select(Review)
            .where(
                col(Review.negative).is_(True),
                col(Review.status).in_(list(waiting)),
                *conditions,
            )
            .order_by(col(Review.created_at))
        ).all()
    )


def record_decisions(
    session: Session,
    *,
    review_ids: Sequence[int],
    action: str,
    at: datetime,
    detail: dict[str, Any],
) -> None:
    """One `action` decision a review, made by the app (no actor)."""
    for review_id in review_ids:
        session.add(Decision(review_id=review_id, action=action, at=at, detail=detail))


def cards_waiting(
    session: Session, *, posted_before: datetime, nudge_action: str
) -> list[tuple[int, str | None, str | None, str, str, datetime, datetime | None]]:
    """(review id, brand, assignee, card channel, card ts, posted at, last `nudge_action` at)
    of each pending review whose card went up before `posted_before`."""
    last_nudge = (
        select(Decision.review_id, func.max(Decision.at).label("at"))
        .where(Decision.action == nudge_action)
        .group_by(col(Decision.review_id))
        .subquery()
    )
    return list(
        session.execute(
            sa.select(
                not_null(Review.id),
                col(Review.brand),
                col(Review.assignee),
                col(SlackCard.channel),
                not_null(SlackCard.ts),
                not_null(SlackCard.posted_at),
                last_nudge.c.at,
            )
            .join(SlackCard, col(SlackCard.review_id) == Review.id)
            .outerjoin(last_nudge, last_nudge.c.review_id == Review.id)
            .where(
                col(Review.status) == ReviewStatus.pending,
                col(SlackCard.state) == CardState.posted,
                col(SlackCard.posted_at) <= posted_before,
            )
            .order_by(col(Review.id))
        ).all()
    )
