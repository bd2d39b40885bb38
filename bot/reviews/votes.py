"""👍 / 👎 on a draft: stored per person and draft (a second click changes the vote), counted
in the draft-quality KPIs, and confirmed only to the person who clicked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.cards.service import CardService
from storage.db import session_scope
from storage.models import utcnow
from storage.votes import record_vote

THANKS = {1: "Thanks — noted 👍", -1: "Thanks — noted 👎"}
NO_DRAFT = "This draft no longer exists, so there is nothing to vote on."


class VoteService:
    def __init__(
        self, engine: Engine, *, cards: CardService, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._engine = engine
        self._cards = cards
        self._clock = clock

    def vote(self, review_id: int, draft_id: int, user: str, vote: int) -> str | None:
        """Record `user`'s vote (+1 or -1) on the draft they were shown, whatever the card
        shows now, and thank them privately; the words of a refusal otherwise."""
        with session_scope(self._engine) as session:
            stored = record_vote(
                session,
                review_id=review_id,
                draft_id=draft_id,
                user_id=user,
                vote=vote,
                at=self._clock(),
            )
        if not stored:
            return NO_DRAFT
        self._cards.notes.tell(review_id, user, THANKS[vote])
        return None
