"""Finding review cards in storage and in Slack, for jobs that point people at them."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session, col, select

from storage.models import CardState, SlackCard

log = logging.getLogger(__name__)


def posted_cards(session: Session, review_ids: list[int]) -> dict[int, SlackCard]:
    """review id → its card, for the reviews whose card is in Slack."""
    if not review_ids:
        return {}
    cards = session.exec(
        select(SlackCard).where(
            col(SlackCard.review_id).in_(review_ids),
            SlackCard.state == CardState.posted,
            col(SlackCard.ts).is_not(None),
        )
    )
    return {card.review_id: card for card in cards}


def permalink(client: WebClient, card: SlackCard) -> str | None:
    """A link to the card; None when Slack will not say (the message stays findable anyway)."""
    try:
        return client.chat_getPermalink(channel=card.channel, message_ts=card.ts)["permalink"]
    except SlackApiError as exc:
        log.warning("no permalink for the card of review %s: %s", card.review_id, exc)
        return None
