"""SLA escalation: a negative review with no decision SLA after the customer wrote it is
marked as breached (the card shows it at once) and announced in the channel, mentioning
ESCALATION_CONTACTS. The reviews announced in one sweep are one message listing them, and
announcements wait for WORKING_HOURS and WORKING_DAYS unless ESCALATE_ANYTIME is true: a
review that is decided before then is not announced at all.

A review that was already past its deadline when it reached us (an import of old reviews, a
source that delivers late) is marked but not announced: nobody could have met that deadline,
and a channel full of escalations for last month's reviews would bury the ones that matter.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.blocks.alerts import LateReview, build_escalation
from bot.cards.posting import PostFailed
from bot.jobs.cards import permalink
from bot.services import Services
from storage.db import session_scope
from storage.models import Decision, Review, ReviewStatus
from storage.reviews import unannounced_breaches
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
    """Mark every review whose deadline passed by `now`, and announce those waiting to be;
    returns how many were announced."""
    settings = services.settings
    if services.poster is None:
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
    for review in breached:
        if not _set_breached(services, review.id, frm=None, to=now):
            continue
        if review.received_at > review.created_at + settings.sla:
            _record(services, [review.id], now, announced=False)
        try:
            services.cards.post_or_update(review.id)
            services.cards.notes.history(review.id, ESCALATED, None)
        except Exception:
            # The breach is stored and shows at the card's next redraw; the others go on.
            log.exception("could not show the breach on the card of review %s", review.id)
    announced = 0
    if settings.escalate_anytime or settings.working_time.is_open(now):
        announced = _announce(services, now)
    log.log(
        logging.INFO if breached or announced else logging.DEBUG,
        "escalation sweep",
        extra={"breached": len(breached), "announced": announced},
    )
    return announced


def _announce(services: Services, now: datetime) -> int:
    """One message per channel for the breached reviews still waiting and not announced."""
    settings = services.settings
    client = services.slack
    with Session(services.engine) as session:
        due = unannounced_breaches(session, waiting=WAITING, action=ESCALATED)
        cards = posted_cards(session, [r.id for r in due])
    by_channel: dict[str, list[Review]] = {}
    for review in due:
        card = cards.get(review.id)
        if channel := card.channel if card else settings.reviews_channel:
            by_channel.setdefault(channel, []).append(review)
    announced = 0
    for channel, reviews in by_channel.items():
        late = [
            LateReview(
                rating=r.rating,
                source=r.source,
                author=r.author,
                written_at=r.created_at,
                card_url=permalink(client, cards[r.id]) if r.id in cards else None,
            )
            for r in reviews
        ]
        message = build_escalation(
            reviews=late, sla=settings.sla, contacts=settings.escalation_contacts, tz=settings.tz
        )
        ids = [r.id for r in reviews]
        try:
            services.poster.post(
                channel,
                message,
                metadata={"event_type": "sla_escalation", "event_payload": {"review_ids": ids}},
                unfurl_links=False,
                # Sent before a crash kept it from being recorded? Then it is found, not resent.
                since=min(r.sla_breached_at for r in reviews),
            )
        except PostFailed as exc:
            # Not recorded: the next sweep announces them.
            log.warning("could not escalate reviews %s: %s", ids, exc)
            continue
        _record(services, ids, now, announced=True)
        announced += len(ids)
    return announced


def _record(services: Services, review_ids: list[int], now: datetime, *, announced: bool) -> None:
    with session_scope(services.engine) as session:
        for review_id in review_ids:
            session.add(
                Decision(
                    review_id=review_id,
                    action=ESCALATED,
                    at=now,
                    detail={
                        "announced": announced,
                        "contacts": list(services.settings.escalation_contacts),
                    },
                )
            )
