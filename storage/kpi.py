"""The KPIs, computed by aggregate queries in the database.

Every figure is for a half-open period [start, end) of aware UTC instants; callers turn
calendar periods in the team's time zone into such instants. The exact definitions are
in docs/kpis.md; the docstrings of the query functions below repeat them. A little over 300
lines: one query per KPI; what they share is in figures.py and percentiles.py.

Nothing here loads the reviews of a period into Python: counts and averages are
aggregates, and percentiles are read from at most two ranked rows per percentile
(storage/percentiles.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from storage.figures import (
    DECIDED_STATUSES,
    EVERY_REVIEW,
    WAITING_STATUSES,
    KpiFilter,
    Period,
    SecondsBetween,
    by_key,
    dimension_column,
    grouped,
    share,
    within,
)
from storage.models import Decision, Draft, Review, ReviewChange, ReviewStatus
from storage.percentiles import percentiles

TURNED_AROUND_RATING = 4  # a negative review now rated 4 or 5 stars
AI_DRAFT_KIND = "llm"
_PERCENTILES = {"median": (1, 2), "p90": (9, 10)}  # p as a fraction a/b, for integer SQL


@dataclass(frozen=True)
class Kpis:
    """The figures for one period (docs/kpis.md defines each)."""

    reviews: int = 0
    rated: int = 0  # reviews with a star rating
    average_rating: float | None = None
    triaged: int = 0  # reviews triage has judged negative or not
    negatives: int = 0
    approved: int = 0
    median_reply_hours: float | None = None
    p90_reply_hours: float | None = None
    sla_due: int = 0  # negative reviews whose reply deadline fell in the period
    sla_met: int = 0
    ai_unedited: int = 0
    declined: int = 0
    backlog: int = 0  # waiting for a decision at the end of the period (or now)
    oldest_pending_at: datetime | None = None  # when the longest-waiting one was written
    turned_around: int = 0

    @property
    def negative_share(self) -> float | None:
        return share(self.negatives, self.triaged)

    @property
    def sla_compliance(self) -> float | None:
        return share(self.sla_met, self.sla_due)

    @property
    def ai_unedited_share(self) -> float | None:
        return share(self.ai_unedited, self.approved)


def _reply_seconds() -> SecondsBetween:
    return SecondsBetween(Review.created_at, Review.decided_at)


# --- the queries ----------------------------------------------------------------------
# Each returns {group value: {Kpis field: value}}; with no group the one key is None.
Figures = dict[Any, dict[str, Any]]


def _written(session: Session, period: Period, where: list, group: Any | None) -> Figures:
    """Reviews written in the period: how many, their ratings, and the negatives among them.

    reviews = count; average_rating = mean of the ratings given (unrated ones left out);
    negative share = negatives / reviews triage has judged (untriaged ones left out)."""
    negative = sa.case((col(Review.negative).is_(True), 1), else_=0)
    rows = grouped(
        session,
        group,
        [
            sa.func.count(),
            sa.func.count(col(Review.rating)),
            sa.func.avg(Review.rating),
            sa.func.count(col(Review.negative)),
            sa.func.coalesce(sa.func.sum(negative), 0),
        ],
        [*within(Review.created_at, period), *where],
    )
    return {
        row[0]: {
            "reviews": row[1],
            "rated": row[2],
            "average_rating": float(row[3]) if row[3] is not None else None,
            "triaged": row[4],
            "negatives": int(row[5]),
        }
        for row in rows
    }


def _decided(session: Session, period: Period, where: list, group: Any | None) -> Figures:
    """Reviews approved and declined in the period (by when the decision was made)."""
    rows = grouped(
        session,
        group,
        [Review.status, sa.func.count()],
        [col(Review.status).in_(DECIDED_STATUSES), *within(Review.decided_at, period), *where],
        also_by=[Review.status],
    )
    figures: Figures = {}
    for key, status, count in rows:
        figures.setdefault(key, {})[status] = count
    return figures


def _reply_times(session: Session, period: Period, where: list, group: Any | None) -> Figures:
    """Median and 90th percentile of (decided_at - created_at) over the reviews approved in
    the period."""
    key = group if group is not None else sa.null()
    # The duration is computed once, in its own subquery: ordering the window by the
    # expression itself made SQLite evaluate it again for the sort (twice as slow).
    durations = (
        sa.select(key.label("grp"), _reply_seconds().label("value"))
        .where(
            col(Review.status) == ReviewStatus.approved,
            *within(Review.decided_at, period),
            *where,
        )
        .subquery()
    )
    found = percentiles(session, durations, _PERCENTILES, grouped=group is not None)
    return {
        grp: {f"{name}_reply_hours": seconds / 3600 for name, seconds in values.items()}
        for grp, values in found.items()
    }


def _sla(
    session: Session,
    period: Period,
    where: list,
    group: Any | None,
    *,
    now: datetime,
    sla: timedelta,
) -> Figures:
    """Negative reviews whose deadline (created_at + SLA) fell in the period, up to now; met
    when they were decided (approved or declined) by the deadline."""
    judged_until = min(period.end, now)
    if judged_until <= period.start:
        return {}
    met = sa.and_(col(Review.decided_at).is_not(None), _reply_seconds() <= sla.total_seconds())
    rows = grouped(
        session,
        group,
        [sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((met, 1), else_=0)), 0)],
        [
            col(Review.negative).is_(True),
            col(Review.created_at) >= period.start - sla,
            col(Review.created_at) < judged_until - sla,
            *where,
        ],
    )
    return {row[0]: {"sla_due": row[1], "sla_met": int(row[2])} for row in rows}


def _ai_unedited(session: Session, period: Period, where: list, group: Any | None) -> Figures:
    """Approvals in the period of a model-written draft exactly as the model wrote it."""
    rows = grouped(
        session,
        group,
        [sa.func.count()],
        [
            col(Decision.action) == ReviewStatus.approved,
            *within(Decision.at, period),
            col(Decision.edited).is_(False),
            # A lookup per approval by primary key: as a join, PostgreSQL chose to scan every
            # draft ever written (60 ms over a million reviews, against 5 ms).
            sa.select(col(Draft.kind)).where(col(Draft.id) == Decision.draft_id).scalar_subquery()
            == AI_DRAFT_KIND,
            *where,
        ],
        joins=lambda s: (
            s.select_from(Decision).join(Review, col(Review.id) == Decision.review_id)
            if where or group is not None
            else s.select_from(Decision)
        ),
    )
    return {row[0]: {"ai_unedited": row[1]} for row in rows}


def _backlog(session: Session, at: datetime, where: list, group: Any | None) -> Figures:
    """Reviews waiting for a decision at `at`: received before it and not decided before it.
    Counted in two index-friendly parts: still waiting now, and decided since `at`."""
    parts = (
        [col(Review.status).in_(WAITING_STATUSES)],
        [col(Review.status).in_(DECIDED_STATUSES), col(Review.decided_at) >= at],
    )
    figures: Figures = {}
    for part in parts:
        rows = grouped(
            session,
            group,
            [sa.func.count(), sa.func.min(Review.created_at)],
            [*part, col(Review.received_at) < at, *where],
        )
        for key, count, oldest in rows:
            if not count:
                continue
            found = figures.setdefault(key, {"backlog": 0, "oldest_pending_at": None})
            found["backlog"] += count
            if found["oldest_pending_at"] is None or oldest < found["oldest_pending_at"]:
                found["oldest_pending_at"] = oldest
    return figures


def _turned_around(session: Session, period: Period, where: list, group: Any | None) -> Figures:
    """Negative reviews whose rating rose to 4–5★ (from below 4, or from none) in the period."""
    rows = grouped(
        session,
        group,
        [sa.func.count(sa.distinct(col(ReviewChange.review_id)))],
        [
            *within(ReviewChange.changed_at, period),
            col(ReviewChange.new_rating) >= TURNED_AROUND_RATING,
            sa.or_(
                col(ReviewChange.old_rating).is_(None),
                col(ReviewChange.old_rating) < TURNED_AROUND_RATING,
            ),
            col(Review.negative).is_(True),
            *where,
        ],
        joins=lambda s: s.select_from(ReviewChange).join(
            Review, col(Review.id) == ReviewChange.review_id
        ),
    )
    return {row[0]: {"turned_around": row[1]} for row in rows}


def _compute(
    session: Session,
    period: Period,
    filters: KpiFilter,
    group: Any | None,
    *,
    now: datetime,
    sla_hours: float,
) -> dict[Any, Kpis]:
    where = filters.conditions()
    checked = filters.conditions(brand_by_index=False)  # where the rows are few already
    parts = [
        _written(session, period, where, group),
        _reply_times(session, period, where, group),
        _sla(session, period, where, group, now=now, sla=timedelta(hours=sla_hours)),
        _ai_unedited(session, period, where, group),
        _backlog(session, min(period.end, now), checked, group),
        _turned_around(session, period, checked, group),
    ]
    decided = _decided(session, period, where, group)
    parts.append(
        {
            key: {
                "approved": counts.get(ReviewStatus.approved, 0),
                "declined": counts.get(ReviewStatus.declined, 0),
            }
            for key, counts in decided.items()
        }
    )
    result: dict[Any, Kpis] = {}
    for part in parts:
        for key, values in part.items():
            result[key] = replace(result.get(key, Kpis()), **values)
    return result


def compute_kpis(
    session: Session,
    period: Period,
    filters: KpiFilter = EVERY_REVIEW,
    *,
    now: datetime,
    sla_hours: float = 24,
) -> Kpis:
    """All the KPIs for `period`. `now` bounds what can be judged yet (SLA, backlog)."""
    return _compute(session, period, filters, None, now=now, sla_hours=sla_hours).get(None, Kpis())


def kpis_by(
    session: Session,
    period: Period,
    dimension: str,
    *,
    now: datetime,
    sla_hours: float = 24,
    filters: KpiFilter = EVERY_REVIEW,
) -> dict[str, Kpis]:
    """The KPIs split by "source", "language" or "location" (no value: NO_VALUE)."""
    split = _compute(
        session, period, filters, dimension_column(dimension), now=now, sla_hours=sla_hours
    )
    return by_key(split)
