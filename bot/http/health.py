"""GET /healthz and GET /readyz: what is wrong, within a second, whatever the database does.

The checks run on a thread of their own and the answer does not wait for it past a deadline:
a database that hangs (a lock held, a stalled disk) makes the check late, never the answer.
One check runs at a time: while a late one is still stuck, the next request waits on that same
check rather than piling up another thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from storage.health import DatabaseWatch

# Probes give up after 1 s; the answer leaves well before that.
ANSWER_WITHIN = 0.8
LOCK_WAIT = 0.5  # a write lock not had by then counts as locked
OK = "ok"

Check = Callable[[], "str | None"]


class _Deadline:
    """Runs a check on a daemon thread (a hung one must not keep the process from exiting)."""

    def __init__(self, name: str, check: Check) -> None:
        self._name = name
        self._check = check
        self._lock = threading.Lock()
        self._running: Future[str | None] | None = None
        self._since = 0.0

    def _start(self) -> Future[str | None]:
        future: Future[str | None] = Future()

        def run() -> None:
            try:
                future.set_result(self._check())
            except Exception as exc:  # a check that crashes reports, it does not vanish
                future.set_result(f"{self._name} check failed: {type(exc).__name__}: {exc}")

        threading.Thread(target=run, name=f"health-{self._name}", daemon=True).start()
        return future

    def result(self, timeout: float) -> str | None:
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
    def __init__(self, database: DatabaseWatch, *, pipeline_running: Callable[[], bool]) -> None:
        self._database = _Deadline("database", lambda: database.write_problem(LOCK_WAIT))
        self._schema = _Deadline("schema", database.schema_problem)
        self._pipeline_running = pipeline_running

    def live(self) -> dict[str, str]:
        return {"database": self._database.result(ANSWER_WITHIN) or OK}

    def ready(self) -> dict[str, str]:
        started = time.monotonic()
        checks = self.live()
        left = max(0.05, ANSWER_WITHIN - (time.monotonic() - started))
        checks["schema"] = self._schema.result(left) or OK
        running = self._pipeline_running()
        checks["pipeline"] = OK if running else "the review pipeline is not running"
        return checks

    async def healthz(self, _request: Request) -> JSONResponse:
        return _answer(await run_in_threadpool(self.live))

    async def readyz(self, _request: Request) -> JSONResponse:
        return _answer(await run_in_threadpool(self.ready))


def _answer(checks: dict[str, str]) -> JSONResponse:
    """Each check by name: "ok", or what is wrong."""
    ok = all(value == OK for value in checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "failing", **checks}, status_code=200 if ok else 503
    )
