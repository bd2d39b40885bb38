"""Worker threads: each claims a step from the work queue and runs it, or, for a step as quick
as triage, a batch of them, recorded in one transaction.

Steps come in groups with threads of their own (triage is quick and local, cards wait on
Slack, drafting on the model), so a slow model never holds up the cards of reviews that are
still to be triaged.
A thread that finds nothing waits to be woken: by work stored in this process, by NOTIFY, by
the thread before it that found work, or by the one poller of the process, which looks every
POLL_SECONDS whether anything is due.
While a step runs, its lease is renewed; a worker that dies, or can no longer reach the
database to renew, loses its claims when their leases run out, and other workers take them.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from bot.reviews.work_queue import LostClaim, WorkQueue
from storage.work import ClaimedWork

log = logging.getLogger(__name__)

# A step that failed is tried again after this many seconds times its attempts, within a lease.
RETRY_STEP = timedelta(seconds=5)


@dataclass(frozen=True)
class Steps:
    """A group of threads and the kinds of step they claim, each with what runs it."""

    threads: int
    run: Mapping[str, Callable[[ClaimedWork], None]]


@dataclass(frozen=True)
class Batches:
    """A group of threads that claim up to `size` due steps of `kind` at once and run them
    together: one claim and one transaction for steps too quick to be worth one each."""

    threads: int
    kind: str
    size: int
    run: Callable[[Sequence[ClaimedWork]], None]


def worker_name() -> str:
    """Who holds a claim, as an operator reads it: host, process, and a nonce for restarts."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Workers:
    def __init__(
        self, queue: WorkQueue, steps: Mapping[str, Steps | Batches], *, name: str
    ) -> None:
        self._queue = queue
        self._steps = steps
        self._name = name
        self._numbers = itertools.count(1)
        self._held: set[ClaimedWork] = set()
        self._held_lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def running(self) -> bool:
        return bool(self._threads) and not self._stopping.is_set()

    @property
    def held(self) -> int:
        """Steps this process is working on now."""
        with self._held_lock:
            return len(self._held)

    def start(self) -> None:
        self._stopping.clear()
        self._queue.listen()
        for group, steps in self._steps.items():
            for n in range(steps.threads):
                self._spawn(f"{group}-{n + 1}", self._work, steps)
        self._spawn("work-lease", self._renew)
        self._spawn("work-poll", self._poll)

    def stop(self) -> None:
        self._stopping.set()
        self._queue.close()
        for thread in self._threads:
            thread.join()
        self._threads = []

    def _spawn(self, name: str, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _work(self, steps: Steps | Batches) -> None:
        kinds = [steps.kind] if isinstance(steps, Batches) else list(steps.run)
        size = steps.size if isinstance(steps, Batches) else 1
        while not self._stopping.is_set():
            seen = self._queue.announced(kinds)
            try:
                claimed = self._queue.claim_batch(
                    kinds, f"{self._name}/{next(self._numbers)}", size
                )
            except Exception as exc:
                # The database is gone (or refuses): claim nothing until it answers again.
                reason = getattr(exc, "orig", None) or exc
                # SQLite's write lock held by another process is no news; anything else is.
                quiet = "database is locked" in str(reason)
                log.log(
                    logging.DEBUG if quiet else logging.WARNING,
                    "could not claim %s work: %s",
                    "/".join(kinds),
                    reason,
                )
                self._stopping.wait(self._queue.poll_seconds)
                continue
            if not claimed:
                # Until woken: by work stored here, a NOTIFY, or the poller finding some due.
                self._queue.wait(kinds, seen, None)
                continue
            if len(claimed) == size:
                self._queue.wake(claimed[-1].kind)  # more may be due: the next thread looks
            if isinstance(steps, Batches):
                if not self._run(partial(steps.run, claimed), claimed):
                    # One review may fail them all: each alone, so only its own is retried.
                    for work in claimed:
                        self._run(partial(steps.run, [work]), [work])
            else:
                [work] = claimed
                self._run(partial(steps.run[work.kind], work), [work])

    def _poll(self) -> None:
        while not self._stopping.wait(self._queue.poll_seconds):
            try:
                due = self._queue.is_due()
            except Exception as exc:
                # Locked or unreachable: the claiming threads say so when they next look.
                log.debug("could not look for due work: %s", exc)
                continue
            if due:
                self._queue.wake()

    def _run(self, run: Callable[[], None], works: Sequence[ClaimedWork]) -> bool:
        """Run the claimed steps; False when they failed: one step is given back, to be tried
        again later, and a batch is left held, for the caller to run each alone."""
        with self._held_lock:
            self._held.update(works)
        try:
            for work in works:
                if work.taken_over:
                    log.info("taking over %s of review %s", work.kind, work.review_id)
            run()
            for work in works:
                self._queue.done(work)
        except LostClaim as exc:
            log.warning("gave up a step another worker took over: %s", exc)
        except Exception:
            reviews = ", ".join(str(work.review_id) for work in works)
            if len(works) > 1:
                log.exception(
                    "%s of reviews %s failed; each is tried alone", works[0].kind, reviews
                )
                return False
            [work] = works
            log.exception("%s of review %s failed; it is tried again", work.kind, reviews)
            try:
                self._queue.retry(work, min(RETRY_STEP * work.attempts, self._queue.lease))
            except Exception as exc:
                # Unreachable database: the lease runs out and another worker retries.
                log.warning(
                    "could not give back %s of review %s: %s", work.kind, work.review_id, exc
                )
            return False
        finally:
            with self._held_lock:
                self._held.difference_update(works)
        return True

    def _renew(self) -> None:
        every = self._queue.lease.total_seconds() / 3
        while not self._stopping.wait(every):
            with self._held_lock:
                claims = sorted({work.claim for work in self._held})
            try:
                self._queue.renew(claims)
            except Exception as exc:
                log.warning("could not renew the leases of %d steps: %s", len(claims), exc)
