"""The weekly digests, at DIGEST_CRON (bot/reviews/digest.py)."""

from __future__ import annotations

from datetime import datetime

from bot.services import Services


def run(services: Services, now: datetime) -> bool:
    """True when this run sent a digest (the whole deployment's or a brand's)."""
    return bool(services.digests.send(now))
