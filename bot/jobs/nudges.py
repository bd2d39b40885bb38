"""Nudges: a card waiting for a decision gets a reminder in its thread, addressed to its
owner or else the approvers, after NUDGE_AFTER and then every NUDGE_EVERY, in working hours.
Each reminder is a `Decision` row (action "nudged"), so the audit says who was reminded when.
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk.errors import SlackApiError
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.blocks.alerts import build_nudge
from bot.services import Services
from storage.db import session_scope
from storage.models import CardState, Decision, Review, ReviewStatus, SlackCard

log = logging.getLogger(__name__)

NUDGED = "nudged"


def people_to_nudge(assignee: str | None, approvers: tuple[str, ...]) -> tuple[str, ...]:
    return (assignee,) if assignee else approvers


def run(services: Services, now: datetime) -> int:
    """Send every reminder due at `now`; returns how many went out."""
    settings = services.settings
    client = services.slack
    working = settings.working_time
    if client is None or not working.is_open(now):
        return 0
    last_nudge = (
        select(Decision.review_id, func.max(Decision.at).label("at"))
        .where(Decision.action == NUDGED)
        .group_by(col(Decision.review_id))
        .subquery()
    )
    with Session(services.engine) as session:
        rows = session.exec(
            select(
                Review.id,
                Review.assignee,
                SlackCard.channel,
                SlackCard.ts,
                SlackCard.posted_at,
                last_nudge.c.at,
            )
            .join(SlackCard, col(SlackCard.review_id) == Review.id)
            .outerjoin(last_nudge, last_nudge.c.review_id == Review.id)
            .where(
                Review.status == ReviewStatus.pending,
                SlackCard.state == CardState.posted,
                col(SlackCard.posted_at) <= now - settings.nudge_after,
            )
            .order_by(Review.id)
        ).all()
    sent = 0
    for review_id, assignee, channel, ts, posted_at, nudged_at in rows:
        due = nudged_at + settings.nudge_every if nudged_at else posted_at + settings.nudge_after
        if working.next_open(due) > now:
            continue
        people = people_to_nudge(assignee, settings.approvers)
        message = build_nudge(waiting=now - posted_at, people=people, at=now, tz=settings.tz)
        try:
            client.chat_postMessage(
                channel=channel, thread_ts=ts, text=message["text"], blocks=message["blocks"]
            )
        except SlackApiError as exc:
            # Not recorded, so the next sweep tries again; the other cards still get theirs.
            log.warning("could not nudge review %s: %s", review_id, exc.response.get("error"))
            continue
        with session_scope(services.engine) as session:
            session.add(
                Decision(
                    review_id=review_id, action=NUDGED, at=now, detail={"mentioned": list(people)}
                )
            )
        sent += 1
    log.log(
        logging.INFO if rows else logging.DEBUG,
        "nudge sweep",
        extra={"cards_waiting": len(rows), "nudged": sent},
    )
    return sent
