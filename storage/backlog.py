"""The app's own work still to do, counted for the metrics."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.models import CardState, Review, ReviewStatus, SlackCard

_STAGES = {
    ReviewStatus.received: "triage",
    ReviewStatus.triaged: "draft",
    ReviewStatus.drafting: "draft",
}


def backlog(engine: Engine) -> dict[str, int]:
    """Reviews waiting for triage, for a draft (or in one), and cards waiting to be posted."""
    counts = {"triage": 0, "draft": 0, "card": 0}
    with Session(engine) as session:
        rows = session.exec(
            select(Review.status, func.count())
            .where(col(Review.status).in_(list(_STAGES)))
            .group_by(col(Review.status))
        )
        for status, count in rows:
            counts[_STAGES[ReviewStatus(status)]] += count
        counts["card"] = session.exec(
            select(func.count()).select_from(SlackCard).where(SlackCard.state == CardState.queued)
        ).one()
    return counts
