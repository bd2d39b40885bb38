"""A review's state: read it, and move its status or publish state by compare-and-set.

Every move names the state it expects to leave, so two workers (or two people clicking at
once) never both make it: the one that finds the row elsewhere gets False.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.db import rows_updated
from storage.models import Review


def find_review(session: Session, *, review_id: int) -> Review | None:
    return session.get(Review, review_id)


def find_reviews(session: Session, *, review_ids: Sequence[int]) -> list[Review]:
    """Those of `review_ids` still stored, in no particular order."""
    return list(session.exec(select(Review).where(col(Review.id).in_(list(review_ids)))))


def move_status(session: Session, *, review_id: int, frm: str, to: str, **values: object) -> bool:
    """Compare-and-set on the status (setting `values` with it); False when another worker
    got there first."""
    return _compare_and_set(session, review_id, Review.status, frm, {"status": to, **values})


def move_publish_state(
    session: Session, *, review_id: int, frm: str, to: str, **values: object
) -> bool:
    """Compare-and-set on the publish state: a second click or worker finds it moved."""
    return _compare_and_set(
        session, review_id, Review.publish_state, frm, {"publish_state": to, **values}
    )


def _compare_and_set(
    session: Session, review_id: int, column: Any, expected: str, values: dict[str, object]
) -> bool:
    moved = rows_updated(
        session,
        update(Review)
        .where(col(Review.id) == review_id, col(column) == expected)
        .values(**values)
        # No ORM objects of these rows are relied on afterwards, and evaluating the WHERE in
        # Python for them costs more than the UPDATE itself.
        .execution_options(synchronize_session=False),
    )
    return moved == 1


def set_assignee(session: Session, *, review_id: int, assignee: str) -> None:
    session.execute(update(Review).where(col(Review.id) == review_id).values(assignee=assignee))
