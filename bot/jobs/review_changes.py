"""When a source reports a new rating or text for a review that has a card, the card is
redrawn (it shows 1★ → 4★) and its thread says what changed. Intake records the change;
this sweep shows it, once, marking each change `shown_at`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.jobs.cards import posted_cards
from bot.services import Services
from storage.db import session_scope
from storage.models import ReviewChange

BATCH = 500


def change_line(change: ReviewChange) -> tuple[str, str | None]:
    """The history kind for a change and its detail ("1★ → 4★" for a new rating)."""
    if change.old_rating != change.new_rating:
        old = f"{change.old_rating}★" if change.old_rating is not None else "no rating"
        new = f"{change.new_rating}★" if change.new_rating is not None else "no rating"
        return "rating_changed", f"{old} → {new}"
    return "review_changed", None


def run(services: Services, now: datetime) -> int:
    """Show every change not shown yet; returns how many cards were redrawn."""
    if services.slack is None:
        return 0
    with Session(services.engine) as session:
        changes = session.exec(
            select(ReviewChange)
            .where(col(ReviewChange.shown_at).is_(None))
            .order_by(ReviewChange.id)
            .limit(BATCH)
        ).all()
        cards = posted_cards(session, sorted({c.review_id for c in changes}))
    for review_id in sorted(cards):
        services.cards.post_or_update(review_id)
        for change in changes:
            if change.review_id == review_id:
                kind, detail = change_line(change)
                services.cards.history(review_id, kind, None, detail)
    # Changes to reviews without a card are done too: a card posted later shows them anyway.
    with session_scope(services.engine) as session:
        session.execute(
            update(ReviewChange)
            .where(col(ReviewChange.id).in_([c.id for c in changes]))
            .values(shown_at=now)
        )
    return len(cards)
