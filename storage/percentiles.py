"""Percentiles in the database, interpolated like PostgreSQL's percentile_cont.

The database ranks the values of each group with window functions that SQLite and
PostgreSQL both have; only the rows at the ranks either side of each percentile come back,
so the cost in Python does not grow with the number of values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session


def percentiles(
    session: Session,
    values: sa.Subquery,
    wanted: Mapping[str, tuple[int, int]],
    *,
    grouped: bool,
) -> dict[Any, dict[str, float]]:
    """{group: {name: percentile}} of `values` (columns `grp` and `value`), for each name's
    p = a/b in `wanted` (a fraction, for integer SQL); `grouped`: one ranking per `grp`."""
    partition = [values.c.grp] if grouped else None
    ranked = sa.select(
        values.c.grp,
        values.c.value,
        (sa.func.row_number().over(partition_by=partition, order_by=values.c.value) - 1).label(
            "rank"
        ),
        sa.func.count().over(partition_by=partition).label("n"),
    ).subquery()
    last = ranked.c.n - 1
    # The ranks either side of p·(n-1), in integer arithmetic both databases share.
    bounds = [
        bound for a, b in wanted.values() for bound in (a * last // b, (a * last + b - 1) // b)
    ]
    rows = session.execute(
        sa.select(ranked.c.grp, ranked.c.rank, ranked.c.n, ranked.c.value).where(
            sa.or_(*(ranked.c.rank == bound for bound in bounds))
        )
    )
    by_group: dict[Any, tuple[int, dict[int, float]]] = {}
    for grp, rank, n, value in rows:
        by_group.setdefault(grp, (n, {}))[1][rank] = float(value)
    return {
        grp: {name: _interpolate(ranked_values, n, a, b) for name, (a, b) in wanted.items()}
        for grp, (n, ranked_values) in by_group.items()
    }


def _interpolate(values: dict[int, float], n: int, a: int, b: int) -> float:
    position = a * (n - 1) / b
    lower, upper = (a * (n - 1)) // b, (a * (n - 1) + b - 1) // b
    return values[lower] + (values[upper] - values[lower]) * (position - lower)
