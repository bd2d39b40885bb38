"""Publishing approved replies and keeping the card's publish state in step."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.cards.service import CardService
from bot.publishing.base import ERASED_NOT_SENT, OutgoingReply, PublishError
from bot.publishing.registry import PublisherRegistry
from storage.db import session_scope
from storage.decisions import latest_decision
from storage.models import PublishState, ReviewStatus, utcnow
from storage.review_states import find_review, move_publish_state

log = logging.getLogger(__name__)

# Longer errors are cut: the card shows them, and a receiver could answer with a page of HTML.
ERROR_LIMIT = 500


class PublishService:
    def __init__(
        self,
        engine: Engine,
        publishers: PublisherRegistry,
        cards: CardService,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._publishers = publishers
        self._cards = cards
        self._clock = clock

    def state_after_approval(self, source: str) -> PublishState:
        """Set in the approval's own transaction, so the card never shows an approval with
        no word on what happens next."""
        if self._publishers.for_source(source).automatic:
            return PublishState.publishing
        return PublishState.manual

    def publish(self, review_id: int) -> None:
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
        reply = OutgoingReply(review_id, review.source, review.external_id, decision.final_text)
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
            self._finish(review_id, PublishState.failed, publish_error=error)
            log.warning(
                "reply not published", extra={**logged, "outcome": "failed", "error": error}
            )
            self._cards.post_or_update(review_id)
            self._cards.notes.history(review_id, "publish_failed", None, error)
            return
        self._finish(review_id, PublishState.published, published_at=self._clock())
        log.info("reply published", extra={**logged, "outcome": "published"})
        self._cards.post_or_update(review_id)
        self._cards.notes.history(review_id, "published", None)

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
        if not moved:
            return False
        self._cards.post_or_update(review_id)
        self.publish(review_id)
        return True

    def _finish(self, review_id: int, state: PublishState, **values: object) -> None:
        with session_scope(self._engine) as session:
            move_publish_state(
                session, review_id=review_id, frm=PublishState.publishing, to=state, **values
            )
