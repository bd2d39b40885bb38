"""The Slack Web API client the app's own work uses (cards, history, look-ups)."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings


def build_web_client(settings: Settings, *, idempotent_only: bool = False) -> WebClient:
    """429s wait for Retry-After; 5xx and dropped connections back off and try again.

    `idempotent_only`: for posting a card. A 5xx or a dropped connection can come after Slack
    already posted the message, and trying again would post a second card; such a failure is
    left to the outbox sweep, which finds a card that did arrive by its metadata. A 429 is safe
    to retry: Slack did nothing.
    """
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    handlers = [RateLimitErrorRetryHandler(max_retry_count=5)]
    if not idempotent_only:
        handlers += [
            ConnectionErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=3),
        ]
    return WebClient(
        token=token, base_url=settings.slack_api_url, timeout=10, retry_handlers=handlers
    )
