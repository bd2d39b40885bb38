"""Which instance runs the jobs when several share one database.

On PostgreSQL the leader holds a session-level advisory lock on a connection of its own. If
the leader's process dies or its connection drops, PostgreSQL releases the lock and a standby
instance, retrying every few seconds, takes it. On SQLite, whose processes share one machine,
the leader holds an exclusive lock on a file next to the database, which the kernel releases
when the process ends however it ends.
"""

from __future__ import annotations

import fcntl
import logging
from pathlib import Path
from typing import IO, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# "reviewbt" as a big-endian 64-bit integer: one lock key for every reviewbot instance.
LOCK_KEY = int.from_bytes(b"reviewbt", "big")


class LeaderLock(Protocol):
    def acquire(self) -> bool:
        """Take the lead if nobody holds it; True when this instance leads."""

    def held(self) -> bool:
        """Whether the lead taken earlier is still ours."""

    def release(self) -> None: ...


class SoleInstance:
    """An in-memory SQLite database: one process by construction, so no lock."""

    def acquire(self) -> bool:
        return True

    def held(self) -> bool:
        return True

    def release(self) -> None:
        return None


class AdvisoryLock:
    """pg_try_advisory_lock on a dedicated connection, outside the app's pool: a pooled
    connection handed back while holding the lock would keep it for whoever took it next."""

    def __init__(self, url: URL | str, *, key: int = LOCK_KEY) -> None:
        self._engine = sa.create_engine(url, poolclass=NullPool)
        self._key = key
        self._connection: Connection | None = None

    def acquire(self) -> bool:
        try:
            if self._connection is None:
                self._connection = self._engine.connect()
            got = self._connection.execute(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            ).scalar_one()
            # End the transaction: the lock belongs to the session, not to it.
            self._connection.commit()
        except DBAPIError as exc:
            log.warning("could not ask for the scheduler lock: %s", exc.orig)
            self._drop()
            return False
        if not got:
            self._drop()  # a standby holds no connection between tries
        return bool(got)

    def held(self) -> bool:
        if self._connection is None:
            return False
        try:
            self._connection.execute(sa.text("SELECT 1"))
            self._connection.commit()
        except DBAPIError:
            log.warning("lost the scheduler lock's connection")
            self._drop()
            return False
        return True

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(
                    sa.text("SELECT pg_advisory_unlock(:key)"), {"key": self._key}
                )
                self._connection.commit()
            except DBAPIError:
                pass  # closing the connection below releases it anyway
        self._drop()
        self._engine.dispose()

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except DBAPIError:
                pass  # already gone: so is the lock
            self._connection = None


class FileLock:
    """flock on `<database>.leader`: one leader among the processes using one SQLite file."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        if self._file is not None:
            return True
        handle = self._path.open("ab")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def leader_lock_for(engine: sa.Engine) -> LeaderLock:
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine.url)
    database = engine.url.database
    if not database or database == ":memory:":
        return SoleInstance()
    return FileLock(Path(f"{database}.leader"))
