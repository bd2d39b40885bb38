"""Votes on drafts: one per person and draft, the latest click standing."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from storage.db import dialect_insert
from storage.models import Draft, DraftVote

VOTES = (1, -1)


def record_vote(
    session: Session, *, review_id: int, draft_id: int, user_id: str, vote: int, at: datetime
) -> bool:
    """Store `user_id`'s 👍 (+1) or 👎 (-1) on the review's draft, replacing their earlier
    vote on it; False when the review has no such draft."""
    if vote not in VOTES:
        raise ValueError(f"a vote is +1 or -1, not {vote!r}")
    found = session.execute(
        sa.select(col(Draft.id)).where(col(Draft.id) == draft_id, col(Draft.review_id) == review_id)
    ).first()
    if found is None:
        return False
    statement = dialect_insert(session)(DraftVote).values(
        draft_id=draft_id, review_id=review_id, user_id=user_id, vote=vote, at=at
    )
    # One statement, so two clicks at once by the same person leave one row, not an error.
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["draft_id", "user_id"],
            set_={"vote": statement.excluded.vote, "at": statement.excluded.at},
        )
    )
    return True
