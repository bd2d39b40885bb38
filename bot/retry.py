"""Trying an HTTP call of a client we own (the reply webhook, the review platforms) again:
exponential back-off, or the wait the server asked for, through the client's own sleep so
tests never wait."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import tenacity

T = TypeVar("T")


class Retry(Exception):
    """An attempt that failed in a way another may not: `error` is what the caller raises
    when no attempt is left; `wait`, when given, replaces the back-off (a Retry-After)."""

    def __init__(self, error: Exception, *, wait: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait


def with_retries(
    attempt: Callable[[], T],
    *,
    attempts: int,
    backoff: float,
    sleep: Callable[[float], None],
) -> T:
    """`attempt()`'s result, trying it at most `attempts` times while it raises `Retry`,
    `backoff`·2ⁿ⁻¹ seconds after the n-th failure. Any other exception ends the tries at once;
    when they run out, the last `Retry`'s error is raised."""
    exponential = tenacity.wait_exponential(multiplier=backoff, exp_base=2, min=0)

    def wait(state: tenacity.RetryCallState) -> float:
        failed = state.outcome.exception() if state.outcome else None
        if isinstance(failed, Retry) and failed.wait is not None:
            return failed.wait
        return exponential(state)

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(attempts),
        wait=wait,
        retry=tenacity.retry_if_exception_type(Retry),
        sleep=sleep,
        reraise=True,
    )
    try:
        return retrying(attempt)
    except Retry as failed:
        raise failed.error from None
