"""Engine, sessions and migrations. Nothing here is built at import time."""

from __future__ import annotations

import fcntl
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_MS = 30_000
# How often a writer tries again for SQLite's write lock held by another process. SQLite's own
# busy handler sleeps 1, 2, 5, 10 … up to 100 ms between its tries, far longer than a step
# holds the lock (about a millisecond), so the lock sat free while web and workers slept.
LOCK_POLL_SECONDS = 0.0005
WAL_RETRY_SECONDS = 0.02
# A pooled PostgreSQL connection unused for longer is pinged before it is handed out: one the
# server or a proxy dropped meanwhile is replaced instead of failing the caller's first query.
PING_IDLE_AFTER = 10.0
POOL_SIZE = 20
POOL_OVERFLOW = 20
# "rvbmigra" as a big-endian 64-bit integer: the migrations' lock, apart from the leader's.
MIGRATION_LOCK_KEY = int.from_bytes(b"rvbmigra", "big")


def dialect_insert(session: Session) -> Callable[..., Any]:
    """The session's dialect's insert(), which has ON CONFLICT (an upsert in one statement)."""
    return sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert


def rows_updated(session: Session, statement: sa.Update) -> int:
    """How many rows an UPDATE changed: a compare-and-set won when it is 1."""
    # An UPDATE's result is a CursorResult; Session.execute is typed for any statement.
    return cast(sa.CursorResult[Any], session.execute(statement)).rowcount


def make_engine(
    url: str, *, echo: bool = False, ping_idle_after: float = PING_IDLE_AFTER
) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL's
    connections idle for `ping_idle_after` seconds are pinged before use."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            echo=echo,
            # Bolt's listener pool, the HTTP server and the scheduler share the engine.
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000},
            # SQLite has one writer at a time; threads that queue for the one pooled
            # connection wait far less than SQLite's busy handler, which sleeps in steps of
            # up to 100 ms (measured: 2x intake throughput, bench/intake_throughput.py).
            pool_size=1,
            max_overflow=0,
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; take it over
        # so a transaction starts when SQLAlchemy says and writers queue on BEGIN IMMEDIATE.
        sa.event.listen(engine, "begin", _begin_immediate)
        return engine
    # As many kept connections as a process has threads that query at once (web: its ingest
    # threads and listener pools; a worker: its step threads and jobs): a connection beyond
    # the pool is opened and closed for each use, and each costs a PostgreSQL backend's fork
    # and a SCRAM handshake.
    engine = sa.create_engine(url, echo=echo, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
    sa.event.listen(engine, "checkin", _note_checkin)
    sa.event.listen(engine, "checkout", partial(_ping_if_idle, engine.dialect, ping_idle_after))
    return engine


def _note_checkin(_dbapi_connection, record) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dialect: sa.Dialect, idle_after: float, dbapi_connection, record, _proxy) -> None:
    """SQLAlchemy's pool_pre_ping, but only for connections idle a while: under load a
    connection comes back within milliseconds, and a ping each time cost a round trip for every
    transaction (a tenth of a worker's time, measured with py-spy under
    bench/intake_throughput.py). A connection dropped while in use fails that use, and
    SQLAlchemy then replaces every connection of the pool."""
    checked_in = record.info.get("checked_in")  # None: connected just now
    if checked_in is None or time.monotonic() - checked_in < idle_after:
        return
    try:
        dialect.do_ping(dbapi_connection)
    except Exception as exc:
        # The pool discards this connection and tries another (a new one, if need be).
        raise sa.exc.DisconnectionError(str(exc)) from exc


def _begin_immediate(connection: sa.Connection) -> None:
    """Take the write lock, trying again every LOCK_POLL_SECONDS while another process holds
    it. `engine.execution_options(lock_wait=seconds)`: a caller that must answer quickly
    (ingest) waits that long for it instead of SQLITE_BUSY_MS."""
    lock_wait = connection.get_execution_options().get("lock_wait")
    deadline = time.monotonic() + (SQLITE_BUSY_MS / 1000 if lock_wait is None else lock_wait)
    raw = connection.connection.dbapi_connection
    assert raw is not None  # a connection in its begin event is checked out
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                    break
            time.sleep(LOCK_POLL_SECONDS)
        # Out of time, or another error: this last try raises it as SQLAlchemy's own error,
        # which the callers know.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    _use_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Processes opening a new file at once each turn it to WAL; SQLite answers all but one
    "locked" at once, without waiting in its busy handler (each holds the shared lock the
    others need to give up), so they try again until the file is WAL."""
    deadline = time.monotonic() + SQLITE_BUSY_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(WAL_RETRY_SECONDS)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def after_commit(session: Session, then: Callable[[Session], None]) -> None:
    """`then` once the session's transaction commits; never if it rolls back."""
    sa.event.listen(session, "after_commit", then, once=True)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (applied on start and by `reviewbot migrate`): forward,
    or back when `revision` is older than the database's (a rollback before the previous
    release is installed again).

    Processes that start together take turns: the first migrates, the others wait for it and
    then find the schema where they want it."""
    config = alembic_config()
    with engine.connect() as connection, _migration_lock(connection):
        config.attributes["connection"] = connection
        current = MigrationContext.configure(connection).get_current_revision()
        connection.rollback()  # a read: env.py begins the migration's own transaction
        if _is_older(ScriptDirectory.from_config(config), revision, current):
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)


@contextmanager
def _migration_lock(connection: sa.Connection) -> Iterator[None]:
    """Held for the whole migration: on PostgreSQL an advisory lock of the connection's
    session, on a SQLite file an flock on `<database file>.migrate`."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        connection.commit()  # the lock belongs to the session, not to this transaction
        try:
            yield
        finally:
            _release_advisory_lock(connection)
        return
    database = connection.engine.url.database
    if not database or database == ":memory:":
        yield  # one process by construction
        return
    # Closing the file, or the process ending however it ends, releases the lock.
    with Path(f"{database}.migrate").open("ab") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        yield


def _release_advisory_lock(connection: sa.Connection) -> None:
    try:
        connection.rollback()  # whatever a failed migration left open
        connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
        connection.commit()
    except DBAPIError:
        # Gone with its session, and so is the lock; never back into the pool.
        connection.invalidate()


def _is_older(scripts: ScriptDirectory, revision: str, current: str | None) -> bool:
    if current is None or revision in ("head", "heads"):
        return False
    if revision == "base":
        return True
    target = scripts.get_revision(revision)
    below = {script.revision for script in scripts.iterate_revisions(current, "base")}
    return target is not None and target.revision != current and target.revision in below


def head_revision() -> str | None:
    """The newest migration this release carries: the schema it runs on."""
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
