"""SLA escalation: a negative review with no decision SLA after the customer wrote it is
marked as breached (the card shows it) and announced once in the channel, mentioning
ESCALATION_CONTACTS.

A review that was already past its deadline when it reached us (an import of old reviews, a
source that delivers late) is marked but not announced: nobody could have met that deadline,
and a channel full of escalations for last month's reviews would bury the ones that matter.
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk.errors import SlackApiError
from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.blocks.alerts import build_escalation
from bot.jobs.cards import permalink
from bot.services import Services
from storage.db import session_scope
from storage.models import Decision, Review, ReviewStatus
from storage.slack_messages import posted_cards

log = logging.getLogger(__name__)

ESCALATED = "escalated"
# Reviews that still wait for someone to decide.
WAITING = (ReviewStatus.triaged, ReviewStatus.drafting, ReviewStatus.pending)


def _set_breached(
    services: Services, review_id: int, *, frm: datetime | None, to: datetime | None
) -> bool:
    """Compare-and-set on `sla_breached_at`, so exactly one sweep escalates a review."""
    current = Review.sla_breached_at
    with session_scope(services.engine) as session:
        moved = session.execute(
            update(Review)
            .where(Review.id == review_id, current.is_(None) if frm is None else current == frm)
            .values(sla_breached_at=to)
        ).rowcount
    return moved == 1


def run(services: Services, now: datetime) -> int:
    """Escalate every review whose deadline passed by `now`; returns how many were announced."""
    settings = services.settings
    client = services.slack
    if client is None:
        return 0
    with Session(services.engine) as session:
        breached = session.exec(
            select(Review)
            .where(
                col(Review.negative).is_(True),
                col(Review.status).in_(WAITING),
                col(Review.sla_breached_at).is_(None),
                col(Review.created_at) <= now - settings.sla,
            )
            .order_by(Review.created_at)
        ).all()
        cards = posted_cards(session, [r.id for r in breached])
    announced = 0
    for review in breached:
        if not _set_breached(services, review.id, frm=None, to=now):
            continue
        late_on_arrival = review.received_at > review.created_at + settings.sla
        card = cards.get(review.id)
        channel = card.channel if card else settings.reviews_channel
        if not late_on_arrival and channel:
            message = build_escalation(
                rating=review.rating,
                source=review.source,
                author=review.author,
                written_at=review.created_at,
                sla=settings.sla,
                card_url=permalink(client, card) if card else None,
                contacts=settings.escalation_contacts,
                tz=settings.tz,
            )
            try:
                client.chat_postMessage(
                    channel=channel,
                    text=message["text"],
                    blocks=message["blocks"],
                    unfurl_links=False,
                )
            except SlackApiError as exc:
                # Unmarked again: the next sweep announces it.
                log.warning(
                    "could not escalate review %s: %s", review.id, exc.response.get("error")
                )
                _set_breached(services, review.id, frm=now, to=None)
                continue
            announced += 1
        with session_scope(services.engine) as session:
            session.add(
                Decision(
                    review_id=review.id,
                    action=ESCALATED,
                    at=now,
                    detail={
                        "announced": not late_on_arrival and bool(channel),
                        "contacts": list(settings.escalation_contacts),
                    },
                )
            )
        services.cards.post_or_update(review.id)
        services.cards.history(review.id, ESCALATED, None)
    log.log(
        logging.INFO if breached else logging.DEBUG,
        "escalation sweep",
        extra={"breached": len(breached), "announced": announced},
    )
    return announced
