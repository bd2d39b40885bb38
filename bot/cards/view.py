"""Storage rows → the `CardView` the pure Block Kit builders take."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlmodel import Session

from bot.blocks.card_view import CardDecision, CardDraft, CardFinding, CardView
from bot.blocks.format import change_summary
from bot.routing import Routing
from bot.vocabulary import DECLINE_REASONS
from storage.decisions import DECIDING_ACTIONS, latest_decision
from storage.drafts import latest_draft, latest_model_draft
from storage.models import Decision, Draft, Review, ReviewStatus
from storage.review_states import find_review
from storage.reviews import changes_since

_DRAFTING = {ReviewStatus.received, ReviewStatus.triaged, ReviewStatus.drafting}


def changed_since(session: Session, review_id: int, written_at: datetime) -> str | None:
    """What the customer changed in the review after `written_at` ("2★ → 4★"), all changes
    since taken together; None when nothing changed since."""
    changes = changes_since(session, review_id=review_id, since=written_at)
    if not changes:
        return None
    first, last = changes[0], changes[-1]
    return change_summary(
        first.old_rating,
        last.new_rating,
        text_changed=(first.old_text, first.old_title) != (last.new_text, last.new_title),
    )


def decline_reason_text(reason: str, note: str | None) -> str:
    """What the card shows as the reason: the label, and the note when one was written."""
    label = DECLINE_REASONS.get(reason, reason)
    return f"{label}: {note}" if note else label


def _state(review: Review, drafting: bool) -> str:
    if drafting or review.status in _DRAFTING:
        return "drafting"
    if review.status in DECIDING_ACTIONS:
        return review.status
    if review.status == ReviewStatus.positive:  # carded only with CARD_POSITIVE: nothing to do
        return "positive"
    return "draft_failed" if review.draft_error else "pending"


def _card_draft(draft: Draft | None) -> CardDraft | None:
    if draft is None:
        return None
    return CardDraft(
        version=draft.version,
        text=draft.text,
        translation=draft.reply_translation,
        kind=draft.kind,  # type: ignore[arg-type]  # stored as a plain string: llm, template or human
        findings=tuple(
            CardFinding(code=str(f.get("code", "")), message=str(f.get("message", "")))
            for f in draft.findings
        ),
        draft_id=draft.id,
    )


def _card_decision(decision: Decision | None) -> CardDecision | None:
    if decision is None:
        return None
    reason = (
        decline_reason_text(decision.reason, decision.detail.get("note"))
        if decision.reason
        else None
    )
    return CardDecision(
        action=decision.action,  # type: ignore[arg-type]
        actor=decision.actor or "",
        at=decision.at,
        final_text=decision.final_text,
        edited=decision.edited,
        reason=reason,
    )


def _changed_after_reply(session: Session, review: Review) -> bool:
    if review.status != ReviewStatus.approved or review.decided_at is None:
        return False
    assert review.id is not None  # a stored row
    return bool(changes_since(session, review_id=review.id, since=review.decided_at))


def load_card_view(
    session: Session,
    review_id: int,
    *,
    card_version: int,
    team_language: str,
    lead_contacts: tuple[str, ...] = (),
    routing: Routing | None = None,
    drafting: bool = False,
) -> CardView | None:
    """The card for `review_id` as storage has it now; `drafting` shows a new draft on its way
    before the pipeline has picked the request up; `routing` names the review's brand. None
    when there is no such review."""
    review = find_review(session, review_id=review_id)
    if review is None:
        return None
    rating_change = None
    if review.first_rating is not None and review.rating not in (None, review.first_rating):
        rating_change = (review.first_rating, review.rating)
    priority: Literal["normal", "urgent"] = "urgent" if review.priority == "urgent" else "normal"
    draft = latest_draft(session, review_id=review_id)
    state = _state(review, drafting)
    outdated = None
    if draft is not None and state == "pending":
        outdated = changed_since(session, review_id, draft.created_at)
    return CardView(
        review_id=review_id,
        card_version=card_version,
        source=review.source,
        rating=review.rating,
        title=review.title,
        text=review.text,
        author=review.author,
        location=review.location,
        url=review.url,
        created_at=review.created_at,
        language=review.language or review.language_hint or "und",
        language_assumed=review.language_assumed,
        review_translation=review.review_translation,
        team_language=team_language,
        themes=tuple(review.themes or ()),
        priority=priority,
        urgent_reason=review.urgent_reason,
        lead_contacts=lead_contacts,
        state=state,  # type: ignore[arg-type]
        draft=_card_draft(draft),
        draft_error=review.draft_error,
        assignee=review.assignee,
        decision=_card_decision(latest_decision(session, review_id=review_id)),
        publish_state=review.publish_state,  # type: ignore[arg-type]
        publish_error=review.publish_error,
        rating_change=rating_change,
        changed_after_reply=_changed_after_reply(session, review),
        sla_breached=review.sla_breached_at is not None,  # set by the SLA job
        waiting_since=review.received_at if review.status in _DRAFTING else None,
        draft_outdated=outdated,
        erased=review.erased_at is not None,
        without_model=_drafted_without_model(session, review_id),
        brand_name=_brand_name(routing, review.brand),
        route=review.route,
    )


def _brand_name(routing: Routing | None, brand_id: str | None) -> str | None:
    # A brand since taken out of ROUTES_FILE is still the review's: shown by its id.
    brand = routing.brand(brand_id) if routing else None
    return brand.name if brand else brand_id


def _drafted_without_model(session: Session, review_id: int) -> bool:
    # What the app last drafted tells how it drafts: a template means no model is configured.
    model_draft = latest_model_draft(session, review_id=review_id)
    return model_draft is not None and model_draft.kind == "template"
