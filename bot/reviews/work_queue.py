"""The work stored in the database (storage/work.py), and how the workers of this process
hear of it: at once for work stored here, by PostgreSQL's NOTIFY for work stored by another
process, and by a short poll as a safety net (and the only way on SQLite).

Each word that work is due wakes one waiting thread of each group that takes its kind, not
every thread: a thread that finds work wakes the next (there may be more), one that finds none
goes back to waiting. Waking them all would make every thread run a claim for every review
stored, and the claims that find nothing would cost the database more than the work itself.

Whatever a step, a click or a customer's change starts is stored in the transaction that
records it, so a crash between the two loses nothing; after the commit, `stored()` wakes the
workers, or, in a process that started none (a command, the demo, a test of the services
alone), does the steps there and then.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage.db import after_commit, session_scope
from storage.models import utcnow
from storage.work import (
    ClaimedWork,
    WorkCounts,
    add_due_work,
    add_work,
    claim_batch,
    drop_work,
    finish_work,
    release_work,
    renew_claims,
    reset_orphaned_drafts,
    work_counts,
    work_is_due,
)
from storage.work_notices import WorkListener

log = logging.getLogger(__name__)

# How often an idle process looks for work nobody told it of (SQLite, a missed notice).
POLL_SECONDS = 0.5
# SQLite has one writer: a worker waits this long for the write lock, then tries later,
# so a claim (or its end) never holds the process's one connection while ingest needs it.
CLAIM_LOCK_WAIT = 0.2
POLL_LOCK_WAIT = 0.05


class LostClaim(Exception):
    """The lease ran out and another worker holds the step now: this one records nothing."""


@dataclass
class _Waiting:
    """The threads that claim these kinds, and how often work of them was announced."""

    kinds: frozenset[str]
    ready: threading.Condition
    announced: int = field(default=0)
    idle: int = field(default=0)  # threads waiting now


class WorkQueue:
    def __init__(
        self,
        engine: Engine,
        *,
        lease: timedelta,
        clock: Callable[[], datetime] = utcnow,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._engine = engine
        # The queue's own writes wait briefly for SQLite's lock; a failed one is retried.
        self._writes = engine.execution_options(lock_wait=CLAIM_LOCK_WAIT)
        self.lease = lease
        self._clock = clock
        self.poll_seconds = poll_seconds
        self._waking = threading.Lock()
        self._waiting: dict[frozenset[str], _Waiting] = {}
        self._listener: WorkListener | None = None
        # Workers will do what is stored (set when the pipeline starts): a web process's
        # included, whose workers run elsewhere.
        self.started = False
        self._inline: dict[str, Callable[[int], None]] = {}
        # Claims whose step finished its work in a committed transaction, and how.
        self._finishing = threading.Lock()
        self._finished: dict[tuple[int, str], str] = {}

    # --- storing ----------------------------------------------------------------------------
    def add(self, session: Session, *, kind: str, review_ids: Sequence[int]) -> None:
        """In the caller's transaction, with what makes the step due; wake() after commit."""
        add_work(session, kind=kind, review_ids=review_ids, now=self._clock())

    def add_due(self, review_ids: Sequence[int] | None = None) -> None:
        """The work the reviews' statuses call for, where it is missing; all reviews (None):
        a draft that nobody holds any more is written again too."""
        with session_scope(self._engine) as session:
            if review_ids is None:
                reset_orphaned_drafts(session)
            add_due_work(session, now=self._clock(), review_ids=review_ids)
        self.wake()

    def run_inline(self, kind: str, run: Callable[[int], None]) -> None:
        """What does step `kind` of a review here and now, while no workers are started."""
        self._inline[kind] = run

    def stored(self, kinds: Sequence[str], review_ids: Sequence[int]) -> None:
        """After the commit that stored these steps: wake the workers; with none started, do
        each review's steps here, in the order of `kinds`, and drop their rows. A step that
        fails keeps its row, for the workers of a process that starts."""
        if self.started:
            for kind in kinds:
                self.wake(kind)
            return
        for review_id in review_ids:
            for kind in kinds:
                try:
                    self._inline[kind](review_id)
                except Exception:
                    log.exception("%s of review %s failed; its work is kept", kind, review_id)
                    continue
                self.drop(kind=kind, review_ids=[review_id])

    def drop(self, *, kind: str, review_ids: Sequence[int]) -> None:
        with session_scope(self._engine) as session:
            drop_work(session, kind=kind, review_ids=review_ids)

    # --- waking -----------------------------------------------------------------------------
    def wake(self, kind: str | None = None) -> None:
        """Work of `kind` (None: of any kind) may be due: one waiting thread of each group
        that claims it looks."""
        with self._waking:
            for waiting in self._waiting.values():
                if kind is None or kind in waiting.kinds:
                    waiting.announced += 1
                    waiting.ready.notify()

    def announced(self, kinds: Collection[str]) -> int:
        """Read before looking for work of `kinds`; wait() then returns at once if work was
        announced since."""
        with self._waking:
            return self._waiting_for(kinds).announced

    def wait(self, kinds: Collection[str], seen: int, timeout: float | None) -> None:
        with self._waking:
            waiting = self._waiting_for(kinds)
            if waiting.announced == seen:
                waiting.idle += 1
                try:
                    waiting.ready.wait(timeout)
                finally:
                    waiting.idle -= 1

    def idle(self) -> int:
        """Threads of this process waiting for work: none means every one is busy."""
        with self._waking:
            return sum(waiting.idle for waiting in self._waiting.values())

    def _waiting_for(self, kinds: Collection[str]) -> _Waiting:
        key = frozenset(kinds)
        if key not in self._waiting:
            self._waiting[key] = _Waiting(key, threading.Condition(self._waking))
        return self._waiting[key]

    def _wake_everyone(self) -> None:
        with self._waking:
            for waiting in self._waiting.values():
                waiting.announced += 1
                waiting.ready.notify_all()

    def listen(self) -> None:
        """On PostgreSQL, wake on other processes' NOTIFY too."""
        if self._engine.dialect.name == "postgresql" and self._listener is None:
            self._listener = WorkListener(self._engine.url, on_notice=self.wake)
            self._listener.start()

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self._wake_everyone()  # to see that they are stopping

    # --- claiming ---------------------------------------------------------------------------
    def claim_batch(self, kinds: Sequence[str], claim: str, size: int) -> list[ClaimedWork]:
        """Up to `size` due steps, all held by `claim`."""
        with session_scope(self._writes) as session:
            return claim_batch(
                session, kinds=kinds, claim=claim, now=self._clock(), lease=self.lease, limit=size
            )

    def is_due(self) -> bool:
        engine = self._engine.execution_options(lock_wait=POLL_LOCK_WAIT)
        with session_scope(engine) as session:
            return work_is_due(session, now=self._clock())

    def renew(self, claims: Sequence[str]) -> int:
        if not claims:
            return 0
        with session_scope(self._writes) as session:
            return renew_claims(session, claims=claims, until=self._clock() + self.lease)

    def finish(self, session: Session, work: ClaimedWork) -> None:
        """In the transaction that records the step: rolls it back if the claim was lost."""
        if not self.finish_held(session, [work]):
            raise LostClaim(f"{work.kind} of review {work.review_id}: claim {work.claim} lost")

    def finish_held(self, session: Session, works: Sequence[ClaimedWork]) -> list[ClaimedWork]:
        """In the transaction that records the steps: those of `works` still held, finished
        with it; the caller records only theirs (another worker holds the rest)."""
        now = self._clock()
        outcomes = {work: finish_work(session, work=work, now=now) for work in works}
        held = {work: outcome for work, outcome in outcomes.items() if outcome != "lost"}

        def committed(_session: Session) -> None:
            with self._finishing:
                self._finished.update(((w.id, w.claim), outcome) for w, outcome in held.items())

        if held:
            after_commit(session, committed)
        return list(held)

    def done(self, work: ClaimedWork) -> None:
        """After the step: its row goes, if still ours, or it is due again. A step that
        finished its work in the transaction recording it has nothing left to write."""
        with self._finishing:
            outcome = self._finished.pop((work.id, work.claim), None)
        if outcome is None:
            with session_scope(self._writes) as session:
                outcome = finish_work(session, work=work, now=self._clock())
        if outcome == "again":
            self.wake(work.kind)

    def retry(self, work: ClaimedWork, after: timedelta) -> None:
        with self._finishing:
            self._finished.pop((work.id, work.claim), None)
        with session_scope(self._writes) as session:
            release_work(session, work_id=work.id, claim=work.claim, due_at=self._clock() + after)

    def counts(self) -> list[WorkCounts]:
        with Session(self._engine) as session:
            return work_counts(session, now=self._clock())
