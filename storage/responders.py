"""Responder rows: the signature a person set, and the Slack name last looked up for them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.models import Responder


def find_responder(session: Session, *, user_id: str) -> Responder | None:
    return session.get(Responder, user_id)


def _row(session: Session, user_id: str, now: datetime) -> Responder:
    row = session.get(Responder, user_id)
    if row is None:
        row = Responder(user_id=user_id, updated_at=now)
        session.add(row)
    return row


def set_signature(session: Session, *, user_id: str, signature: str | None, now: datetime) -> None:
    """`signature` None (or blank): sign with the Slack name again."""
    row = _row(session, user_id, now)
    row.signature = (signature or "").strip() or None
    row.updated_at = now


def remember_slack_name(session: Session, *, user_id: str, name: str | None, now: datetime) -> None:
    row = _row(session, user_id, now)
    row.slack_name = name
    row.name_checked_at = now
    row.updated_at = now
