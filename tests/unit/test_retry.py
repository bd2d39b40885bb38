"""Retries of our own HTTP clients: the back-off and a server's wait go through the given sleep."""

import pytest

from bot.retry import Retry, with_retries


def test_failures_are_tried_again_with_growing_waits_or_the_wait_asked_for():
    waits: list[float] = []
    outcomes = iter([Retry(OSError("down")), Retry(OSError("busy"), wait=7.0), "answer"])

    def attempt() -> str:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert with_retries(attempt, attempts=4, backoff=1.5, sleep=waits.append) == "answer"
    assert waits == [1.5, 7.0]


def test_the_last_error_is_raised_when_the_attempts_run_out():
    waits: list[float] = []
    calls = []

    def attempt() -> None:
        calls.append(len(calls) + 1)
        raise Retry(ValueError(f"try {len(calls)}"))

    with pytest.raises(ValueError, match="try 3"):
        with_retries(attempt, attempts=3, backoff=1.0, sleep=waits.append)
    assert calls == [1, 2, 3] and waits == [1.0, 2.0]


def test_an_error_that_is_not_worth_a_retry_ends_the_tries_at_once():
    waits: list[float] = []

    def attempt() -> None:
        raise PermissionError("refused")

    with pytest.raises(PermissionError):
        with_retries(attempt, attempts=3, backoff=1.0, sleep=waits.append)
    assert waits == []
