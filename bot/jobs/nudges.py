"""Nudges: a card waiting for a decision gets a reminder in its thread, addressed to someone
allowed to decide it (its owner when they may approve; an owner who may not is nudged
together with the approvers; else the approvers), after NUDGE_AFTER and then every
NUDGE_EVERY, in working hours.
Each reminder is a `Decision` row (action "nudged"), so the audit says who was reminded when.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.blocks.alerts import build_nudge
from bot.cards.approvers import Approvers
from bot.cards.posting import PostFailed
from bot.services import Services
from storage.db import session_scope
from storage.models import CardState, Decision, Review, ReviewStatus, SlackCard

log = logging.getLogger(__name__)

NUDGED = "nudged"


def people_to_nudge(
    assignee: str | None, approvers: Approvers, listed: tuple[str, ...]
) -> tuple[str, ...]:
    """`listed`: the APPROVERS setting, whom a nudge mentions when the owner cannot decide."""
    if not assignee:
        return listed
    if approvers.may_decide(assignee):
        return (assignee,)
    return (assignee, *(a for a in listed if a != assignee))


def run(services: Services, now: datetime) -> int:
    """Send every reminder due at `now`; returns how many went out."""
    settings = services.settings
    working = settings.working_time
    if services.poster is None or not working.is_open(now):
        return 0
    approvers = Approvers(settings.approvers, services.slack)
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
        people = people_to_nudge(assignee, approvers, settings.approvers)
        message = build_nudge(waiting=now - posted_at, people=people, at=now, tz=settings.tz)
        nudge = {"review_id": review_id, "due": due.isoformat()}
        try:
            services.poster.post(
                channel,
                message,
                metadata={"event_type": "review_nudge", "event_payload": nudge},
                thread_ts=ts,
                # A process that died before recording it may have sent it: looked for first.
                since=due,
            )
        except PostFailed as exc:
            # Not recorded, so the next sweep tries again; the other cards still get theirs.
            log.warning("could not nudge review %s: %s", review_id, exc)
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
