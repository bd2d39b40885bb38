"""Outbox sweep: reviews and cards that a failure left behind are taken up again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from storage.models import Review, ReviewStatus

if TYPE_CHECKING:
    from bot.services import Services

# Younger than this, a review is most likely still in the pipeline's queue.
STALE_AFTER = timedelta(minutes=2)


def run(services: Services, now: datetime) -> None:
    with Session(services.engine) as session:
        stuck = list(
            session.exec(
                select(Review.id).where(
                    Review.status.in_([ReviewStatus.received, ReviewStatus.triaged]),
                    Review.updated_at < now - STALE_AFTER,
                )
            )
        )
    # Each step is a compare-and-set, so a review that is in fact still queued is not done twice.
    services.pipeline.submit(stuck)
    services.outbox.sweep()
