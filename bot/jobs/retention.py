"""Retention: personal data of reviews older than RETENTION_DAYS is erased, the numbers stay."""

from __future__ import annotations

from datetime import datetime

from bot.services import Services


def run(services: Services, now: datetime) -> None:
    if services.erasure is not None:
        services.erasure.purge(now)
