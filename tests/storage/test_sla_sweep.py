"""The SLA sweep's query with a deadline per brand, on each backend: each review is compared
with its own brand's SLA (a brand not given, or no brand, with the default), and the query
keeps to an index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from storage.db import session_scope
from storage.models import Review, ReviewStatus
from storage.sweeps import newly_breached

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
WAITING = (ReviewStatus.triaged, ReviewStatus.drafting, ReviewStatus.pending)


def add(engine, external_id: str, brand: str | None, hours_ago: float, **fields) -> None:
    written = NOW - timedelta(hours=hours_ago)
    values = {"negative": True, "status": ReviewStatus.pending, **fields}
    with session_scope(engine) as session:
        session.add(
            Review(
                source="google",
                external_id=external_id,
                text="Kallt kaffe.",
                brand=brand,
                created_at=written,
                received_at=written,
                updated_at=written,
                **values,
            )
        )


def breached(engine, brands: dict[str, timedelta]) -> list[str]:
    with Session(engine) as session:
        found = newly_breached(
            session,
            waiting=WAITING,
            written_before=NOW - timedelta(hours=24),
            brands_written_before={brand: NOW - sla for brand, sla in brands.items()},
        )
    return [review.external_id for review in found]


def test_each_review_is_compared_with_its_brands_sla(engine):
    add(engine, "lumi-13h", "lumi", 13)
    add(engine, "lumi-11h", "lumi", 11)
    add(engine, "slow-30h", "slow", 30)
    add(engine, "slow-47h", "slow", 47)
    add(engine, "same-26h", "same", 26)
    add(engine, "gone-27h", "gone", 27)  # a brand the routes file no longer has
    add(engine, "none-25h", None, 25)
    add(engine, "none-23h", None, 23)
    add(engine, "lumi-decided", "lumi", 30, status=ReviewStatus.approved)
    add(engine, "lumi-positive", "lumi", 30, negative=False)
    add(engine, "lumi-marked", "lumi", 30, sla_breached_at=NOW - timedelta(hours=1))

    brands = {"lumi": timedelta(hours=12), "slow": timedelta(hours=48), "same": timedelta(hours=24)}
    assert breached(engine, brands) == ["gone-27h", "same-26h", "none-25h", "lumi-13h"]
    # Without brands, as without a routes file: one SLA for all.
    assert breached(engine, {}) == [
        "slow-47h",
        "slow-30h",
        "gone-27h",
        "same-26h",
        "none-25h",
    ]


def test_the_query_with_brands_keeps_to_an_index(engine):
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "sla_breached_at" in statement:
            statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        breached(engine, {"lumi": timedelta(hours=12)})
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    [(statement, parameters)] = statements
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET enable_seqscan = off")  # an empty table scans
        plan = " ".join(
            str(row[-1]) for row in connection.exec_driver_sql(explain + statement, parameters)
        )
    assert "ix_review_" in plan, plan
