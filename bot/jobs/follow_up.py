"""Customer follow-up: FOLLOW_UP_AFTER after a reply went out (published, posted by hand or,
failing those, approved), the card's thread asks whether the customer was followed up, with
Done / Not needed buttons. The answer is kept on the review and in the audit."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.blocks.followup import build_follow_up_question
from bot.cards.posting import PostFailed
from bot.services import Services
from storage.db import session_scope
from storage.models import CardState, Decision, Review, ReviewStatus, SlackCard

log = logging.getLogger(__name__)

FOLLOWED_UP = "followed_up"


def _set_asked(
    engine: Engine, review_id: int, *, frm: datetime | None, to: datetime | None
) -> bool:
    asked = Review.follow_up_asked_at
    with session_scope(engine) as session:
        moved = session.execute(
            update(Review)
            .where(Review.id == review_id, asked.is_(None) if frm is None else asked == frm)
            .values(follow_up_asked_at=to)
        ).rowcount
    return moved == 1


def run(services: Services, now: datetime) -> int:
    """Ask about every reply that went out FOLLOW_UP_AFTER ago; returns how many were asked."""
    settings = services.settings
    # A question for people: asked when they are at work.
    if services.poster is None or not settings.working_time.is_open(now):
        return 0
    replied_at = func.coalesce(Review.published_at, Review.decided_at)
    with Session(services.engine) as session:
        rows = session.exec(
            select(Review.id, replied_at, SlackCard.channel, SlackCard.ts)
            .join(SlackCard, col(SlackCard.review_id) == Review.id)
            .where(
                Review.status == ReviewStatus.approved,
                col(Review.follow_up_asked_at).is_(None),
                col(Review.followed_up_at).is_(None),
                replied_at <= now - settings.follow_up_after,
                SlackCard.state == CardState.posted,
            )
            .order_by(Review.id)
        ).all()
    asked = 0
    for review_id, replied, channel, ts in rows:
        if not _set_asked(services.engine, review_id, frm=None, to=now):
            continue
        message = build_follow_up_question(review_id, replied_at=replied, tz=settings.tz)
        try:
            services.poster.post(
                channel,
                message,
                metadata={
                    "event_type": "follow_up_question",
                    "event_payload": {"review_id": review_id},
                },
                thread_ts=ts,
            )
        except PostFailed as exc:
            log.warning("could not ask about review %s: %s", review_id, exc)
            _set_asked(services.engine, review_id, frm=now, to=None)
            continue
        asked += 1
    return asked


def record_follow_up(
    engine: Engine, review_id: int, actor: str, outcome: str, now: datetime
) -> bool:
    """Record the answer; False when someone answered first (one answer per review)."""
    with session_scope(engine) as session:
        moved = session.execute(
            update(Review)
            .where(Review.id == review_id, col(Review.followed_up_at).is_(None))
            .values(followed_up_at=now)
        ).rowcount
        if moved != 1:
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
