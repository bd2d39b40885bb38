"""What the figure queries (the KPIs, the draft quality, the pending queue) share: the period
and the filters that select reviews, the split by a review column, one GROUP BY query, and the
seconds between two timestamps in each dialect's SQL."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from storage.models import Review, ReviewStatus

# Waiting for a decision: triaged as needing a reply, a draft on its way or ready.
WAITING_STATUSES = (ReviewStatus.triaged, ReviewStatus.drafting, ReviewStatus.pending)
DECIDED_STATUSES = (ReviewStatus.approved, ReviewStatus.declined)
DIMENSIONS = ("source", "language", "location", "brand")
NO_VALUE = "(none)"  # the key a split uses for reviews without a value (no language yet…)
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
    """Only reviews of this brand (its id, exactly), from this source, in this language, at
    this location (case-insensitive).

    A language also matches its variants: "zh" matches zh-Hant and zh-Hans."""

    source: str | None = None
    language: str | None = None
    location: str | None = None
    brand: str | None = None

    def conditions(self, *, brand_by_index: bool = True) -> list[ColumnElement[bool]]:
        """`brand_by_index=False` where another condition finds far fewer rows (the reviews
        still waiting, the period's rating changes): SQLite, which keeps no histogram, would
        otherwise read every review of the brand through ix_review_brand_kpi (a quarter of a
        million of them, 450 ms); wrapped in coalesce() the brand is only checked."""
        conditions: list[ColumnElement[bool]] = []
        if self.brand and brand_by_index:
            conditions.append(col(Review.brand) == self.brand)
        elif self.brand:
            conditions.append(sa.func.coalesce(Review.brand, "") == self.brand)
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
        return not (self.source or self.language or self.location or self.brand)


EVERY_REVIEW = KpiFilter()  # no filter


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


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
) -> list[sa.Row[*tuple[Any, ...]]]:
    """SELECT group, columns… WHERE … GROUP BY group (when there is one) and `also_by`."""
    key = group if group is not None else sa.null()
    statement = joins(sa.select(key.label("grp"), *columns)).where(*where)
    by = [*([group] if group is not None else []), *also_by]
    if by:
        statement = statement.group_by(*by)
    return list(session.execute(statement))


def dimension_column(dimension: str) -> Any:
    """The review column a split by "source", "language", "location" or "brand" groups by."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"cannot split KPIs by {dimension!r}; use one of {DIMENSIONS}")
    return getattr(Review, dimension)


def by_key(split: dict[Any, T]) -> dict[str, T]:
    """A split sorted by its keys, reviews without a value (key None) last, as NO_VALUE."""
    ordered = sorted(split.items(), key=lambda item: (item[0] is None, str(item[0])))
    return {NO_VALUE if key is None else key: value for key, value in ordered}


class SecondsBetween(sa.sql.functions.FunctionElement[float]):
    type = sa.Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(SecondsBetween)
def _seconds_between_postgresql(element: SecondsBetween, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


@compiles(SecondsBetween, "sqlite")
def _seconds_between_sqlite(element: SecondsBetween, compiler: Any, **kw: Any) -> str:
    # SQLite keeps naive UTC text; julianday() reads it as days, to about a millisecond.
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"
