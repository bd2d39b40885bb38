"""Reminders on waiting cards, every JOB_INTERVAL (bot/reviews/nudges.py)."""

from __future__ import annotations

from datetime import datetime

from bot.services import Services


def run(services: Services, now: datetime) -> int:
    """How many reminders went out."""
    return services.nudges.send(now)
