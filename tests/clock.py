"""A clock a test sets: the services take every time from it, so no test depends on today."""

from __future__ import annotations

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
