"""Where polling each configured source stands: its cursor, failures and pause."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage.db import session_scope
from storage.models import SourceCursor


def read_cursor(engine: Engine, *, source_name: str) -> SourceCursor:
    """The source's cursor; a fresh one for a source never polled."""
    with Session(engine) as session:
        return session.get(SourceCursor, source_name) or SourceCursor(source_name=source_name)


def save_cursor(engine: Engine, *, source_name: str, **values: object) -> None:
    with session_scope(engine) as session:
        cursor = session.get(SourceCursor, source_name)
        if cursor is None:
            cursor = SourceCursor(source_name=source_name)
            session.add(cursor)
        for name, value in values.items():
            setattr(cursor, name, value)
