"""The lines waiting for (or posted in) the threads of review cards."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import ThreadLine


def add_thread_line(
    session: Session,
    *,
    review_id: int,
    kind: str,
    actor: str | None,
    detail: str | None,
    at: datetime,
) -> ThreadLine:
    """In the transaction of what the line tells; its key marks the one message it becomes."""
    line = ThreadLine(
        review_id=review_id,
        kind=kind,
        actor=actor,
        detail=detail,
        at=at,
        line_key=uuid.uuid4().hex,
    )
    session.add(line)
    session.flush()
    return line


def unposted_thread_lines(session: Session, *, review_id: int) -> list[ThreadLine]:
    """The review's lines not in Slack yet, in the order they happened."""
    return list(
        session.exec(
            select(ThreadLine)
            .where(ThreadLine.review_id == review_id, col(ThreadLine.posted_at).is_(None))
            .order_by(col(ThreadLine.id))
        )
    )


def mark_thread_line_posted(session: Session, *, line_id: int, at: datetime) -> None:
    session.execute(
        update(ThreadLine)
        .where(col(ThreadLine.id) == line_id)
        .values(posted_at=at)
        .execution_options(synchronize_session=False)
    )
