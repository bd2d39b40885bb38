"""One module per Slack surface; each has register(app, services). One error handler."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks import ids
from bot.listeners import actions, commands, events, follow_up, views
from bot.listeners.after_ack import apology, log_failure
from bot.services import Services

log = logging.getLogger(__name__)


def register_listeners(app: App, services: Services) -> None:
    commands.register(app, services)
    actions.register(app, services)
    views.register(app, services)
    events.register(app, services)  # the App Home tab
    follow_up.register(app, services)  # the customer follow-up question (scheduler)
    app.error(_error_handler(services))


def _error_handler(services: Services):
    def handle_error(error: Exception, body: dict[str, Any], client: WebClient) -> None:
        """Log the failure with a reference; tell the user that reference, never the trace."""
        text = apology(log_failure(error))
        user = (body.get("user") or {}).get("id") or body.get("user_id")
        channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
        review_id = _review_id(body)
        try:
            if user and channel:
                client.chat_postEphemeral(channel=channel, user=user, text=text)
            elif user and review_id is not None:
                services.cards.notes.tell(review_id, user, text)
        except Exception:
            log.exception("could not tell the user about a failed listener")

    return handle_error


def _review_id(body: dict[str, Any]) -> int | None:
    """The review a card button or a card modal was about, if it says."""
    ref = ((body.get("actions") or [{}])[0]).get("value") or (body.get("view") or {}).get(
        "private_metadata"
    )
    try:
        return ids.decode_ref(ref)[0]
    except ValueError:
        return None
