"""The Bolt app: a WebClient that retries like Slack asks, and the listeners."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.listeners import register_listeners
from bot.services import Services


def build_web_client(settings: Settings) -> WebClient:
    """429s wait for Retry-After; 5xx and dropped connections back off and try again."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=3),
            RateLimitErrorRetryHandler(max_retry_count=5),
            ServerErrorRetryHandler(max_retry_count=3),
        ],
    )


def create_bolt_app(services: Services, client: WebClient) -> App:
    settings = services.settings
    app = App(
        client=client,
        signing_secret=(
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else None
        ),
        logger=logging.getLogger("reviewbot.slack"),
        # In Socket Mode there is no HTTP signature to check; Slack authenticated the socket.
        request_verification_enabled=not settings.socket_mode,
    )
    register_listeners(app, services)
    return app
