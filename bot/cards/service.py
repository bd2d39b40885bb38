"""Posting and updating review cards through an outbox, so each review gets exactly one.

Before a card is posted, a `SlackCard` row in state `queued` is committed; after Slack
answers, its ts is recorded and the row becomes `posted`. One process at a time posts it: it
claims the row first (`posting_until`), and the others wait for the post to be recorded. A
post whose answer was lost is resolved at once by the poster (bot/cards/posting.py), which
finds it by its metadata (`review_card` with the review id). A process that dies in between
leaves the row queued; whoever posts it next (the outbox sweep, bot/cards/outbox.py, or
another worker once the claim ran out) finds the message the same way and adopts it instead
of posting a second card. The card's thread is bot/cards/thread.py.

A little over 300 lines: the post, its claim across processes and the redraw share the card's
lock and its version, and read as one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo

from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.blocks.card import build_card
from bot.blocks.card_view import CardView
from bot.cards.drawn import drawn_digest
from bot.cards.pacing import StripedLocks
from bot.cards.posting import Poster
from bot.cards.thread import ThreadNotes
from bot.cards.view import load_card_view
from bot.metrics import Metrics
from bot.routing import ReviewFacts, Routing
from storage.cards import (
    card_by_id,
    claim_card_post,
    end_card_post,
    find_card,
    next_card_version,
    queue_card,
    record_card_post,
    record_drawn,
    record_route,
)
from storage.db import session_scope
from storage.models import CardState, Review, SlackCard, utcnow
from storage.review_states import find_review

log = logging.getLogger(__name__)

CARD_EVENT_TYPE = "review_card"
POSTED_ELSEWHERE_POLL = 0.05  # seconds between looks at a card another process is posting


def card_metadata(review_id: int) -> dict:
    return {"event_type": CARD_EVENT_TYPE, "event_payload": {"review_id": review_id}}


def _stamped(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)


def review_facts(review: Review) -> ReviewFacts:
    """What the routes look at: the review as triaged (its language is known by then)."""
    return ReviewFacts(
        brand=review.brand,
        source=review.source,
        location=review.location,
        language=review.language or review.language_hint,
        rating=review.rating,
    )


class CardService:
    """One card per review in the channel its route gives (`routing`; without one, every card
    in `channel`), with its thread (`notes`). Without a Slack client (the demo, `reviewbot
    import`) cards are only queued; a serving process posts them on start."""

    def __init__(
        self,
        engine: Engine,
        client: WebClient | None,
        *,
        channel: str | None,
        routing: Routing | None = None,
        tz: tzinfo,
        team_language: str,
        lead_contacts: tuple[str, ...] = (),
        clock: Callable[[], datetime] = utcnow,
        poster: Poster | None = None,
        metrics: Metrics | None = None,
        post_lease: timedelta = timedelta(seconds=60),
    ) -> None:
        """`client` updates and reads; `poster` posts (there is one when there is a client);
        `routing`: the channel each review's card goes to (else `channel`); `post_lease`: how
        long a process posting a card holds it against the others."""
        self._post_lease = post_lease
        self._engine = engine
        self._client = client
        self._poster = poster
        self._routing = routing
        self._channel = channel
        self._tz = tz
        self._team_language = team_language
        self._lead_contacts = lead_contacts
        self._clock = clock
        self._metrics = metrics or Metrics()
        self._locks = StripedLocks()
        self.notes = ThreadNotes(engine, client, poster, channel=channel, tz=tz, clock=clock)

    # --- the card -----------------------------------------------------------------------
    def view_for(self, review_id: int, *, drafting: bool = False) -> CardView | None:
        """The card as it would be drawn now (the modals are built from it too)."""
        with Session(self._engine) as session:
            card = self._card(session, review_id)
            return load_card_view(
                session,
                review_id,
                card_version=card.version if card else 1,
                team_language=self._team_language,
                lead_contacts=self._lead_contacts,
                routing=self._routing,
                drafting=drafting,
            )

    def post_or_update(self, review_id: int, *, drafting: bool = False) -> None:
        """Post the review's card, or redraw it from storage; `drafting` shows a new draft
        being written. Safe to call from any thread, any number of times."""
        with self._locks.hold(review_id):
            card = self._queue(review_id)
            if self._client is None or not (card.channel or self._channel):
                return
            if card.state != CardState.queued:
                self._update(card, drafting=drafting)
            else:
                self._post(card, drafting=drafting)

    def redact(self, review_id: int) -> None:
        """After an erasure: redraw the card from the erased row and delete the thread messages
        that held the review's text. Never posts a card that was not there."""
        with self._locks.hold(review_id):
            with Session(self._engine) as session:
                card = self._card(session, review_id)
            if self._client is None or card is None or card.state != CardState.posted:
                return
            assert card.ts is not None  # a posted card has its ts
            self._update(card)
            self.notes.delete_review_text(card.channel, card.ts)

    def record_post(
        self, card_id: int, channel: str, ts: str, *, view: CardView | None = None
    ) -> None:
        """The post reached Slack: the outbox row becomes `posted` with the message's ts and
        what it shows (`view`; None: a message adopted as found)."""
        with session_scope(self._engine) as session:
            record_card_post(
                session,
                card_id=card_id,
                channel=channel,
                ts=ts,
                at=self._clock(),
                drawn=drawn_digest(view) if view is not None else None,
            )

    def current_version(self, review_id: int) -> int | None:
        with Session(self._engine) as session:
            card = self._card(session, review_id)
        return card.version if card else None

    def resume_queued(
        self, card: SlackCard, message: dict | None, *, since: datetime | None
    ) -> bool:
        """A card the outbox found queued: adopt `message` (ours, found in Slack), else post it
        (`since`: when to look for it from); False when it is queued no more."""
        assert card.id is not None  # a stored row
        with self._locks.hold(card.review_id):
            with Session(self._engine) as session:
                current = card_by_id(session, card_id=card.id)
            if current is None or current.state != CardState.queued:
                return False
            if message is not None:
                self._adopt(current, message)
            else:
                self._post(current, since=since)
            return True

    # --- Slack --------------------------------------------------------------------------
    def _queue(self, review_id: int) -> SlackCard:
        """The review's outbox row, committed before anything is posted. The route is taken
        here, once: the row and the review's route commit together, so a review that comes
        again later (another rating, another brand) keeps the channel its card is in."""
        with session_scope(self._engine) as session:
            card = self._card(session, review_id)
            if card is not None:
                return card
        try:
            with session_scope(self._engine) as session:
                review = find_review(session, review_id=review_id)
                if review is None:
                    raise LookupError(f"no review {review_id} to queue a card for")
                routed = self._routing.destination(review_facts(review)) if self._routing else None
                card = queue_card(
                    session,
                    review_id=review_id,
                    channel=(routed.channel if routed else self._channel) or "",
                    at=self._clock(),
                )
                if routed is not None:
                    record_route(
                        session,
                        review_id=review_id,
                        route=routed.reason or None,
                        assignee=routed.assign,
                    )
                return card
        except IntegrityError:
            # Another process queued it first, and routed it: one row per review is the point.
            with Session(self._engine) as session:
                card = self._card(session, review_id)
            if card is None:
                raise
            return card

    def _post(
        self, card: SlackCard, *, drafting: bool = False, since: datetime | None = None
    ) -> None:
        """Post the card, or adopt it when the poster finds it was posted after all; when
        another process is posting it, wait for that and redraw it."""
        channel = card.channel or self._channel
        # Only a process with Slack posts (it has a poster), and only a card with a channel.
        assert self._poster is not None and channel and card.id is not None
        taken, tried = self._claim_post(card.id)
        if not taken:
            # Another process posts it: once recorded, draw it as it is now (the other drew
            # it as it was); if that process died, its claim runs out and this one posts.
            recorded = self._wait_for_post(card.id)
            if recorded is not None:
                self._update(recorded, drafting=drafting)
                return
            taken, tried = self._claim_post(card.id)
            if not taken:
                log.warning("card %s is being posted elsewhere; the outbox settles it", card.id)
                return
        if tried:  # a process that posted it may have died before recording it
            since = min(since or card.created_at, card.created_at)
        try:
            view = self._view(card.review_id, card.version, drafting)
            if view is None:
                self._end_post(card.id)
                return
            message = build_card(view, tz=self._tz)
            posted = self._poster.post(
                channel,
                message,
                metadata=card_metadata(card.review_id),
                since=since,
                unfurl_links=False,
                unfurl_media=False,
            )
        except Exception:
            self._end_post(card.id)
            raise
        if posted.adopted:
            self._adopt(card, posted.message)
            return
        self.record_post(card.id, channel, posted.ts, view=view)
        log.info(
            "card posted",
            extra={"review_id": card.review_id, "channel": channel, "ts": posted.ts},
        )
        self._metrics.cards_posted.inc()
        self.notes.post_review_text(view, channel, posted.ts, since=None)

    def _end_post(self, card_id: int) -> None:
        with session_scope(self._engine) as session:
            end_card_post(session, card_id=card_id, at=self._clock())

    def _claim_post(self, card_id: int) -> tuple[bool, bool]:
        with session_scope(self._engine) as session:
            now = self._clock()
            return claim_card_post(session, card_id=card_id, now=now, until=now + self._post_lease)

    def _wait_for_post(self, card_id: int) -> SlackCard | None:
        """The card once another process has recorded its post; None if that did not
        happen within a lease (the process died, or the post failed)."""
        deadline = time.monotonic() + self._post_lease.total_seconds()
        while time.monotonic() < deadline:
            with Session(self._engine) as session:
                card = card_by_id(session, card_id=card_id)
            if card is None:
                return None
            if card.state == CardState.posted:
                return card
            if card.posting_until is not None and card.posting_until <= self._clock():
                return None
            time.sleep(POSTED_ELSEWHERE_POLL)
        return None

    def _adopt(self, card: SlackCard, message: dict) -> None:
        """A card Slack has but we never recorded: record it, then bring it up to date (it
        shows the review as it was when posted), and see its review text is in its thread."""
        channel = card.channel or self._channel
        assert channel and card.id is not None  # a stored card found in a channel
        self.record_post(card.id, channel, message["ts"])
        with Session(self._engine) as session:
            recorded = card_by_id(session, card_id=card.id)
        assert recorded is not None  # just recorded
        view = self._update(recorded)
        if view is not None:
            self.notes.post_review_text(view, channel, message["ts"], since=_stamped(message["ts"]))

    def _update(self, card: SlackCard, *, drafting: bool = False) -> CardView | None:
        # Only a process with Slack redraws, and only a card that is in Slack.
        assert self._client is not None and card.id is not None and card.ts is not None
        current = self._view(card.review_id, card.version, drafting)
        if current is None:
            return None
        drawn = drawn_digest(current)
        if card.drawn == drawn:
            return current
        # Every redraw gets a new version, so buttons on what users saw before are refused.
        with session_scope(self._engine) as session:
            version = next_card_version(session, card_id=card.id, at=self._clock())
        view = replace(current, card_version=version)
        message = build_card(view, tz=self._tz)
        self._client.chat_update(
            channel=card.channel, ts=card.ts, text=message["text"], blocks=message["blocks"]
        )
        with session_scope(self._engine) as session:
            record_drawn(session, card_id=card.id, version=version, drawn=drawn)
        return view

    def _view(self, review_id: int, version: int, drafting: bool) -> CardView | None:
        with Session(self._engine) as session:
            return load_card_view(
                session,
                review_id,
                card_version=version,
                team_language=self._team_language,
                lead_contacts=self._lead_contacts,
                routing=self._routing,
                drafting=drafting,
            )

    @staticmethod
    def _card(session: Session, review_id: int) -> SlackCard | None:
        return find_card(session, review_id=review_id)
