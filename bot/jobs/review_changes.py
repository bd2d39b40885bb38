"""When a source reports a new rating or text for a review that has a card, the card is
redrawn at once (bot/cards/changes.py); this sweep shows what that could not (Slack failed,
or intake ran in a process without Slack)."""

from __future__ import annotations

from datetime import datetime

from bot.services import Services


def run(services: Services, now: datetime) -> int:
    """Show every change not shown yet; returns how many cards were redrawn."""
    return services.changes.show()
