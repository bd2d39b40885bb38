"""SLA escalation: a negative review with no decision SLA after the customer wrote it is
marked as breached (the card shows it at once) and announced in the card's channel, mentioning
ESCALATION_CONTACTS. A review of a brand (ROUTES_FILE) has its brand's SLA and contacts. The
reviews announced in one sweep are one message per channel listing them, and announcements
wait for WORKING_HOURS and WORKING_DAYS unless ESCALATE_ANYTIME is true: a review that is
decided before then is not announced at all.

A review that was already past its deadline when it reached us (an import of old reviews, a
source that delivers late) is marked but not announced: nobody could have met that deadline,
and a channel full of escalations for last month's reviews would bury the ones that matter.
"""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo

from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.blocks.alerts import LateReview, build_escalation
from bot.cards.card_step import CardUpdates
from bot.cards.permalinks import permalink
from bot.cards.posting import Poster, PostFailed
from bot.routing import Brand, Routing
from bot.timewords import WorkingTime
from storage.db import session_scope
from storage.models import Review, ReviewStatus, WorkKind, stored_ids
from storage.reviews import move_stamp
from storage.slack_messages import posted_cards
from storage.sweeps import newly_breached, record_decisions, unannounced_breaches

log = logging.getLogger(__name__)

ESCALATED = "escalated"
# Reviews that still wait for someone to decide.
WAITING = (ReviewStatus.triaged, ReviewStatus.drafting, ReviewStatus.pending)


class Escalations:
    def __init__(
        self,
        engine: Engine,
        slack: WebClient | None,
        poster: Poster | None,
        updates: CardUpdates,
        *,
        routing: Routing,
        anytime: bool,
        working_time: WorkingTime,
        tz: tzinfo,
    ) -> None:
        self._engine = engine
        self._slack = slack
        self._poster = poster
        self._updates = updates
        self._routing = routing  # each brand's SLA, contacts and channel
        self._anytime = anytime
        self._working_time = working_time
        self._tz = tz

    def sweep(self, now: datetime) -> int:
        """Mark every review whose deadline passed by `now`, and announce those waiting to
        be; returns how many were announced."""
        if self._poster is None or self._slack is None:
            return 0
        routing = self._routing
        with Session(self._engine) as session:
            breached = newly_breached(
                session,
                waiting=WAITING,
                written_before=now - routing.base.sla,
                brands_written_before={
                    brand_id: now - brand.sla for brand_id, brand in routing.brands.items()
                },
            )
        for review in breached:
            assert review.id is not None  # a stored row
            with session_scope(self._engine) as session:
                # Compare-and-set, so exactly one sweep escalates a review.
                if not move_stamp(
                    session, review_id=review.id, stamp="sla_breached_at", frm=None, to=now
                ):
                    continue
                # The card shows the breach, its thread says so: stored with the breach.
                self._updates.add(session, review.id, ESCALATED)
            self._updates.work.stored([WorkKind.card], [review.id])
            team = self._team(review)
            if review.received_at > review.created_at + team.sla:
                self._record([review.id], now, announced=False, contacts=team.escalation_contacts)
        announced = 0
        if self._anytime or self._working_time.is_open(now):
            announced = self._announce(self._slack, self._poster, now)
        log.log(
            logging.INFO if breached or announced else logging.DEBUG,
            "escalation sweep",
            extra={"breached": len(breached), "announced": announced},
        )
        return announced

    def _announce(self, client: WebClient, poster: Poster, now: datetime) -> int:
        """One message per channel for the breached reviews still waiting and not announced."""
        with Session(self._engine) as session:
            due = unannounced_breaches(session, waiting=WAITING, action=ESCALATED)
            due_ids = stored_ids(due)
            cards = posted_cards(session, due_ids)
        by_channel: dict[str, list[Review]] = {}
        for review_id, review in zip(due_ids, due, strict=True):
            card = cards.get(review_id)
            # A review without a card is announced where its brand's cards go.
            fallback = self._team(review).channel or self._routing.default_channel
            if channel := card.channel if card else fallback:
                by_channel.setdefault(channel, []).append(review)
        announced = 0
        for channel, reviews in by_channel.items():
            teams = [self._team(r) for r in reviews]
            slas = {team.sla for team in teams}
            # A channel the cards of several brands go to names each review's brand and SLA.
            mixed = len({team.id for team in teams}) > 1
            late = [
                LateReview(
                    rating=r.rating,
                    source=r.source,
                    author=r.author,
                    written_at=r.created_at,
                    card_url=permalink(client, cards[r.id]) if r.id in cards else None,
                    brand=team.name if mixed and team.id else None,
                    sla=team.sla if len(slas) > 1 else None,
                )
                for r, team in zip(reviews, teams, strict=True)
            ]
            contacts = tuple(
                dict.fromkeys(contact for team in teams for contact in team.escalation_contacts)
            )
            message = build_escalation(
                reviews=late,
                sla=slas.pop() if len(slas) == 1 else None,
                contacts=contacts,
                tz=self._tz,
            )
            ids = stored_ids(reviews)
            try:
                poster.post(
                    channel,
                    message,
                    metadata={
                        "event_type": "sla_escalation",
                        "event_payload": {"review_ids": ids},
                    },
                    unfurl_links=False,
                    # Sent before a crash kept it from being recorded? Then it is found, not
                    # resent. (Every review here has its breach stamped.)
                    since=min(r.sla_breached_at for r in reviews if r.sla_breached_at),
                )
            except PostFailed as exc:
                # Not recorded: the next sweep announces them.
                log.warning("could not escalate reviews %s: %s", ids, exc)
                continue
            self._record(ids, now, announced=True, contacts=contacts)
            announced += len(ids)
        return announced

    def _team(self, review: Review) -> Brand:
        return self._routing.team(review.brand)

    def _record(
        self, review_ids: list[int], now: datetime, *, announced: bool, contacts: tuple[str, ...]
    ) -> None:
        with session_scope(self._engine) as session:
            record_decisions(
                session,
                review_ids=review_ids,
                action=ESCALATED,
                at=now,
                detail={"announced": announced, "contacts": list(contacts)},
            )
