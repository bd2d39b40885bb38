"""SLA escalation, every JOB_INTERVAL (bot/reviews/escalation.py)."""

from __future__ import annotations

from datetime import datetime

from bot.services import Services


def run(services: Services, now: datetime) -> int:
    """How many reviews were announced."""
    return services.escalations.sweep(now)
