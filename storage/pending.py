"""The queue of reviews waiting for a decision, the longest-waiting first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from storage.figures import EVERY_REVIEW, WAITING_STATUSES, KpiFilter
from storage.models import Review, SlackCard

EXCERPT_CHARS = 300


@dataclass(frozen=True)
class PendingReview:
    """One review waiting for a decision, as the pending list shows it."""

    review_id: int
    source: str
    rating: int | None
    language: str | None
    location: str | None
    status: str
    created_at: datetime
    assignee: str | None
    excerpt: str  # the start of the review text, untrusted
    channel: str | None  # where its card is, once posted
    ts: str | None


@dataclass(frozen=True)
class PendingQueue:
    reviews: list[PendingReview] = field(default_factory=list)
    total: int = 0


def pending_reviews(
    session: Session,
    *,
    filters: KpiFilter = EVERY_REVIEW,
    assignee: str | None = None,
    limit: int = 20,
) -> PendingQueue:
    """Reviews waiting for a decision, the longest-waiting first (by when they were written),
    at most `limit` of them, with how many there are in all."""
    # Found by their status: far fewer wait than a brand has reviews.
    where = [col(Review.status).in_(WAITING_STATUSES), *filters.conditions(brand_by_index=False)]
    if assignee is not None:
        where.append(col(Review.assignee) == assignee)
    total = session.execute(sa.select(sa.func.count()).select_from(Review).where(*where))
    rows = session.execute(
        sa.select(
            col(Review.id),
            col(Review.source),
            col(Review.rating),
            col(Review.language),
            col(Review.location),
            col(Review.status),
            col(Review.created_at),
            col(Review.assignee),
            sa.func.substr(Review.text, 1, EXCERPT_CHARS),
            col(SlackCard.channel),
            col(SlackCard.ts),
        )
        .outerjoin(SlackCard, col(SlackCard.review_id) == Review.id)
        .where(*where)
        .order_by(col(Review.created_at), col(Review.id))
        .limit(limit)
    )
    return PendingQueue([PendingReview(*row) for row in rows], total.scalar_one())


def waiting_by_brand(session: Session, *, brands: Sequence[str]) -> dict[str, int]:
    """How many reviews of each of these brands wait for a decision (0 for one with none)."""
    if not brands:
        return {}
    rows = session.execute(
        sa.select(col(Review.brand), sa.func.count())
        .where(
            col(Review.status).in_(WAITING_STATUSES),
            # Checked, not searched by: the waiting reviews are far fewer (KpiFilter.conditions).
            sa.func.coalesce(Review.brand, "").in_(list(brands)),
        )
        .group_by(col(Review.brand))
    )
    counts = {brand: count for brand, count in rows}
    return {brand: counts.get(brand, 0) for brand in brands}
