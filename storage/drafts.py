"""The drafts of a review, as the drafting engine needs them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import Draft


def draft_texts(session: Session, *, review_id: int) -> list[str]:
    """Every draft text of the review so far, oldest first (a person's edits too)."""
    query = select(Draft.text).where(Draft.review_id == review_id).order_by(col(Draft.version))
    return list(session.exec(query))
