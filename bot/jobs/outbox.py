"""Outbox sweep, every JOB_INTERVAL: reviews and cards that a failure left behind are taken
up again (bot/reviews/pipeline.py, bot/cards/outbox.py)."""

from __future__ import annotations

from datetime import datetime

from bot.services import Services


def run(services: Services, now: datetime) -> None:
    services.pipeline.take_up_stuck(now)
    services.outbox.sweep()
