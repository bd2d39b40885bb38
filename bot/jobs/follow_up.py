"""Customer follow-up questions, every JOB_INTERVAL (bot/reviews/follow_up.py)."""

from __future__ import annotations

from datetime import datetime

from bot.services import Services


def run(services: Services, now: datetime) -> int:
    """How many replies were asked about."""
    return services.follow_ups.ask(now)
