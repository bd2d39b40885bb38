"""The customer follow-up's rows: the replies due a question, and the answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import CardState, Decision, Review, ReviewStatus, SlackCard, not_null
from storage.reviews import move_stamp

FOLLOWED_UP = "followed_up"


def replies_due(
    session: Session, *, replied_before: datetime
) -> list[tuple[int, datetime, str, str]]:
    """(review id, replied at, card channel, card ts) of each approved review whose reply
    went out before `replied_before` (published, else decided) and was not asked about yet."""
    replied_at = func.coalesce(Review.published_at, Review.decided_at)
    return list(
        session.exec(
            select(not_null(Review.id), replied_at, col(SlackCard.channel), not_null(SlackCard.ts))
            .join(SlackCard, col(SlackCard.review_id) == Review.id)
            .where(
                Review.status == ReviewStatus.approved,
                col(Review.follow_up_asked_at).is_(None),
                col(Review.followed_up_at).is_(None),
                replied_at <= replied_before,
                SlackCard.state == CardState.posted,
            )
            .order_by(col(Review.id))
        ).all()
    )


def record_answer(
    session: Session, *, review_id: int, actor: str, outcome: str, now: datetime
) -> bool:
    """Record the answer; False when someone answered first (one answer per review)."""
    if not move_stamp(session, review_id=review_id, stamp="followed_up_at", frm=None, to=now):
        return False
    session.add(
        Decision(
            review_id=review_id,
            action=FOLLOWED_UP,
            actor=actor,
            at=now,
            detail={"outcome": outcome},
        )
    )
    return True
