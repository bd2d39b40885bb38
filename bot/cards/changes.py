"""A customer's new rating or text, shown on the review's card as soon as intake stores it:
the card is redrawn (it shows 1★ → 4★, and that its draft is older than the change) and its
thread says what changed.

Each change is shown once: it is claimed (`shown_at`) before it is shown, and given back when
Slack fails, so the review-changes sweep shows it later. Changes of reviews without a card in
Slack are claimed too: a card posted later shows the review as it is anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.blocks.format import rating_words
from bot.cards.service import CardService
from storage.db import session_scope
from storage.models import ReviewChange, stored_ids, utcnow
from storage.reviews import claim_changes, release_changes
from storage.slack_messages import posted_cards

log = logging.getLogger(__name__)

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
        cards: CardService,
        *,
        in_slack: bool,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """`in_slack`: there is a Slack client; without one, changes wait for a process
        that has (the sweep of a serving process shows them)."""
        self._engine = engine
        self._cards = cards
        self._in_slack = in_slack
        self._clock = clock
        self._pool: ThreadPoolExecutor | None = None

    def start(self) -> None:
        # One thread: a review's redraws and thread lines stay in the order they came.
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="review-changes")

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def submit(self, review_ids: list[int]) -> None:
        """Show the changes of these reviews: in the background when started (intake answers
        at once), inline otherwise (CLI, tests)."""
        if self._pool is None:
            self._show_logged(review_ids)
        else:
            self._pool.submit(self._show_logged, review_ids)

    def show(self, review_ids: Sequence[int] | None = None) -> int:
        """Show every change not shown yet, of these reviews or of all; returns how many
        cards were redrawn."""
        if not self._in_slack:
            return 0
        with session_scope(self._engine) as session:
            changes = claim_changes(session, now=self._clock(), review_ids=review_ids, limit=BATCH)
            cards = posted_cards(session, sorted({c.review_id for c in changes}))
        pending = [c for c in changes if c.review_id in cards]
        try:
            for review_id in sorted(cards):
                self._cards.post_or_update(review_id)
                for change in [c for c in pending if c.review_id == review_id]:
                    kind, detail = change_line(change)
                    self._cards.notes.history(review_id, kind, None, detail)
                    pending.remove(change)
        except BaseException:
            with session_scope(self._engine) as session:
                release_changes(session, change_ids=stored_ids(pending))
            raise
        return len(cards)

    def _show_logged(self, review_ids: list[int]) -> None:
        try:
            self.show(review_ids)
        except Exception:
            # Given back above: the review-changes sweep shows them.
            log.exception("showing the changes of reviews %s failed", review_ids)
