"""A customer's new rating or text, shown on the review's card: the card is redrawn (it shows
1★ → 4★, and that its draft is older than the change) and its thread says what changed.

Intake stores, in the transaction that stores the change, a thread line per change and the
card's redraw (bot/cards/card_step.py); the card step shows them. Each change is shown once:
claimed (`shown_at`) in that same transaction. Changes of reviews without a card in Slack are
claimed too, with no line: a card posted later shows the review as it is anyway. A process
without Slack claims nothing: the review-changes sweep of one with Slack shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.blocks.format import rating_words
from bot.cards.card_step import CardUpdates
from storage.db import session_scope
from storage.models import ReviewChange, WorkKind, utcnow
from storage.reviews import claim_changes
from storage.slack_messages import posted_cards

BATCH = 500


def change_line(change: ReviewChange) -> tuple[str, str | None]:
    """The history kind for a change and its detail ("1★ → 4★" for a new rating)."""
    if change.old_rating != change.new_rating:
        return (
            "rating_changed",
            f"{rating_words(change.old_rating)} → {rating_words(change.new_rating)}",
        )
    return "review_changed", None


class ChangeNotices:
    def __init__(
        self,
        engine: Engine,
        updates: CardUpdates,
        *,
        in_slack: bool,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """`in_slack`: there is a Slack client; without one, changes wait for a process
        that has (the sweep of a serving process shows them)."""
        self._engine = engine
        self._updates = updates
        self._in_slack = in_slack
        self._clock = clock

    def store(self, session: Session, review_ids: Sequence[int] | None = None) -> list[int]:
        """In the caller's transaction: claim the changes not shown yet (of these reviews, or
        of all) and store what shows them. The reviews whose card is to be redrawn; then,
        after the commit, `stored()` with them."""
        if not self._in_slack or (review_ids is not None and not review_ids):
            return []  # nothing to look for: intake's batch of new reviews costs no query
        changes = claim_changes(session, now=self._clock(), review_ids=review_ids, limit=BATCH)
        cards = posted_cards(session, sorted({c.review_id for c in changes}))
        for change in changes:
            if change.review_id in cards:
                kind, detail = change_line(change)
                self._updates.add(session, change.review_id, kind, None, detail)
        return sorted(cards)

    def stored(self, review_ids: Sequence[int]) -> None:
        self._updates.work.stored([WorkKind.card], review_ids)

    def show(self, review_ids: Sequence[int] | None = None) -> int:
        """Show every change not shown yet, of these reviews or of all; returns how many
        cards are to be redrawn."""
        with session_scope(self._engine) as session:
            redrawn = self.store(session, review_ids)
        self.stored(redrawn)
        return len(redrawn)
