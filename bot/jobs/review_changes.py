"""When a source reports a new rating or text for a review that has a card, intake stores
the card's redraw and thread line with it (bot/cards/changes.py); this sweep stores them for
the changes that intake could not (it ran in a process without Slack)."""

from __future__ import annotations

from datetime import datetime

from bot.services import Services


def run(services: Services, now: datetime) -> int:
    """Show every change not shown yet; returns how many cards are to be redrawn."""
    return services.changes.show()
