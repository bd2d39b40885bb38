"""GET /healthz and GET /readyz: what is wrong, within a second, whatever the database does.

The checks run on a thread of their own and the answer does not wait for it past a deadline:
a database that hangs (a lock held, a stalled disk) makes the check late, never the answer.
One check runs at a time: while a late one is still stuck, the next request waits on that same
check rather than piling up another thread.

`reviewbot web` and `reviewbot worker` add what the process is doing (bot/http/activity.py):
the work waiting in the database, what this process holds, whether it leads the jobs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from storage.health import DatabaseWatch

# Probes give up after 1 s; the answer leaves well before that.
ANSWER_WITHIN = 0.8
LOCK_WAIT = 0.5  # a write lock not had by then counts as locked
OK = "ok"

Check = Callable[[], Any]  # what is wrong (None: nothing), or what a report says


class _Deadline:
    """Runs a check on a daemon thread (a hung one must not keep the process from exiting)."""

    def __init__(self, name: str, check: Check) -> None:
        self._name = name
        self._check = check
        self._lock = threading.Lock()
        self._running: Future[Any] | None = None
        self._since = 0.0

    def _start(self) -> Future[Any]:
        future: Future[Any] = Future()

        def run() -> None:
            try:
                future.set_result(self._check())
            except Exception as exc:  # a check that crashes reports, it does not vanish
                future.set_result(f"{self._name} check failed: {type(exc).__name__}: {exc}")

        threading.Thread(target=run, name=f"health-{self._name}", daemon=True).start()
        return future

    def result(self, timeout: float) -> Any:
        with self._lock:
            if self._running is None or self._running.done():
                self._running = self._start()
                self._since = time.monotonic()
            running, since = self._running, self._since
        try:
            return running.result(timeout=timeout)
        except FutureTimeout:
            return (
                f"{self._name} did not answer within "
                f"{time.monotonic() - since:.1f} s (hung or locked)"
            )


class HealthChecks:
    def __init__(
        self,
        database: DatabaseWatch,
        *,
        pipeline_running: Callable[[], bool] | None,
        activity: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        """`pipeline_running`: None where no workers run (web); `activity`: the report
        /healthz adds to its checks."""
        self._database = _Deadline("database", lambda: database.write_problem(LOCK_WAIT))
        self._schema = _Deadline("schema", database.schema_problem)
        self._pipeline_running = pipeline_running
        self._activity = _Deadline("activity", activity) if activity is not None else None

    def live(self) -> dict[str, str]:
        return {"database": self._database.result(ANSWER_WITHIN) or OK}

    def ready(self) -> dict[str, str]:
        started = time.monotonic()
        checks = self.live()
        left = max(0.05, ANSWER_WITHIN - (time.monotonic() - started))
        checks["schema"] = self._schema.result(left) or OK
        if self._pipeline_running is not None:
            running = self._pipeline_running()
            checks["pipeline"] = OK if running else "the review pipeline is not running"
        return checks

    def live_report(self) -> tuple[dict[str, str], dict[str, Any]]:
        """The live checks, and what the process does, within the same second: a database
        too slow to say shows as the problem, in place of the report."""
        started = time.monotonic()
        checks = self.live()
        if self._activity is None:
            return checks, {}
        left = max(0.05, ANSWER_WITHIN - (time.monotonic() - started))
        found = self._activity.result(left)
        return checks, {"activity": found if isinstance(found, dict) else {"problem": found}}

    async def healthz(self, _request: Request) -> JSONResponse:
        return _answer(*await run_in_threadpool(self.live_report))

    async def readyz(self, _request: Request) -> JSONResponse:
        return _answer(await run_in_threadpool(self.ready))


def _answer(checks: dict[str, str], report: dict[str, Any] | None = None) -> JSONResponse:
    """Each check by name: "ok", or what is wrong; then the report, if any."""
    ok = all(value == OK for value in checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "failing", **checks, **(report or {})},
        status_code=200 if ok else 503,
    )
