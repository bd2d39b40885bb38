"""After an erasure (on request, or by the retention job), every Slack message the app posted
that showed the erased reviews is redrawn without them: their cards (and the thread messages
holding their text), the weekly digests that quoted them, the pattern alerts that linked them."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.cards.service import CardService
from bot.reviews.digest import DigestService
from bot.reviews.patterns import PatternAlerts

log = logging.getLogger(__name__)


def redraw_without(
    review_ids: list[int], *, cards: CardService, digests: DigestService, patterns: PatternAlerts
) -> None:
    for review_id in review_ids:
        try:
            cards.redact(review_id)
        except SlackApiError as exc:
            # The data is gone from storage; one card Slack refused keeps no other message
            # showing what was erased.
            log.warning(
                "could not redraw the card of erased review %s: %s",
                review_id,
                exc.response.get("error"),
            )
    digests.redraw_without(review_ids)
    patterns.redraw_without(review_ids)
