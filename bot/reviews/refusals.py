"""Why a decision on a review is refused: a stale button, someone who is not an approver, an
erased review, a draft older than the customer's last change, a review no longer waiting.

Each check returns None when the decision may go ahead, or the words to tell the user why not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.blocks.format import local_time
from bot.blocks.mrkdwn import mention
from bot.cards.card_step import CardUpdates
from bot.cards.service import CardService
from bot.cards.view import changed_since
from storage.db import session_scope
from storage.decisions import latest_decision, record_decision
from storage.drafts import latest_draft
from storage.models import ReviewStatus, WorkKind, utcnow
from storage.review_states import find_review
from storage.slack_messages import card_drawn_at

STALE = (
    "This card changed since you last saw it (someone acted on it, or a new draft came). "
    "Look at the card again, then try once more."
)
NOT_APPROVER = "Only the team's approvers can approve or decline replies. Ask one of them."
ERASED_REVIEW = (
    "This review was erased (the customer's personal data is deleted), so no reply can be "
    "drafted, edited, approved or published for it. Decline it to take it off the queue."
)
OUTDATED_DRAFT = (
    "The customer changed this review ({changed}) after this draft was written. Use "
    "Regenerate for a draft that answers the new text, or Edit to write one."
)


class ApproverCheck(Protocol):
    """Whether `user` may decide a review of `brand` (None: a review of no brand)."""

    def may_decide(self, user: str, *, brand: str | None) -> bool: ...


class Refusals:
    """The checks every decision passes first; `DecisionService` is one."""

    def __init__(
        self,
        engine: Engine,
        *,
        cards: CardService,
        updates: CardUpdates,
        approvers: ApproverCheck,
        tz: tzinfo,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._cards = cards
        self._updates = updates
        self._work = updates.work
        self._approvers = approvers
        self._tz = tz
        self._clock = clock

    def check(
        self,
        review_id: int,
        card_version: int,
        actor: str,
        *,
        deciding: str | None = None,
        about_reply: bool = False,
    ) -> str | None:
        """Refuse a stale button, or someone who is not an approver when `deciding`
        ("approve", "decline"); `about_reply` (edit, regenerate): an erased review too."""
        if about_reply and (refusal := self._erased(review_id)):
            return refusal
        if refusal := self._stale(review_id, card_version):
            return refusal
        if deciding:
            return self.check_approver(review_id, actor, deciding)
        return None

    def is_stale(self, review_id: int, card_version: int) -> bool:
        return self._stale(review_id, card_version) is not None

    def check_approver(self, review_id: int, actor: str, attempted: str) -> str | None:
        """None for an approver of the review's brand; otherwise the refusal, recorded in the
        audit and the thread."""
        with Session(self._engine) as session:
            review = find_review(session, review_id=review_id)
        if self._approvers.may_decide(actor, brand=review.brand if review else None):
            return None
        with session_scope(self._engine) as session:
            record_decision(
                session,
                review_id=review_id,
                action="refused",
                actor=actor,
                at=self._clock(),
                detail={"attempted": attempted},
            )
            self._updates.add(session, review_id, "refused", actor)
        self._work.stored([WorkKind.card], [review_id])
        return NOT_APPROVER

    def _erased(self, review_id: int) -> str | None:
        with Session(self._engine) as session:
            review = find_review(session, review_id=review_id)
        return ERASED_REVIEW if review is not None and review.erased_at is not None else None

    def _not_answerable(self, review_id: int, *, edited: bool) -> str | None:
        """The refusal when what is about to be approved answers nothing, or the review as it
        was: an erased review, or a draft written before the customer's last change. An
        edited text was written for the card as it was drawn when the modal was opened."""
        with Session(self._engine) as session:
            review = find_review(session, review_id=review_id)
            if review is None:
                return None
            if review.erased_at is not None:
                return ERASED_REVIEW
            written_at = card_drawn_at(session, review_id=review_id) if edited else None
            if written_at is None:
                draft = latest_draft(session, review_id=review_id)
                written_at = draft.created_at if draft is not None else None
            changed = changed_since(session, review_id, written_at) if written_at else None
        return OUTDATED_DRAFT.format(changed=changed) if changed else None

    def _stale(self, review_id: int, card_version: int) -> str | None:
        """The refusal for a button older than the card, None for a current one. When the
        card changed because someone decided, saying who is more use than "it changed"."""
        current = self._cards.current_version(review_id)
        if current is None or card_version >= current:
            return None
        with Session(self._engine) as session:
            review = find_review(session, review_id=review_id)
        if review is not None and review.status in (ReviewStatus.approved, ReviewStatus.declined):
            return self._not_pending(review_id)
        return STALE

    def _not_pending(self, review_id: int) -> str:
        """Why a review waiting for a decision is not waiting any more."""
        with Session(self._engine) as session:
            review = find_review(session, review_id=review_id)
            decision = latest_decision(session, review_id=review_id)
        if review is None:
            return "This review no longer exists."
        if review.status in (ReviewStatus.approved, ReviewStatus.declined) and decision:
            when = local_time(decision.at, self._tz)
            return f"Already {decision.action} by {mention(decision.actor or '?')} at {when}."
        if review.status == ReviewStatus.drafting:
            return "A new draft is being written; wait for it on the card."
        return "This review is not waiting for a decision."
