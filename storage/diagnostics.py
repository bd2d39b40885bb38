"""What the start-up checks and `reviewbot doctor` ask of a database, without changing it."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from storage.db import alembic_config, current_revision

# A server that does not answer within this is reported, not waited for.
CONNECT_TIMEOUT_SECONDS = 5


class DatabaseProblem(Exception):
    """The database cannot be used; the message is one line, without the URL's password."""


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def probe_engine(url: str) -> Engine:
    """A short-lived engine for checks: one connection, a short connect timeout."""
    if url.startswith("sqlite"):
        return sa.create_engine(url, poolclass=sa.pool.NullPool)
    return sa.create_engine(
        url, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    )


def reachable(url: str) -> None:
    """Connect and run one query; a SQLite file not made yet only needs a writable folder."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not path.exists():
            return
    engine = probe_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        raise DatabaseProblem(_first_line(exc)) from None
    finally:
        engine.dispose()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def revision(engine: Engine) -> str | None:
    try:
        return current_revision(engine)
    except sa.exc.SQLAlchemyError as exc:
        raise DatabaseProblem(_first_line(exc)) from None


def writable(engine: Engine) -> None:
    """A write that is rolled back: it needs the same rights and locks a real one does.
    `engine` comes from storage.db.make_engine, whose BEGIN makes SQLite's DDL transactional."""
    try:
        with engine.connect() as connection, connection.begin() as transaction:
            connection.execute(sa.text("CREATE TABLE reviewbot_doctor_probe (id INTEGER)"))
            transaction.rollback()
    except sa.exc.SQLAlchemyError as exc:
        raise DatabaseProblem(_first_line(exc)) from None


def journal_mode(url: str) -> str | None:
    """SQLite's journal mode as the file keeps it (wal, delete…); None on other databases.
    Read through a plain engine: the app's own switches every connection to WAL."""
    if not url.startswith("sqlite"):
        return None
    engine = probe_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.exec_driver_sql("PRAGMA journal_mode").scalar())
    finally:
        engine.dispose()
