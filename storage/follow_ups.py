"""The customer follow-up's rows: the replies due a question, and the answer."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from storage.models import CardState, Decision, Review, ReviewStatus, SlackCard, not_null
from storage.reviews import move_stamp

FOLLOWED_UP = "followed_up"
FOLLOW_UP_ASKED = "follow_up_asked"


def replies_due(
    session: Session, *, replied_before: datetime, stale_before: datetime
) -> list[tuple[int, datetime, str, str, datetime | None]]:
    """(review id, replied at, card channel, card ts, claim) of each approved review whose
    reply went out before `replied_before` (published, else decided) and was not asked about:
    never claimed, or claimed before `stale_before` with no question recorded as posted (the
    process died between the two)."""
    replied_at = func.coalesce(Review.published_at, Review.decided_at)
    asked = select(Decision.review_id).where(col(Decision.action) == FOLLOW_UP_ASKED)
    rows = session.execute(
        sa.select(  # five columns: SQLModel's select types four at most
            not_null(Review.id),
            replied_at,
            col(SlackCard.channel),
            not_null(SlackCard.ts),
            col(Review.follow_up_asked_at),
        )
        .join(SlackCard, col(SlackCard.review_id) == Review.id)
        .where(
            col(Review.status) == ReviewStatus.approved,
            or_(
                col(Review.follow_up_asked_at).is_(None),
                and_(
                    col(Review.follow_up_asked_at) <= stale_before,
                    col(Review.id).not_in(asked),
                ),
            ),
            col(Review.followed_up_at).is_(None),
            replied_at <= replied_before,
            col(SlackCard.state) == CardState.posted,
        )
        .order_by(col(Review.id))
    ).all()
    return [tuple(row) for row in rows]


def record_asked(session: Session, *, review_id: int, now: datetime) -> None:
    """The question is in Slack: recorded only once Slack has taken it."""
    session.add(Decision(review_id=review_id, action=FOLLOW_UP_ASKED, at=now, detail={}))


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
