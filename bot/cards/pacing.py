"""Keeping to Slack's pace: about one message a second per channel, and one writer per card."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class ChannelPacer:
    """Spaces messages to one channel `interval` seconds apart, across threads.

    Slack allows bursts but throttles a channel that gets more than about a message a second;
    waiting our turn costs less than a 429 and its Retry-After.
    """

    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}

    def wait(self, channel: str) -> None:
        """Block until `channel` may take another message, and claim that slot."""
        if self._interval <= 0:
            return
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(channel, now))
            self._next_slot[channel] = slot + self._interval
        # Sleep outside the lock: other channels (and later slots) need not wait for this one.
        if slot > now:
            self._sleep(slot - now)


class StripedLocks:
    """A lock per key, from a fixed set: memory stays bounded however many reviews there are;
    two keys that share a stripe only wait for each other briefly."""

    def __init__(self, stripes: int = 64) -> None:
        self._locks = [threading.RLock() for _ in range(stripes)]

    @contextmanager
    def hold(self, key: int) -> Iterator[None]:
        with self._locks[key % len(self._locks)]:
            yield
