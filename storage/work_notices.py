"""PostgreSQL's word that work was stored: LISTEN on a connection of its own.

A worker woken by NOTIFY starts on a new review within milliseconds instead of at its next
poll. The connection is psycopg's own, outside the app's pool, in autocommit: notifications
reach a session only between its transactions. When it drops, the listener reconnects and
wakes the workers once, for anything stored while nobody listened.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import URL

from storage.work import WORK_CHANNEL

log = logging.getLogger(__name__)

# How long one wait for notifications lasts before the listener checks whether to stop.
LISTEN_TIMEOUT = 1.0
RECONNECT_AFTER = 1.0  # seconds between attempts while the database is unreachable


class WorkListener:
    def __init__(self, url: URL, *, on_notice: Callable[[str | None], None]) -> None:
        """`on_notice(kind)`: work of `kind` was stored; None on (re)connecting: of any kind."""
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._on_notice = on_notice
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="work-listener", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=LISTEN_TIMEOUT * 3)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {WORK_CHANNEL}")
                    self._on_notice(None)
                    while not self._stopping.is_set():
                        for notice in connection.notifies(timeout=LISTEN_TIMEOUT):
                            self._on_notice(notice.payload)
            except psycopg.Error as exc:
                log.warning("not listening for new work (polling meanwhile): %s", exc)
                self._stopping.wait(RECONNECT_AFTER)
