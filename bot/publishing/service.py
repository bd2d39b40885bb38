"""Publishing approved replies and keeping the card's publish state in step."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.cards.card_step import CardUpdates
from bot.publishing.base import ERASED_NOT_SENT, OutgoingReply, PublishError
from bot.publishing.registry import PublisherRegistry
from storage.db import session_scope
from storage.decisions import latest_decision
from storage.models import PublishState, ReviewStatus, WorkKind, utcnow
from storage.review_states import find_review, move_publish_state
from storage.work import ClaimedWork

log = logging.getLogger(__name__)

# Longer errors are cut: the card shows them, and a receiver could answer with a page of HTML.
ERROR_LIMIT = 500


class PublishService:
    """Approved replies go out as `publish` work, stored with the approval (or the Retry) that
    makes them due, and sent by a worker (inline where none run, as the card's redraws).

    Once per approval: the publish state moves from `publishing` once (a compare-and-set), and
    only that move shows the outcome. A worker that dies mid-call leaves the work to another,
    which sends again: at least once, never a second reply the receiver cannot tell apart. The
    webhook's delivery id is the review's (`X-Reviewbot-Delivery`), the same on every try, so
    its receiver drops the second; a platform's reply is created or replaced (one per review),
    and its ledger keeps a reply it recorded sent from going out again."""

    def __init__(
        self,
        engine: Engine,
        publishers: PublisherRegistry,
        updates: CardUpdates,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._publishers = publishers
        self._updates = updates
        self._work = updates.work
        self._clock = clock
        self._work.run_inline(WorkKind.publish, self.publish)

    def state_after_approval(self, source: str) -> PublishState:
        """Set in the approval's own transaction, so the card never shows an approval with
        no word on what happens next."""
        if self._publishers.for_source(source).automatic:
            return PublishState.publishing
        return PublishState.manual

    def publish_work(self, work: ClaimedWork) -> None:
        """A worker's step; taken over, the worker before may have sent it already."""
        self.publish(work.review_id, resend=work.taken_over)

    def publish(self, review_id: int, *, resend: bool = False) -> None:
        """Send the approved reply of a review in state `publishing`, and show the outcome."""
        with Session(self._engine) as session:
            review = find_review(session, review_id=review_id)
            decision = latest_decision(session, review_id=review_id)
        if (
            review is None
            or review.status != ReviewStatus.approved
            or review.publish_state != PublishState.publishing
            or decision is None
            or decision.final_text is None
        ):
            return
        reply = OutgoingReply(
            review_id, review.source, review.external_id, decision.final_text, resend=resend
        )
        logged = {
            "review_id": review_id,
            "source": review.source,
            "via": type(self._publishers.for_source(review.source)).__name__,
        }
        try:
            if review.erased_at is not None:  # the publishers refuse the erased text, too
                raise PublishError(ERASED_NOT_SENT)
            self._publishers.for_source(review.source).publish(reply)
        except PublishError as exc:
            error = exc.reason[:ERROR_LIMIT]
            if self._finish(review_id, PublishState.failed, publish_error=error):
                log.warning(
                    "reply not published", extra={**logged, "outcome": "failed", "error": error}
                )
            return
        if self._finish(review_id, PublishState.published, published_at=self._clock()):
            log.info("reply published", extra={**logged, "outcome": "published"})

    def retry(self, review_id: int) -> bool:
        """Try a failed publish again; False when it is not in state `failed` (any more)."""
        with session_scope(self._engine) as session:
            moved = move_publish_state(
                session,
                review_id=review_id,
                frm=PublishState.failed,
                to=PublishState.publishing,
                publish_error=None,
            )
            if moved:
                self._updates.add(session, review_id)
                self._work.add(session, kind=WorkKind.publish, review_ids=[review_id])
        if not moved:
            return False
        self._work.stored([WorkKind.card, WorkKind.publish], [review_id])
        return True

    def _finish(self, review_id: int, state: PublishState, **values: object) -> bool:
        """The outcome, and its line, when this try is the one that records it."""
        with session_scope(self._engine) as session:
            moved = move_publish_state(
                session, review_id=review_id, frm=PublishState.publishing, to=state, **values
            )
            if moved:
                error = values.get("publish_error")
                self._updates.add(
                    session,
                    review_id,
                    "published" if state == PublishState.published else "publish_failed",
                    None,
                    error if isinstance(error, str) else None,
                )
        if moved:
            self._work.stored([WorkKind.card], [review_id])
        return moved
