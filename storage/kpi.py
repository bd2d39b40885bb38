"""The KPIs, computed by aggregate queries in the database; and the queue of pending reviews.

Every figure is for a half-open period [start, end) of aware UTC instants; callers turn
calendar periods in the team's time zone into such instants. The exact definitions are
in the README ("KPIs"); the docstrings of the query functions below repeat them.

Nothing here loads the reviews of a period into Python: counts and averages are
aggregates, and percentiles are read from at most two ranked rows per percentile, found
with window functions that SQLite and PostgreSQL both have.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from storage.models import Decision, Draft, Review, ReviewChange, ReviewStatus, SlackCard

# Waiting for a decision: triaged as needing a reply, a draft on its way or ready.
WAITING_STATUSES = (ReviewStatus.triaged, ReviewStatus.drafting, ReviewStatus.pending)
DECIDED_STATUSES = (ReviewStatus.approved, ReviewStatus.declined)
TURNED_AROUND_RATING = 4  # a negative review now rated 4 or 5 stars
AI_DRAFT_KIND = "llm"
DIMENSIONS = ("source", "language", "location")
NO_VALUE = "(none)"  # the key kpis_by uses for reviews without a value (no language yet…)
EXCERPT_CHARS = 300
_PERCENTILES = {"median": (1, 2), "p90": (9, 10)}  # p as a fraction a/b, for integer SQL
T = TypeVar("T")


@dataclass(frozen=True)
class Period:
    """A half-open interval [start, end) of aware UTC datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a KPI period needs aware datetimes")
        if self.end < self.start:
            raise ValueError("a KPI period cannot end before it starts")

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - (self.end - self.start), self.start)


@dataclass(frozen=True)
class KpiFilter:
    """Only reviews from this source, in this language, at this location (case-insensitive).

    A language also matches its variants: "zh" matches zh-Hant and zh-Hans."""

    source: str | None = None
    language: str | None = None
    location: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.source:
            conditions.append(sa.func.lower(Review.source) == self.source.lower())
        if self.language:
            language = sa.func.lower(Review.language)
            wanted = self.language.lower()
            conditions.append(sa.or_(language == wanted, language.like(wanted + "-%")))
        if self.location:
            conditions.append(sa.func.lower(Review.location) == self.location.lower())
        return conditions

    @property
    def is_empty(self) -> bool:
        return not (self.source or self.language or self.location)


@dataclass(frozen=True)
class Kpis:
    """The figures for one period (see the README for each definition)."""

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
        return _share(self.negatives, self.triaged)

    @property
    def sla_compliance(self) -> float | None:
        return _share(self.sla_met, self.sla_due)

    @property
    def ai_unedited_share(self) -> float | None:
        return _share(self.ai_unedited, self.approved)


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


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- seconds between two timestamps, in each dialect's SQL -------------------------------
class _SecondsBetween(sa.sql.functions.FunctionElement[float]):
    type = sa.Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(_SecondsBetween)
def _seconds_between_postgresql(element: _SecondsBetween, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


@compiles(_SecondsBetween, "sqlite")
def _seconds_between_sqlite(element: _SecondsBetween, compiler: Any, **kw: Any) -> str:
    # SQLite keeps naive UTC text; julianday() reads it as days, to about a millisecond.
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


def _reply_seconds() -> _SecondsBetween:
    return _SecondsBetween(Review.created_at, Review.decided_at)


# --- the queries ----------------------------------------------------------------------
# Each returns {group value: {Kpis field: value}}; with no group the one key is None.
Figures = dict[Any, dict[str, Any]]


def within(column: Any, period: Period) -> list[ColumnElement[bool]]:
    """`column` in [start, end)."""
    return [column >= period.start, column < period.end]


def grouped(
    session: Session,
    group: Any | None,
    columns: Sequence[Any],
    where: Iterable[ColumnElement[bool]],
    *,
    joins: Callable[[sa.Select[Any]], sa.Select[Any]] = lambda s: s,
    also_by: Sequence[Any] = (),
) -> list[sa.Row[Any]]:
    """SELECT group, columns… WHERE … GROUP BY group (when there is one) and `also_by`."""
    key = group if group is not None else sa.null()
    statement = joins(sa.select(key.label("grp"), *columns)).where(*where)
    by = [*([group] if group is not None else []), *also_by]
    if by:
        statement = statement.group_by(*by)
    return list(session.execute(statement))


def _written(session: Session, period: Period, where: list, group: Any | None) -> Figures:
    """Reviews written in the period: how many, their ratings, and the negatives among them.

    reviews = count; average_rating = mean of the ratings given (unrated ones left out);
    negative share = negatives / reviews triage has judged (untriaged ones left out)."""
    negative = sa.case((Review.negative.is_(True), 1), else_=0)
    rows = grouped(
        session,
        group,
        [
            sa.func.count(),
            sa.func.count(Review.rating),
            sa.func.avg(Review.rating),
            sa.func.count(Review.negative),
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
        [Review.status.in_(DECIDED_STATUSES), *within(Review.decided_at, period), *where],
        also_by=[Review.status],
    )
    figures: Figures = {}
    for key, status, count in rows:
        figures.setdefault(key, {})[status] = count
    return figures


def _reply_times(session: Session, period: Period, where: list, group: Any | None) -> Figures:
    """Median and 90th percentile of (decided_at - created_at) over the reviews approved in
    the period, interpolated like PostgreSQL's percentile_cont.

    The database ranks the durations per group; only the rows at the ranks either side of
    each percentile come back, so the cost in Python does not grow with the period."""
    key = group if group is not None else sa.null()
    # The duration is computed once, in its own subquery: ordering the window by the
    # expression itself made SQLite evaluate it again for the sort (twice as slow).
    durations = (
        sa.select(key.label("grp"), _reply_seconds().label("seconds"))
        .where(Review.status == ReviewStatus.approved, *within(Review.decided_at, period), *where)
        .subquery()
    )
    partition = [durations.c.grp] if group is not None else None
    ranked = sa.select(
        durations.c.grp,
        durations.c.seconds,
        (sa.func.row_number().over(partition_by=partition, order_by=durations.c.seconds) - 1).label(
            "rank"
        ),
        sa.func.count().over(partition_by=partition).label("n"),
    ).subquery()
    last = ranked.c.n - 1
    # The ranks either side of p·(n-1), for p = a/b, in integer arithmetic both databases share.
    wanted = [
        bound
        for a, b in _PERCENTILES.values()
        for bound in (a * last // b, (a * last + b - 1) // b)
    ]
    rows = session.execute(
        sa.select(ranked.c.grp, ranked.c.rank, ranked.c.n, ranked.c.seconds).where(
            sa.or_(*(ranked.c.rank == bound for bound in wanted))
        )
    )
    by_group: dict[Any, tuple[int, dict[int, float]]] = {}
    for grp, rank, n, value in rows:
        by_group.setdefault(grp, (n, {}))[1][rank] = float(value)
    return {
        grp: {
            f"{name}_reply_hours": _interpolate(ranked_values, n, a, b) / 3600
            for name, (a, b) in _PERCENTILES.items()
        }
        for grp, (n, ranked_values) in by_group.items()
    }


def _interpolate(values: dict[int, float], n: int, a: int, b: int) -> float:
    position = a * (n - 1) / b
    lower, upper = (a * (n - 1)) // b, (a * (n - 1) + b - 1) // b
    return values[lower] + (values[upper] - values[lower]) * (position - lower)


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
    met = sa.and_(Review.decided_at.is_not(None), _reply_seconds() <= sla.total_seconds())
    rows = grouped(
        session,
        group,
        [sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((met, 1), else_=0)), 0)],
        [
            Review.negative.is_(True),
            Review.created_at >= period.start - sla,
            Review.created_at < judged_until - sla,
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
            Decision.action == ReviewStatus.approved,
            *within(Decision.at, period),
            Decision.edited.is_(False),
            # A lookup per approval by primary key: as a join, PostgreSQL chose to scan every
            # draft ever written (60 ms over a million reviews, against 5 ms).
            sa.select(Draft.kind).where(Draft.id == Decision.draft_id).scalar_subquery()
            == AI_DRAFT_KIND,
            *where,
        ],
        joins=lambda s: (
            s.select_from(Decision).join(Review, Review.id == Decision.review_id)
            if where or group is not None
            else s.select_from(Decision)
        ),
    )
    return {row[0]: {"ai_unedited": row[1]} for row in rows}


def _backlog(session: Session, at: datetime, where: list, group: Any | None) -> Figures:
    """Reviews waiting for a decision at `at`: received before it and not decided before it.
    Counted in two index-friendly parts: still waiting now, and decided since `at`."""
    parts = (
        [Review.status.in_(WAITING_STATUSES)],
        [Review.status.in_(DECIDED_STATUSES), Review.decided_at >= at],
    )
    figures: Figures = {}
    for part in parts:
        rows = grouped(
            session,
            group,
            [sa.func.count(), sa.func.min(Review.created_at)],
            [*part, Review.received_at < at, *where],
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
        [sa.func.count(sa.distinct(ReviewChange.review_id))],
        [
            *within(ReviewChange.changed_at, period),
            ReviewChange.new_rating >= TURNED_AROUND_RATING,
            sa.or_(
                ReviewChange.old_rating.is_(None),
                ReviewChange.old_rating < TURNED_AROUND_RATING,
            ),
            Review.negative.is_(True),
            *where,
        ],
        joins=lambda s: s.select_from(ReviewChange).join(
            Review, Review.id == ReviewChange.review_id
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
    parts = [
        _written(session, period, where, group),
        _reply_times(session, period, where, group),
        _sla(session, period, where, group, now=now, sla=timedelta(hours=sla_hours)),
        _ai_unedited(session, period, where, group),
        _backlog(session, min(period.end, now), where, group),
        _turned_around(session, period, where, group),
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
    filters: KpiFilter = KpiFilter(),
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
    filters: KpiFilter = KpiFilter(),
) -> dict[str, Kpis]:
    """The KPIs split by "source", "language" or "location" (no value: NO_VALUE)."""
    split = _compute(
        session, period, filters, dimension_column(dimension), now=now, sla_hours=sla_hours
    )
    return by_key(split)


def dimension_column(dimension: str) -> Any:
    """The review column a split by "source", "language" or "location" groups by."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"cannot split KPIs by {dimension!r}; use one of {DIMENSIONS}")
    return getattr(Review, dimension)


def by_key(split: dict[Any, T]) -> dict[str, T]:
    """A split sorted by its keys, reviews without a value (key None) last, as NO_VALUE."""
    ordered = sorted(split.items(), key=lambda item: (item[0] is None, str(item[0])))
    return {NO_VALUE if key is None else key: value for key, value in ordered}


# --- the pending queue ----------------------------------------------------------------
@dataclass(frozen=True)
class PendingQueue:
    reviews: list[PendingReview] = field(default_factory=list)
    total: int = 0


def pending_reviews(
    session: Session,
    *,
    filters: KpiFilter = KpiFilter(),
    assignee: str | None = None,
    limit: int = 20,
) -> PendingQueue:
    """Reviews waiting for a decision, the longest-waiting first (by when they were written),
    at most `limit` of them, with how many there are in all."""
    where = [Review.status.in_(WAITING_STATUSES), *filters.conditions()]
    if assignee is not None:
        where.append(Review.assignee == assignee)
    total = session.execute(sa.select(sa.func.count()).select_from(Review).where(*where))
    rows = session.execute(
        sa.select(
            Review.id,
            Review.source,
            Review.rating,
            Review.language,
            Review.location,
            Review.status,
            Review.created_at,
            Review.assignee,
            sa.func.substr(Review.text, 1, EXCERPT_CHARS),
            SlackCard.channel,
            SlackCard.ts,
        )
        .outerjoin(SlackCard, SlackCard.review_id == Review.id)
        .where(*where)
        .order_by(Review.created_at, Review.id)
        .limit(limit)
    )
    return PendingQueue([PendingReview(*row) for row in rows], total.scalar_one())
