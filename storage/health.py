"""Whether the database takes a write now: the checks behind /healthz and the guard on commits.

SQLite keeps writing into a file that was deleted or replaced under the process (the open
descriptor still points at the old inode), and every such write is lost at the next start.
So the file opened first is remembered, and a commit is refused once the path no longer
names that file.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from storage.db import alembic_config, current_revision


class DatabaseFileChanged(Exception):
    """The SQLite file this process opened is gone or is another file now."""


class StorageUnavailable(Exception):
    """A write could not be stored durably; the message says why, without data."""


@dataclass(frozen=True)
class _Identity:
    device: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> _Identity:
        stat = os.stat(path)
        return cls(stat.st_dev, stat.st_ino)


def _sqlite_path(engine: Engine) -> Path | None:
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None  # URI databases (shared memory and the like) have no single file to watch
    return Path(database).resolve()


class DatabaseWatch:
    """One per engine, installed before its first connection."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._path = _sqlite_path(engine)
        self._opened: _Identity | None = None
        if self._path is not None:
            sa.event.listen(engine, "connect", self._remember)
            sa.event.listen(engine, "commit", self._refuse_if_changed)

    @property
    def path(self) -> Path | None:
        return self._path

    def _remember(self, _dbapi_connection: object, _record: object) -> None:
        if self._opened is None and self._path is not None:
            self._opened = _Identity.of(self._path)

    def _refuse_if_changed(self, _connection: object) -> None:
        problem = self.file_problem()
        if problem is not None:
            raise DatabaseFileChanged(problem)

    def file_problem(self) -> str | None:
        """None while the path still names the file opened at start."""
        if self._path is None or self._opened is None:
            return None
        try:
            now = _Identity.of(self._path)
        except FileNotFoundError:
            return f"database file {self._path} is gone"
        except OSError as exc:
            return f"database file {self._path} cannot be read: {exc.strerror}"
        if now != self._opened:
            return f"database file {self._path} was replaced by another file"
        return None

    def write_problem(self, lock_wait: float) -> str | None:
        """Takes the write lock on a connection of its own and writes nothing: None when a
        write would go through within `lock_wait` seconds."""
        if self._path is not None:
            return self.file_problem() or _sqlite_write_problem(self._path, lock_wait)
        return _server_write_problem(self._engine, lock_wait)

    def schema_problem(self) -> str | None:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        current = current_revision(self._engine)
        if current != head:
            return f"database schema at revision {current}, the code needs {head}"
        return None


def _sqlite_write_problem(path: Path, lock_wait: float) -> str | None:
    try:
        # mode=rw: a missing file is an error here, not a new empty database.
        connection = sqlite3.connect(
            f"file:{path}?mode=rw", uri=True, timeout=lock_wait, isolation_level=None
        )
    except sqlite3.Error as exc:
        return f"database file {path} cannot be opened: {exc}"
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        connection.execute("BEGIN IMMEDIATE")
        # Writing the value it already holds is a write SQLite checks, and nothing changes.
        connection.execute(f"PRAGMA user_version = {int(version)}")
        connection.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return f"database is locked: no write lock within {lock_wait:g} s"
        return f"database is not writable: {exc}"
    except sqlite3.Error as exc:
        return f"database is not writable: {exc}"
    finally:
        connection.close()
    return None


def _server_write_problem(engine: Engine, lock_wait: float) -> str | None:
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(lock_wait * 1000)}")
            read_only = connection.exec_driver_sql(
                "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'"
            ).scalar_one()
    except sa.exc.SQLAlchemyError as exc:
        return f"database unreachable: {type(getattr(exc, 'orig', None) or exc).__name__}"
    if read_only:
        return "database is read-only (a standby, or default_transaction_read_only)"
    return None
