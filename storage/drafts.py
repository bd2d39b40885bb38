"""The drafts of a review: the versions written so far, the latest, and the next one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Draft

HUMAN = "human"  # Draft.kind of a version a person wrote or edited


def draft_texts(session: Session, *, review_id: int) -> list[str]:
    """Every draft text of the review so far, oldest first (a person's edits too)."""
    query = select(Draft.text).where(Draft.review_id == review_id).order_by(col(Draft.version))
    return list(session.exec(query))


def latest_draft(session: Session, *, review_id: int) -> Draft | None:
    return session.exec(
        select(Draft).where(Draft.review_id == review_id).order_by(col(Draft.version).desc())
    ).first()


def latest_model_draft(session: Session, *, review_id: int) -> Draft | None:
    """The latest draft the app wrote (a model's or a template's), not a person's edit."""
    return session.exec(
        select(Draft)
        .where(Draft.review_id == review_id, Draft.kind != HUMAN)
        .order_by(col(Draft.version).desc())
    ).first()


def latest_drafts(session: Session) -> dict[int, Draft]:
    """Review id → its latest draft, for every review that has one."""
    return {d.review_id: d for d in session.exec(select(Draft).order_by(col(Draft.version)))}


def add_draft(
    session: Session,
    *,
    review_id: int,
    text: str,
    kind: str,
    created_at: datetime,
    **fields: Any,
) -> Draft:
    """The review's next draft version, flushed so it has its id."""
    latest = session.exec(select(func.max(Draft.version)).where(Draft.review_id == review_id))
    draft = Draft(
        review_id=review_id,
        version=(latest.one() or 0) + 1,
        text=text,
        kind=kind,
        created_at=created_at,
        **fields,
    )
    session.add(draft)
    session.flush()
    return draft
