"""The Bolt app and its listeners, on the services' own Slack client."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.listeners import register_listeners
from bot.services import Services


def create_bolt_app(services: Services) -> App:
    settings = services.settings
    if services.slack is None:
        raise ValueError("the Slack app needs SLACK_BOT_TOKEN")
    app = App(
        client=services.slack,
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
