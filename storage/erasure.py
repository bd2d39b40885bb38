"""Erasing a customer's personal data while keeping the anonymous numbers the KPIs need.

What goes: the author's name, the review's title and text, its link, the translation, every draft
and final reply (they greet the customer by name and restate what they wrote), the checks'
findings on the drafts and the urgency reason (they quote both), the team's words about the review
in the audit and the thread lines (regenerate instructions, decline notes, the model's text and
diff of an edit), and the old and new texts of recorded changes. What stays: source, location,
language, rating, dates, themes, states and the audit of who on the team did what — none of it
identifies the customer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.models import Decision, Draft, Review, ReviewChange, ThreadLine, not_null

ERASED = "[erased]"
# Audit details that quote the review or the reply, or say something about the customer.
PERSONAL_DETAIL = frozenset({"model_text", "diff", "instruction", "note"})


def reviews_by_author(session: Session, author: str) -> list[int]:
    name = author.strip().casefold()
    return list(
        session.exec(
            select(not_null(Review.id)).where(
                func.lower(col(Review.author)) == name, col(Review.erased_at).is_(None)
            )
        )
    )


def review_by_key(session: Session, source: str, external_id: str) -> int | None:
    return session.exec(
        select(Review.id).where(Review.source == source, Review.external_id == external_id)
    ).first()


def reviews_older_than(session: Session, cutoff: datetime) -> list[int]:
    return list(
        session.exec(
            select(not_null(Review.id)).where(
                col(Review.created_at) < cutoff, col(Review.erased_at).is_(None)
            )
        )
    )


def erased_among(session: Session, *, review_ids: Sequence[int]) -> set[int]:
    """Those of these reviews whose personal data was erased."""
    if not review_ids:
        return set()
    return set(
        session.exec(
            select(not_null(Review.id)).where(
                col(Review.id).in_(list(review_ids)), col(Review.erased_at).is_not(None)
            )
        )
    )


def erase_reviews(
    session: Session, review_ids: Sequence[int], *, now: datetime, actor: str, reason: str
) -> int:
    """Erase the personal data of these reviews; returns how many were erased."""
    ids = list(review_ids)
    if not ids:
        return 0
    session.execute(
        update(Review)
        .where(col(Review.id).in_(ids))
        .values(
            author=None,
            title=None,
            text=ERASED,
            url=None,
            review_translation=None,
            urgent_reason=None,
            erased_at=now,
        )
    )
    session.execute(
        update(ReviewChange)
        .where(col(ReviewChange.review_id).in_(ids))
        .values(old_title=None, new_title=None, old_text=None, new_text=None)
    )
    session.execute(
        update(Draft)
        .where(col(Draft.review_id).in_(ids))
        .values(text=ERASED, reply_translation=None, findings=[], instruction=None)
    )
    # The one update the append-only audit ever gets: the law outranks the log.
    session.execute(
        update(Decision)
        .where(col(Decision.review_id).in_(ids), col(Decision.final_text).is_not(None))
        .values(final_text=ERASED)
    )
    for decision in session.exec(select(Decision).where(col(Decision.review_id).in_(ids))):
        if PERSONAL_DETAIL.intersection(decision.detail or {}):
            decision.detail = {
                key: value for key, value in decision.detail.items() if key not in PERSONAL_DETAIL
            }
    # A line not posted yet would quote them too (an instruction, a decline note).
    session.execute(
        update(ThreadLine).where(col(ThreadLine.review_id).in_(ids)).values(detail=None)
    )
    # The erasure itself is audited, without anything personal in it.
    for review_id in ids:
        session.add(
            Decision(review_id=review_id, action="erased", actor=actor, at=now, reason=reason)
        )
    return len(ids)
