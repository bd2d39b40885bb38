"""The audit of what the team decided on a review: every click recorded, the one in force."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.models import Decision

DECIDING_ACTIONS = ("approved", "declined")


def record_decision(
    session: Session,
    *,
    review_id: int,
    action: str,
    actor: str | None,
    at: datetime,
    **fields: Any,
) -> Decision:
    decision = Decision(review_id=review_id, action=action, actor=actor, at=at, **fields)
    session.add(decision)
    return decision


def latest_decision(session: Session, *, review_id: int) -> Decision | None:
    """The approval or decline in force (the audit also holds edits, refusals, assignments)."""
    return session.exec(
        select(Decision)
        .where(Decision.review_id == review_id, col(Decision.action).in_(DECIDING_ACTIONS))
        .order_by(col(Decision.id).desc())
    ).first()


def latest_approval(session: Session, *, review_id: int) -> Decision | None:
    return session.exec(
        select(Decision)
        .where(Decision.review_id == review_id, Decision.action == "approved")
        .order_by(col(Decision.at).desc(), col(Decision.id).desc())
    ).first()


def latest_with_action(session: Session, *, review_id: int, action: str) -> Decision | None:
    return session.exec(
        select(Decision)
        .where(Decision.review_id == review_id, Decision.action == action)
        .order_by(col(Decision.id).desc())
    ).first()


def audit_trail(session: Session) -> list[Decision]:
    """Every decision on every review, in the order they were made."""
    return list(session.exec(select(Decision).order_by(col(Decision.id))))
