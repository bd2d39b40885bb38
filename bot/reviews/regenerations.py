"""The new draft a Regenerate click asks for, written by a worker.

The click (DecisionService.regenerate) stores a `regenerated` decision with the instruction,
and `regenerate` work, in one transaction. This step writes the draft with the instruction of
the latest `regenerated`; where no workers run (a command, the demo) it is written there and
then.
"""

from __future__ import annotations

import logging
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.cards.service import CardService
from bot.reviews.work_queue import LostClaim, WorkQueue
from storage.decisions import latest_with_action
from storage.models import ReviewStatus, WorkKind
from storage.work import ClaimedWork

log = logging.getLogger(__name__)


class Redraft(Protocol):
    def __call__(
        self,
        review_id: int,
        *,
        instruction: str | None,
        from_status: str,
        work: ClaimedWork | None,
    ) -> object | None: ...


class Regenerations:
    def __init__(
        self, engine: Engine, *, cards: CardService, work: WorkQueue, redraft: Redraft
    ) -> None:
        """`redraft` is Pipeline.draft."""
        self._engine = engine
        self._cards = cards
        self._work = work
        self._redraft = redraft
        work.run_inline(WorkKind.regenerate, self._here)

    def regenerate_work(self, work: ClaimedWork) -> None:
        """A worker's step: the new draft the latest regenerate click asked for."""
        self._regenerate(work.review_id, work)

    def _here(self, review_id: int) -> None:
        """No workers (a command, the demo): the draft is written now. Its work goes first,
        so the card the draft brings no longer shows "drafting…"."""
        self._work.drop(kind=WorkKind.regenerate, review_ids=[review_id])
        self._regenerate(review_id, None)

    def _regenerate(self, review_id: int, work: ClaimedWork | None) -> None:
        with Session(self._engine) as session:
            asked = latest_with_action(session, review_id=review_id, action="regenerated")
        if asked is None:
            return
        instruction = (asked.detail or {}).get("instruction")
        actor = asked.actor or ""
        try:
            result = self._redraft(
                review_id, instruction=instruction, from_status=ReviewStatus.pending, work=work
            )
        except LostClaim:
            raise  # the worker that took it over writes the draft and tells
        except Exception:
            log.exception("regenerating the draft of review %s failed", review_id)
            self._cards.post_or_update(review_id)
            self._cards.notes.tell(
                review_id, actor, "The new draft could not be written. Try again in a minute."
            )
            return
        if result is None:
            # Someone decided meanwhile, or the draft failed (the card already says so):
            # redraw, so the card does not keep showing "drafting".
            self._cards.post_or_update(review_id)
