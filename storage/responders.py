"""Responder rows: the signature a person set, and the Slack name last looked up for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage.db import dialect_insert
from storage.models import Responder


def find_responder(session: Session, *, user_id: str) -> Responder | None:
    return session.get(Responder, user_id)


def _upsert(session: Session, user_id: str, now: datetime, **values: Any) -> None:
    # One statement, so two approvals at once by someone not seen before leave one row, not
    # a unique-key error that loses one of the approvals.
    statement = dialect_insert(session)(Responder).values(user_id=user_id, updated_at=now, **values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id"], set_={**values, "updated_at": now}
        )
    )


def set_signature(session: Session, *, user_id: str, signature: str | None, now: datetime) -> None:
    """`signature` None (or blank): sign with the Slack name again."""
    _upsert(session, user_id, now, signature=(signature or "").strip() or None)


def remember_slack_name(session: Session, *, user_id: str, name: str | None, now: datetime) -> None:
    _upsert(session, user_id, now, slack_name=name, name_checked_at=now)
