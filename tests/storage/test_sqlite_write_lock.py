"""SQLite's one write lock, held by another process: a writer tries again until it is free,
and gives up with the database's own error once its lock wait has run out."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from storage.db import session_scope
from storage.models import Review
from storage.reviews import ReviewData, upsert_reviews

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def sqlite_engine(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock")
    return engine


@pytest.fixture
def other_writer(sqlite_engine):
    """Another connection, as another process's: it holds the write lock until committed."""
    connection = sqlite3.connect(sqlite_engine.url.database, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    yield connection
    connection.close()


def store(engine, external_id: str) -> None:
    with session_scope(engine) as session:
        upsert_reviews(
            session, [ReviewData(source="google", external_id=external_id, text="Kallt")], now=NOW
        )


def test_a_writer_tries_again_until_the_other_process_commits(sqlite_engine, other_writer):
    began: list[str] = []
    sa.event.listen(
        sqlite_engine.pool,
        "connect",
        lambda dbapi_connection, _record: dbapi_connection.set_trace_callback(began.append),
    )
    sqlite_engine.dispose()  # the next connection is traced
    writer = threading.Thread(target=store, args=(sqlite_engine, "waited"))
    writer.start()
    # The writer finds the lock taken and tries again, rather than sleeping in SQLite's busy
    # handler (which would try once here and then wait for up to 100 ms at a time).
    for _ in range(5000):
        if began.count("BEGIN IMMEDIATE") >= 2:
            break
        time.sleep(0.001)
    assert began.count("BEGIN IMMEDIATE") >= 2
    assert writer.is_alive()

    other_writer.execute("COMMIT")
    writer.join()

    with Session(sqlite_engine) as session:
        assert [r.external_id for r in session.exec(select(Review))] == ["waited"]


def test_a_writer_gives_up_with_the_databases_error_when_its_wait_runs_out(
    sqlite_engine, other_writer
):
    with pytest.raises(OperationalError, match="database is locked"):
        store(sqlite_engine.execution_options(lock_wait=0.05), "refused")

    other_writer.execute("ROLLBACK")
    store(sqlite_engine, "after")  # the connection that gave up writes once the lock is free
    with Session(sqlite_engine) as session:
        assert [r.external_id for r in session.exec(select(Review))] == ["after"]
