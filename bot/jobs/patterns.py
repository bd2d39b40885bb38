"""Pattern alerts, every JOB_INTERVAL (bot/reviews/patterns.py)."""

from __future__ import annotations

from datetime import datetime

from bot.services import Services


def run(services: Services, now: datetime) -> int:
    """How many alerts went out."""
    return services.patterns.alert(now)
