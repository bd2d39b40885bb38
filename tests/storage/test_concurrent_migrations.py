"""Processes of a new release starting together on one fresh database: each applies the
migrations as it starts; the first migrates, the others wait for it and find nothing left to
do (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import multiprocessing
import traceback
from collections import Counter

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

import storage.models  # noqa: F401 - registers the tables on SQLModel.metadata
from storage.db import current_revision, head_revision, make_engine

pytestmark = pytest.mark.storage

PROCESSES = 4


def _migrate_when_all_are_ready(url: str, ready, failures) -> None:
    """In a process of its own, as `reviewbot run`, `web` and `worker` each are."""
    from storage.db import make_engine, migrate

    engine = make_engine(url)
    try:
        ready.wait(timeout=60)
        migrate(engine)
    except Exception:
        failures.put(traceback.format_exc())
    finally:
        engine.dispose()


def table_names(engine: sa.Engine) -> Counter[str]:
    """Every table in the database, counted: a name twice would be a table made twice."""
    if engine.dialect.name == "postgresql":
        query = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'table'"
    with engine.connect() as connection:
        return Counter(connection.execute(sa.text(query)).scalars())


def test_processes_starting_together_migrate_once(database_url):
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter, as a real start is
    ready = spawn.Barrier(PROCESSES)
    failures = spawn.Queue()
    processes = [
        spawn.Process(target=_migrate_when_all_are_ready, args=(database_url, ready, failures))
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    found = [failures.get(timeout=1) for _ in range(failures.qsize())]
    assert not found, "\n".join(found)
    assert [process.exitcode for process in processes] == [0] * PROCESSES

    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            versions = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            assert list(versions.scalars()) == [head_revision()]
        tables = table_names(engine)
        assert set(SQLModel.metadata.tables) <= set(tables)
        assert all(count == 1 for count in tables.values()), tables
    finally:
        engine.dispose()
