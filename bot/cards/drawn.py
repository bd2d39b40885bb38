"""What a card's message in Slack shows, as a digest stored with the card (`slack_card.drawn`),
so a redraw that would show the same is skipped, whichever process drew it last.

Every redraw takes a new card version, and buttons of older versions are refused. A redraw
asked for twice in a row (a draft that lands while its card is being posted, a worker that
redraws what web's decision already showed) would otherwise turn the buttons a responder is
about to click stale for nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from bot.blocks.card_view import CardView


def drawn_digest(view: CardView) -> str:
    """The same for two views that draw the same card, whatever version each was drawn at;
    the same in every process (a view holds no set, whose order could differ)."""
    return hashlib.sha256(repr(replace(view, card_version=0)).encode()).hexdigest()
