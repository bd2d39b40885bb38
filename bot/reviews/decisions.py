"""What the team decides on a review: approve, edit, regenerate, decline, assign, mark posted.

Every decision is a compare-and-set on `review.status` in the same transaction as its
`Decision` row, so two people clicking Approve at once record exactly one approval. Each
method returns None when it went through, or the words to tell the user why it did not
(bot/reviews/refusals.py). A little over 300 lines: one method per button.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.blocks.labels import source_label
from bot.cards.card_step import CardUpdates
from bot.cards.service import CardService
from bot.cards.view import decline_reason_text
from bot.drafting.signature import fill_signature
from bot.publishing.service import PublishService
from bot.reviews.edits import add_human_draft, edit_detail
from bot.reviews.refusals import ApproverCheck, Refusals
from bot.routing import Routing
from bot.sources.platforms import reply_length_limit
from storage.db import session_scope
from storage.decisions import record_decision
from storage.drafts import latest_draft, latest_model_draft
from storage.models import PublishState, ReviewStatus, WorkKind, utcnow
from storage.review_states import find_review, move_publish_state, move_status, set_assignee

log = logging.getLogger(__name__)


class SignerNames(Protocol):
    def name_for(self, user: str) -> str | None: ...


class DecisionService(Refusals):
    def __init__(
        self,
        engine: Engine,
        *,
        cards: CardService,
        updates: CardUpdates,
        publishing: PublishService,
        approvers: ApproverCheck,
        signers: SignerNames,
        routing: Routing,
        tz: tzinfo,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """`routing`: each review's brand, whose sign-off signs a reply when its approver has
        no name. What a decision shows in Slack, the reply it publishes and the draft a
        regenerate asks for are work stored with the decision (`updates`), done by the
        workers (the new draft: bot/reviews/regenerations.py)."""
        super().__init__(
            engine, cards=cards, updates=updates, approvers=approvers, tz=tz, clock=clock
        )
        self._signers = signers
        self._routing = routing
        self._publishing = publishing

    # --- decisions ----------------------------------------------------------------------
    def approve(self, review_id: int, card_version: int, actor: str) -> str | None:
        """Approve the current draft as it stands."""
        return self._approve(review_id, card_version, actor, edited_text=None)

    def edit(
        self, review_id: int, card_version: int, actor: str, text: str, *, approve_now: bool
    ) -> str | None:
        """A person's version of the reply: approved at once, or kept as the new draft."""
        if approve_now:
            return self._approve(review_id, card_version, actor, edited_text=text)
        return self.save_draft(review_id, card_version, actor, text)

    def save_draft(self, review_id: int, card_version: int, actor: str, text: str) -> str | None:
        if refusal := self.check(review_id, card_version, actor, about_reply=True):
            return refusal
        now = self._clock()
        with session_scope(self._engine) as session:
            # Writing by hand also clears a failed draft's error: there is a draft now.
            if not self._move(session, review_id, ReviewStatus.pending, ReviewStatus.pending):
                session.rollback()
                return self._not_pending(review_id)
            draft = add_human_draft(session, review_id=review_id, text=text, at=now)
            record_decision(
                session,
                review_id=review_id,
                draft_id=draft.id,
                action="edited",
                actor=actor,
                at=now,
                edited=True,
                detail=edit_detail(latest_model_draft(session, review_id=review_id), text),
            )
            self._updates.add(session, review_id, "edited", actor)
        log.info("decision", extra={"review_id": review_id, "decision": "edited", "who": actor})
        self._work.stored([WorkKind.card], [review_id])
        return None

    def decline(
        self, review_id: int, card_version: int, actor: str, reason: str, note: str | None
    ) -> str | None:
        if refusal := self.check(review_id, card_version, actor, deciding="decline"):
            return refusal
        now = self._clock()
        with session_scope(self._engine) as session:
            if not self._move(
                session, review_id, ReviewStatus.pending, ReviewStatus.declined, decided_at=now
            ):
                session.rollback()
                return self._not_pending(review_id)
            record_decision(
                session,
                review_id=review_id,
                action="declined",
                actor=actor,
                at=now,
                reason=reason,
                detail={"note": note} if note else {},
            )
            self._updates.add(
                session, review_id, "declined", actor, decline_reason_text(reason, note)
            )
        log.info(
            "decision",
            extra={"review_id": review_id, "decision": "declined", "who": actor, "reason": reason},
        )
        self._work.stored([WorkKind.card], [review_id])
        return None

    def assign(self, review_id: int, card_version: int, actor: str, assignee: str) -> str | None:
        if refusal := self._stale(review_id, card_version):
            return refusal
        with session_scope(self._engine) as session:
            set_assignee(session, review_id=review_id, assignee=assignee)
            record_decision(
                session,
                review_id=review_id,
                action="assigned",
                actor=actor,
                at=self._clock(),
                detail={"assignee": assignee},
            )
            self._updates.add(session, review_id, "assigned", actor, assignee)
        log.info(
            "decision",
            extra={
                "review_id": review_id,
                "decision": "assigned",
                "who": actor,
                "assignee": assignee,
            },
        )
        self._work.stored([WorkKind.card], [review_id])
        return None

    def regenerate(
        self, review_id: int, card_version: int, actor: str, instruction: str | None
    ) -> str | None:
        """Show "drafting…" on the card now; the new draft is written in the background."""
        if refusal := self.check(review_id, card_version, actor, about_reply=True):
            return refusal
        with session_scope(self._engine) as session:
            review = find_review(session, review_id=review_id)
            if review is None or review.status != ReviewStatus.pending:
                session.rollback()
                return self._not_pending(review_id)
            record_decision(
                session,
                review_id=review_id,
                action="regenerated",
                actor=actor,
                at=self._clock(),
                detail={"instruction": instruction} if instruction else {},
            )
            # With the decision, so a crash after it cannot lose the request; a worker writes
            # the draft with the instruction of the latest `regenerated`. The card shows
            # "drafting…" while this work is stored (bot/cards/card_step.py), and the line
            # saying who asked comes before the new draft fills the card in.
            self._updates.add(session, review_id, "regenerated", actor, instruction)
            self._work.add(session, kind=WorkKind.regenerate, review_ids=[review_id])
        log.info(
            "decision", extra={"review_id": review_id, "decision": "regenerated", "who": actor}
        )
        self._work.stored([WorkKind.card, WorkKind.regenerate], [review_id])
        return None

    # Mark as posted and Retry act on the publish state alone, whose compare-and-set already
    # refuses a second click; a card version check would only get in the way.
    def mark_posted(self, review_id: int, actor: str) -> str | None:
        now = self._clock()
        with session_scope(self._engine) as session:
            if not move_publish_state(
                session,
                review_id=review_id,
                frm=PublishState.manual,
                to=PublishState.posted,
                published_at=now,
            ):
                session.rollback()
                return "This reply is already marked as posted."
            record_decision(session, review_id=review_id, action="posted", actor=actor, at=now)
            self._updates.add(session, review_id, "posted", actor)
        log.info("decision", extra={"review_id": review_id, "decision": "posted", "who": actor})
        self._work.stored([WorkKind.card], [review_id])
        return None

    def retry_publish(self, review_id: int) -> str | None:
        if refusal := self._erased(review_id):
            return refusal
        if not self._publishing.retry(review_id):
            return "This reply is not waiting for another try."
        return None

    # --- inside -------------------------------------------------------------------------
    def _approve(
        self, review_id: int, card_version: int, actor: str, *, edited_text: str | None
    ) -> str | None:
        if refusal := self._not_answerable(review_id, edited=edited_text is not None):
            return refusal
        if refusal := self.check(review_id, card_version, actor, deciding="approve"):
            return refusal
        signer = self._signers.name_for(actor)  # may ask Slack: before the transaction opens
        now = self._clock()
        with session_scope(self._engine) as session:
            review = find_review(session, review_id=review_id)
            if review is None:
                return "This review no longer exists."
            if edited_text is None:
                draft = latest_draft(session, review_id=review_id)
                if draft is None:
                    session.rollback()
                    return "There is no draft to approve yet: use Edit to write the reply."
            else:
                draft = add_human_draft(session, review_id=review_id, text=edited_text, at=now)
            signed = fill_signature(draft.text, signer, fallback=self._unsigned(review.brand))
            limit = reply_length_limit(review.source, review.language or "en")
            if limit is not None and len(signed) > limit:
                # The platform would refuse it; better said now than as a failed publication.
                session.rollback()
                return (
                    f"This reply is {len(signed)} characters and {source_label(review.source)} "
                    f"accepts at most {limit}. Use Edit to shorten it."
                )
            publish_state = self._publishing.state_after_approval(review.source)
            if not self._move(
                session,
                review_id,
                ReviewStatus.pending,
                ReviewStatus.approved,
                decided_at=now,
                publish_state=publish_state,
            ):
                # Someone else decided first: nothing of this attempt is kept.
                session.rollback()
                return self._not_pending(review_id)
            model = latest_model_draft(session, review_id=review_id)
            edited = model is None or model.text != draft.text
            record_decision(
                session,
                review_id=review_id,
                draft_id=draft.id,
                action="approved",
                actor=actor,
                at=now,
                final_text=signed,
                edited=edited,
                detail={"draft_version": draft.version}
                | (edit_detail(model, draft.text) if edited else {}),
            )
            self._updates.add(session, review_id, "approved", actor)
            if publish_state == PublishState.publishing:
                # With the approval: a reply approved is a reply sent, whoever crashes.
                self._work.add(session, kind=WorkKind.publish, review_ids=[review_id])
        log.info(
            "decision",
            extra={"review_id": review_id, "decision": "approved", "who": actor, "edited": edited},
        )
        publishes = [WorkKind.publish] if publish_state == PublishState.publishing else []
        self._work.stored([WorkKind.card, *publishes], [review_id])
        return None

    def signature_for(self, user: str, *, review_id: int | None = None) -> str:
        """What `user`'s approval signs a reply with: their own signature or Slack name, else
        the sign-off of the review's brand (a bot, a stranger)."""
        if name := self._signers.name_for(user):
            return name
        if review_id is None:
            return self._unsigned(None)
        with Session(self._engine) as session:
            review = find_review(session, review_id=review_id)
        return self._unsigned(review.brand if review is not None else None)

    def _unsigned(self, brand: str | None) -> str:
        return self._routing.team(brand).profile.signoff

    @staticmethod
    def _move(session: Session, review_id: int, frm: str, to: str, **values: object) -> bool:
        """A decision's status move; there is a draft now, so no draft error stays."""
        return move_status(session, review_id=review_id, frm=frm, to=to, draft_error=None, **values)
