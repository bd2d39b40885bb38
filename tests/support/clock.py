"""A clock a test sets: the services take every time from it, so no test depends on today."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class TestClock:
    now: datetime

    __test__ = False  # not a test class, whatever pytest makes of its name

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class TestWaits:
    """The services' `sleep`: records every back-off and returns at once, so no test sits
    through Retry-After; while held, a wait blocks until the test releases it."""

    __test__ = False

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self._released = threading.Event()
        self._released.set()

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)
        # The timeout only frees a thread a failing test forgot to release.
        self._released.wait(timeout=30)

    def hold(self) -> None:
        self._released.clear()

    def release(self) -> None:
        self._released.set()
