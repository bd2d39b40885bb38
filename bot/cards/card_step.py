"""What a decision, a publication or a customer's change shows in Slack, and the step that
shows it.

The process that records one (in production often `reviewbot web`, which answers Slack and
makes no call a worker can make) stores, in the same transaction, the card's redraw as `card`
work and the line its thread gets as a `thread_line` row. A crash after the commit loses
neither; the card step (a worker's, or inline where no workers run: bot/reviews/work_queue.py)
draws the card as the review stands then, and posts the review's unposted lines in the order
they happened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.cards.service import CardService
from bot.reviews.work_queue import WorkQueue
from storage.models import ReviewStatus, WorkKind, utcnow
from storage.review_states import find_review
from storage.thread_lines import add_thread_line
from storage.work import work_waiting


class CardUpdates:
    def __init__(self, work: WorkQueue, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.work = work
        self._clock = clock

    def add(
        self,
        session: Session,
        review_id: int,
        line: str | None = None,
        actor: str | None = None,
        detail: str | None = None,
    ) -> None:
        """In the transaction of what happened: the card's redraw, and `line` (a history kind:
        "approved", "published"…) for its thread, by `actor`, with `detail`. Then, after the
        commit, `self.work.stored([WorkKind.card, …], [review_id])`."""
        if line is not None:
            add_thread_line(
                session,
                review_id=review_id,
                kind=line,
                actor=actor,
                detail=detail,
                at=self._clock(),
            )
        self.work.add(session, kind=WorkKind.card, review_ids=[review_id])


class CardStep:
    """The card step (bot/reviews/pipeline.py's `on_ready`)."""

    def __init__(self, engine: Engine, cards: CardService) -> None:
        self._engine = engine
        self._cards = cards

    def __call__(self, review_id: int, *, retried: bool = False) -> None:
        self._cards.post_or_update(review_id, drafting=self._regenerating(review_id))
        self._cards.notes.post_lines(review_id, retried=retried)

    def _regenerating(self, review_id: int) -> bool:
        """A new draft was asked for and is not written yet: its work is stored (the click's
        transaction stored it) and the review waits for a decision on the draft before it."""
        with Session(self._engine) as session:
            review = find_review(session, review_id=review_id)
            return (
                review is not None
                and review.status == ReviewStatus.pending
                and work_waiting(session, kind=WorkKind.regenerate, review_id=review_id)
            )
