"""The Bolt app and its listeners. `build_web_client` (re-exported here) lives below the
services, which post cards with it too."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.cards.slack_client import build_web_client
from bot.listeners import register_listeners
from bot.services import Services

__all__ = ["build_web_client", "create_bolt_app"]


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
