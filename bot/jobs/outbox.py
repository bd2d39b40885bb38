"""Outbox sweep: reviews and cards that a failure left behind are taken up again."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.services import Services
from storage.sweeps import stuck_reviews

# Younger than this, a review is most likely still in the pipeline's queue.
STALE_AFTER = timedelta(minutes=2)


def run(services: Services, now: datetime) -> None:
    with Session(services.engine) as session:
        stuck = stuck_reviews(session, updated_before=now - STALE_AFTER)
    # Each step is a compare-and-set, so a review that is in fact still queued is not done twice.
    services.pipeline.submit(stuck)
    services.outbox.sweep()
