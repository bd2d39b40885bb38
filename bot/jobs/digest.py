"""The weekly digest, at DIGEST_CRON (bot/reviews/digest.py)."""

from __future__ import annotations

from datetime import datetime

from bot.services import Services


def run(services: Services, now: datetime) -> bool:
    """True when the digest was sent by this run."""
    return services.digests.send(now)
