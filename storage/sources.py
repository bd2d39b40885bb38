"""Where each configured review source's polling stands (table `source_cursor`)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from storage.models import SourceCursor


def source_cursor(session: Session, *, source_name: str) -> SourceCursor:
    """The source's cursor; a fresh one (not stored) for a source never polled."""
    return session.get(SourceCursor, source_name) or SourceCursor(source_name=source_name)


def save_cursor(session: Session, *, source_name: str, **values: Any) -> None:
    cursor = session.get(SourceCursor, source_name)
    if cursor is None:
        cursor = SourceCursor(source_name=source_name)
        session.add(cursor)
    for name, value in values.items():
        setattr(cursor, name, value)
