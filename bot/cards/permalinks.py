"""Links to review cards in Slack, for the alerts that point people at them."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from storage.models import SlackCard

log = logging.getLogger(__name__)


def permalink(client: WebClient, card: SlackCard) -> str | None:
    """A link to the card; None when Slack will not say (the message stays findable anyway)."""
    assert card.ts is not None  # a posted card
    try:
        return client.chat_getPermalink(channel=card.channel, message_ts=card.ts)["permalink"]
    except SlackApiError as exc:
        log.warning("no permalink for the card of review %s: %s", card.review_id, exc)
        return None
