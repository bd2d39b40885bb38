"""What the team decides on a review: approve, edit, regenerate, decline, assign, mark posted.

Every decision is a compare-and-set on `review.status` in the same transaction as its
`Decision` row, so two people clicking Approve at once record exactly one approval. Each
method returns None when it went through, or the words to tell the user why it did not.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime, tzinfo
from typing import Any, Protocol

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.blocks.format import local_time
from bot.blocks.labels import source_label
from bot.blocks.mrkdwn import mention
from bot.cards.card_view import (
    HUMAN,
    changed_since,
    decline_reason_text,
    latest_decision,
    latest_draft,
    latest_model_draft,
)
from bot.cards.service import CardService
from bot.drafting.signature import fill_signature
from bot.publishing.service import PublishService
from bot.sources.platforms import reply_length_limit
from storage.db import session_scope
from storage.models import Decision, Draft, PublishState, Review, ReviewStatus, utcnow
from storage.slack_messages import card_drawn_at

log = logging.getLogger(__name__)

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
    def may_decide(self, user: str) -> bool: ...


class SignerNames(Protocol):
    def name_for(self, user: str) -> str | None: ...


class Redraft(Protocol):
    def __call__(
        self, review_id: int, *, instruction: str | None, from_status: str
    ) -> object | None: ...


def edit_detail(model: Draft | None, final_text: str) -> dict[str, Any]:
    """What the model wrote and how the sent text differs from it, for the audit."""
    if model is None:
        return {"model_draft_id": None, "written_by_hand": True}
    diff = difflib.unified_diff(
        model.text.splitlines(),
        final_text.splitlines(),
        f"draft v{model.version} ({model.kind})",
        "sent",
        lineterm="",
    )
    return {"model_draft_id": model.id, "model_text": model.text, "diff": "\n".join(diff)}


def _next_version(session: Session, review_id: int) -> int:
    latest = session.exec(select(func.max(Draft.version)).where(Draft.review_id == review_id))
    return (latest.one() or 0) + 1


class DecisionService:
    def __init__(
        self,
        engine: Engine,
        *,
        cards: CardService,
        publishing: PublishService,
        approvers: ApproverCheck,
        signers: SignerNames,
        unsigned: str,
        redraft: Redraft,
        background: Executor,
        tz: tzinfo,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """`redraft` is Pipeline.draft; it runs on `background`, never in a Slack request.
        `unsigned`: what signs a reply whose approver has no name (the brand's sign-off)."""
        self._engine = engine
        self._signers = signers
        self._unsigned = unsigned
        self._cards = cards
        self._publishing = publishing
        self._approvers = approvers
        self._redraft = redraft
        self._background = background
        self._tz = tz
        self._clock = clock

    # --- checks before a modal opens ----------------------------------------------------
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
            draft = self._add_human_draft(session, review_id, text, now)
            session.add(
                Decision(
                    review_id=review_id,
                    draft_id=draft.id,
                    action="edited",
                    actor=actor,
                    at=now,
                    edited=True,
                    detail=edit_detail(latest_model_draft(session, review_id), text),
                )
            )
        log.info("decision", extra={"review_id": review_id, "decision": "edited", "who": actor})
        self._cards.post_or_update(review_id)
        self._cards.history(review_id, "edited", actor)
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
            session.add(
                Decision(
                    review_id=review_id,
                    action="declined",
                    actor=actor,
                    at=now,
                    reason=reason,
                    detail={"note": note} if note else {},
                )
            )
        log.info(
            "decision",
            extra={"review_id": review_id, "decision": "declined", "who": actor, "reason": reason},
        )
        self._cards.post_or_update(review_id)
        self._cards.history(review_id, "declined", actor, decline_reason_text(reason, note))
        return None

    def assign(self, review_id: int, card_version: int, actor: str, assignee: str) -> str | None:
        if refusal := self._stale(review_id, card_version):
            return refusal
        with session_scope(self._engine) as session:
            session.execute(update(Review).where(Review.id == review_id).values(assignee=assignee))
            session.add(
                Decision(
                    review_id=review_id,
                    action="assigned",
                    actor=actor,
                    at=self._clock(),
                    detail={"assignee": assignee},
                )
            )
        log.info(
            "decision",
            extra={
                "review_id": review_id,
                "decision": "assigned",
                "who": actor,
                "assignee": assignee,
            },
        )
        self._cards.post_or_update(review_id)
        self._cards.history(review_id, "assigned", actor, assignee)
        return None

    def regenerate(
        self, review_id: int, card_version: int, actor: str, instruction: str | None
    ) -> str | None:
        """Show "drafting…" on the card now; the new draft is written in the background."""
        if refusal := self.check(review_id, card_version, actor, about_reply=True):
            return refusal
        with session_scope(self._engine) as session:
            review = session.get(Review, review_id)
            if review is None or review.status != ReviewStatus.pending:
                session.rollback()
                return self._not_pending(review_id)
            session.add(
                Decision(
                    review_id=review_id,
                    action="regenerated",
                    actor=actor,
                    at=self._clock(),
                    detail={"instruction": instruction} if instruction else {},
                )
            )
        log.info(
            "decision", extra={"review_id": review_id, "decision": "regenerated", "who": actor}
        )
        self._cards.post_or_update(review_id, drafting=True)
        self._cards.history(review_id, "regenerated", actor, instruction)
        self._background.submit(self._write_new_draft, review_id, actor, instruction)
        return None

    # Mark as posted and Retry act on the publish state alone, whose compare-and-set already
    # refuses a second click; a card version check would only get in the way.
    def mark_posted(self, review_id: int, actor: str) -> str | None:
        now = self._clock()
        with session_scope(self._engine) as session:
            moved = session.execute(
                update(Review)
                .where(Review.id == review_id, Review.publish_state == PublishState.manual)
                .values(publish_state=PublishState.posted, published_at=now)
            ).rowcount
            if not moved:
                session.rollback()
                return "This reply is already marked as posted."
            session.add(Decision(review_id=review_id, action="posted", actor=actor, at=now))
        log.info("decision", extra={"review_id": review_id, "decision": "posted", "who": actor})
        self._cards.post_or_update(review_id)
        self._cards.history(review_id, "posted", actor)
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
            review = session.get(Review, review_id)
            if review is None:
                return "This review no longer exists."
            if edited_text is None:
                draft = latest_draft(session, review_id)
                if draft is None:
                    session.rollback()
                    return "There is no draft to approve yet: use Edit to write the reply."
            else:
                draft = self._add_human_draft(session, review_id, edited_text, now)
            signed = fill_signature(draft.text, signer, fallback=self._unsigned)
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
            model = latest_model_draft(session, review_id)
            edited = model is None or model.text != draft.text
            session.add(
                Decision(
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
            )
        log.info(
            "decision",
            extra={"review_id": review_id, "decision": "approved", "who": actor, "edited": edited},
        )
        self._cards.post_or_update(review_id)
        self._cards.history(review_id, "approved", actor)
        if publish_state == PublishState.publishing:
            self._publishing.publish(review_id)
        return None

    def signature_for(self, user: str) -> str:
        """What `user`'s approval signs a reply with: their own signature or Slack name, else
        the brand's sign-off (a bot, a stranger)."""
        return self._signers.name_for(user) or self._unsigned

    def _write_new_draft(self, review_id: int, actor: str, instruction: str | None) -> None:
        try:
            result = self._redraft(
                review_id, instruction=instruction, from_status=ReviewStatus.pending
            )
        except Exception:
            log.exception("regenerating the draft of review %s failed", review_id)
            self._cards.post_or_update(review_id)
            self._cards.tell(
                review_id, actor, "The new draft could not be written. Try again in a minute."
            )
            return
        if result is None:
            # Someone decided meanwhile, or the draft failed (the card already says so):
            # redraw, so the card does not keep showing "drafting".
            self._cards.post_or_update(review_id)

    def _add_human_draft(self, session: Session, review_id: int, text: str, at: datetime) -> Draft:
        draft = Draft(
            review_id=review_id,
            version=_next_version(session, review_id),
            text=text,
            kind=HUMAN,
            # The model's translation was of its own text; it does not describe this one.
            reply_translation=None,
            created_at=at,
        )
        session.add(draft)
        session.flush()
        return draft

    def check_approver(self, review_id: int, actor: str, attempted: str) -> str | None:
        """None for an approver; otherwise the refusal, recorded in the audit and the thread."""
        if self._approvers.may_decide(actor):
            return None
        with session_scope(self._engine) as session:
            session.add(
                Decision(
                    review_id=review_id,
                    action="refused",
                    actor=actor,
                    at=self._clock(),
                    detail={"attempted": attempted},
                )
            )
        self._cards.history(review_id, "refused", actor)
        return NOT_APPROVER

    def _erased(self, review_id: int) -> str | None:
        with Session(self._engine) as session:
            review = session.get(Review, review_id)
        return ERASED_REVIEW if review is not None and review.erased_at is not None else None

    def _not_answerable(self, review_id: int, *, edited: bool) -> str | None:
        """The refusal when what is about to be approved answers nothing, or the review as it
        was: an erased review, or a draft written before the customer's last change. An
        edited text was written for the card as it was drawn when the modal was opened."""
        with Session(self._engine) as session:
            review = session.get(Review, review_id)
            if review is None:
                return None
            if review.erased_at is not None:
                return ERASED_REVIEW
            written_at = card_drawn_at(session, review_id=review_id) if edited else None
            if written_at is None:
                draft = latest_draft(session, review_id)
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
            review = session.get(Review, review_id)
        if review is not None and review.status in (ReviewStatus.approved, ReviewStatus.declined):
            return self._not_pending(review_id)
        return STALE

    def _not_pending(self, review_id: int) -> str:
        """Why a review waiting for a decision is not waiting any more."""
        with Session(self._engine) as session:
            review = session.get(Review, review_id)
            decision = latest_decision(session, review_id)
        if review is None:
            return "This review no longer exists."
        if review.status in (ReviewStatus.approved, ReviewStatus.declined) and decision:
            when = local_time(decision.at, self._tz)
            return f"Already {decision.action} by {mention(decision.actor or '?')} at {when}."
        if review.status == ReviewStatus.drafting:
            return "A new draft is being written; wait for it on the card."
        return "This review is not waiting for a decision."

    @staticmethod
    def _move(session: Session, review_id: int, frm: str, to: str, **values: object) -> bool:
        result = session.execute(
            update(Review)
            .where(Review.id == review_id, Review.status == frm)
            .values(status=to, draft_error=None, **values)
        )
        return result.rowcount == 1
