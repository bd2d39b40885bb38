"""A consistent copy of a SQLite database while the app keeps writing to it.

In WAL mode the newest transactions live in the -wal file until a checkpoint, so copying the
.db file alone loses them (or copies a torn page mid-write). VACUUM INTO reads one snapshot of
the database, WAL included, and writes a compact, self-contained file.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa


class BackupError(Exception):
    """The backup cannot be made; the message is one line saying why and what to do."""


@dataclass(frozen=True)
class Backup:
    path: Path
    revision: str | None
    reviews: int


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for another backend or an in-memory database."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def backup_sqlite(url: str, target: Path) -> Backup:
    """Write a snapshot of the SQLite database at `url` to `target` (a new file), check it and
    say what it holds."""
    source = sqlite_file(url)
    if source is None:
        if sa.engine.make_url(url).get_backend_name() == "postgresql":
            raise BackupError(
                "DATABASE_URL is PostgreSQL: back it up with pg_dump "
                "(pg_dump --format=custom --file=reviewbot.dump DBNAME)"
            )
        raise BackupError("DATABASE_URL is not a SQLite file: nothing to copy")
    if not source.is_file():
        raise BackupError(f"no database at {source}: check DATABASE_URL")
    if target.exists():
        raise BackupError(f"{target} exists already: give a new file name")
    if not target.parent.is_dir():
        raise BackupError(f"no folder {target.parent}: create it first")
    # The standard library's driver, not the app's engine: the engine opens every
    # transaction with BEGIN IMMEDIATE, and VACUUM must run outside one. Reading takes no
    # write lock, so the app goes on writing while the snapshot is copied.
    with _connect(source) as connection:
        connection.execute("VACUUM INTO ?", (str(target),))
    with _connect(target) as copy:
        problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            target.unlink()
            raise BackupError(f"the copy failed its integrity check: {problems[0]}")
        return Backup(path=target, revision=_revision(copy), reviews=_reviews(copy))


def _connect(path: Path) -> closing[sqlite3.Connection]:
    # sqlite3's own context manager commits but never closes.
    return closing(sqlite3.connect(path, isolation_level=None, timeout=30))


def _revision(connection: sqlite3.Connection) -> str | None:
    if not _has_table(connection, "alembic_version"):
        return None
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def _reviews(connection: sqlite3.Connection) -> int:
    if not _has_table(connection, "review"):
        return 0
    return connection.execute("SELECT count(*) FROM review").fetchone()[0]


def _has_table(connection: sqlite3.Connection, name: str) -> bool:
    found = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return found is not None
