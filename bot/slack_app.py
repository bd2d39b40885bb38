"""The Bolt app and its listeners, on the services' own Slack client."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

from bot.listeners import register_listeners
from bot.services import Services


class _ClientTokenNotice(logging.Filter):
    """Bolt falls back to SLACK_BOT_TOKEN from the environment when no token is given, then
    warns on every start that the token is unused beside our client; that client carries the
    same token, so the warning says nothing true."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def create_bolt_app(services: Services) -> App:
    settings = services.settings
    if services.slack is None:
        raise ValueError("the Slack app needs SLACK_BOT_TOKEN")
    logger = logging.getLogger("reviewbot.slack")
    if not any(isinstance(f, _ClientTokenNotice) for f in logger.filters):
        logger.addFilter(_ClientTokenNotice())
    app = App(
        client=services.slack,
        signing_secret=(
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else None
        ),
        logger=logger,
        # In Socket Mode there is no HTTP signature to check; Slack authenticated the socket.
        request_verification_enabled=not settings.socket_mode,
    )
    # Bolt logs a refused signature at INFO with the whole request body; the HTTP endpoint
    # logs one line without it instead (bot/http/slack.py).
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
    register_listeners(app, services)
    return app
