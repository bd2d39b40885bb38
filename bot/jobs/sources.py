"""Source polling: each configured platform source, every `poll_minutes` of its own."""

from __future__ import annotations

from datetime import datetime

from bot.services import Services
from bot.sources.polling import poll_due


def run(services: Services, now: datetime) -> None:
    poll_due(services, now)
