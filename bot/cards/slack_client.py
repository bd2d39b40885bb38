"""The Slack Web API client the app's own work uses (cards, history, look-ups)."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.metrics import Metrics

log = logging.getLogger(__name__)

Sleep = Callable[[float], None]


class _WaitsThrough:
    """The SDK's handlers wait with time.sleep; these wait through the services' `sleep`, so a
    test decides how long a back-off takes instead of sitting through it."""

    _sleep: Sleep

    def _wait(self, state: RetryState, seconds: float) -> None:
        state.next_attempt_requested = True
        self._sleep(seconds)
        state.increment_current_attempt()


class _BackoffRetry(_WaitsThrough):
    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        assert isinstance(self, RetryHandler)
        self._wait(state, self.interval_calculator.calculate_sleep_duration(state.current_attempt))


class RateLimitRetry(_WaitsThrough, RateLimitErrorRetryHandler):
    """Waits as long as Retry-After says (plus up to a second of jitter, as the SDK does)."""

    def __init__(self, max_retry_count: int, sleep: Sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("rate-limit retry without a response")
        headers = {name.lower(): values for name, values in response.headers.items()}
        retry_after = headers.get("retry-after", ["1"])[0]
        self._wait(state, int(retry_after) + random.random())  # noqa: S311 - jitter, not secrecy


class ServerErrorRetry(_BackoffRetry, ServerErrorRetryHandler):
    def __init__(self, max_retry_count: int, sleep: Sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep


class ConnectionErrorRetry(_BackoffRetry, ConnectionErrorRetryHandler):
    def __init__(self, max_retry_count: int, sleep: Sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep


def build_web_client(
    token: str | None,
    base_url: str,
    *,
    idempotent_only: bool = False,
    sleep: Sleep = time.sleep,
    metrics: Metrics | None = None,
) -> WebClient:
    """429s wait for Retry-After; 5xx and dropped connections back off and try again.

    `idempotent_only`: for posting (bot/cards/posting.py). A 5xx or a dropped connection can
    come after Slack already posted the message, and trying again would post it twice; the
    poster first looks for a message that did arrive by its metadata. A 429 is safe to retry:
    Slack did nothing.
    """
    # The counter first: the SDK stops asking at the handler that takes a retry.
    handlers: list[RetryHandler] = [metrics.slack_counter()] if metrics else []
    handlers.append(RateLimitRetry(5, sleep))
    if not idempotent_only:
        handlers += [ConnectionErrorRetry(3, sleep), ServerErrorRetry(3, sleep)]
    return WebClient(token=token, base_url=base_url, timeout=10, retry_handlers=handlers)


def redraw_message(client: WebClient, *, channel: str, ts: str, message: dict, what: str) -> bool:
    """chat.update one message the app posted; False (logged with where it is, so whoever
    runs reviewbot can mend it by hand) when Slack refuses."""
    try:
        client.chat_update(channel=channel, ts=ts, text=message["text"], blocks=message["blocks"])
    except SlackApiError as exc:
        log.warning(
            "could not redraw %s (channel %s, ts %s): %s",
            what,
            channel,
            ts,
            exc.response.get("error"),
        )
        return False
    return True
