"""Posting and updating review cards through an outbox, so each review gets exactly one.

Before a card is posted, a `SlackCard` row in state `queued` is committed; after Slack
answers, its ts is recorded and the row becomes `posted`. A post whose answer was lost is
resolved at once by the poster (bot/cards/posting.py), which finds it by its metadata
(`review_card` with the review id). A process that dies in between leaves the row queued,
and `sweep_outbox()` then finds the message the same way and adopts it instead of posting a
second card. Each card's failure is its own: the sweep logs it and goes on.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, tzinfo

from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.blocks.card import build_card
from bot.blocks.card_view import CardView
from bot.blocks.thread import build_history_message, build_review_text_messages
from bot.cards.pacing import StripedLocks
from bot.cards.posting import CLOCK_MARGIN, Poster
from bot.cards.view import load_card_view
from bot.metrics import Metrics
from storage.cards import (
    card_by_id,
    find_card,
    next_card_version,
    queue_card,
    queued_cards,
    record_card_post,
    uncarded_pending,
)
from storage.db import session_scope
from storage.models import CardState, SlackCard, utcnow

log = logging.getLogger(__name__)

CARD_EVENT_TYPE = "review_card"
REVIEW_TEXT_EVENT_TYPE = "review_text"
HISTORY_EVENT_TYPE = "review_history"


def card_metadata(review_id: int) -> dict:
    return {"event_type": CARD_EVENT_TYPE, "event_payload": {"review_id": review_id}}


def review_text_metadata(review_id: int, part: int) -> dict:
    """Marks the thread messages that hold a long review's text, so an erasure finds them."""
    return {
        "event_type": REVIEW_TEXT_EVENT_TYPE,
        "event_payload": {"review_id": review_id, "part": part},
    }


def _stamped(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)


def _card_review_id(message: dict) -> int | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != CARD_EVENT_TYPE:
        return None
    review_id = (metadata.get("event_payload") or {}).get("review_id")
    return review_id if isinstance(review_id, int) else None


class CardService:
    """One card per review in `channel`. Without a Slack client (the demo, `reviewbot import`)
    cards are only queued; a serving process posts them on start."""

    def __init__(
        self,
        engine: Engine,
        client: WebClient | None,
        *,
        channel: str | None,
        tz: tzinfo,
        team_language: str,
        lead_contacts: tuple[str, ...] = (),
        clock: Callable[[], datetime] = utcnow,
        poster: Poster | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        """`client` updates and reads; `poster` posts (there is one when there is a client)."""
        self._engine = engine
        self._client = client
        self._poster = poster
        self._channel = channel
        self._tz = tz
        self._team_language = team_language
        self._lead_contacts = lead_contacts
        self._clock = clock
        self._metrics = metrics or Metrics()
        self._locks = StripedLocks()
        self._recovery: ThreadPoolExecutor | None = None
        self._stopping = threading.Event()

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
            self._update(card)
            replies = self._client.conversations_replies(
                channel=card.channel, ts=card.ts, include_all_metadata=True, limit=200
            )
            for message in replies.get("messages", []):
                if (message.get("metadata") or {}).get("event_type") == REVIEW_TEXT_EVENT_TYPE:
                    self._client.chat_delete(channel=card.channel, ts=message["ts"])

    def record_post(self, card_id: int, channel: str, ts: str) -> None:
        """The post reached Slack: the outbox row becomes `posted` with the message's ts."""
        with session_scope(self._engine) as session:
            record_card_post(session, card_id=card_id, channel=channel, ts=ts, at=self._clock())

    def history(
        self, review_id: int, kind: str, actor: str | None, detail: str | None = None
    ) -> None:
        """One line in the card's thread; nothing when the card is not in Slack (yet)."""
        with Session(self._engine) as session:
            card = self._card(session, review_id)
        if self._client is None or card is None or card.ts is None:
            return
        message = build_history_message(kind, actor, detail, at=self._clock(), tz=self._tz)
        # Each line is its own message: a retry must find this one, not an earlier same line.
        line = {"review_id": review_id, "line": uuid.uuid4().hex}
        self._poster.post(
            card.channel,
            message,
            metadata={"event_type": HISTORY_EVENT_TYPE, "event_payload": line},
            thread_ts=card.ts,
        )

    def tell(self, review_id: int, user: str, text: str) -> None:
        """A message only `user` sees, in the channel of the review's card."""
        with Session(self._engine) as session:
            card = self._card(session, review_id)
        channel = card.channel if card and card.channel else self._channel
        if self._client is None or not channel:
            return
        self._client.chat_postEphemeral(channel=channel, user=user, text=text)

    def current_version(self, review_id: int) -> int | None:
        with Session(self._engine) as session:
            card = self._card(session, review_id)
        return card.version if card else None

    # --- recovery -----------------------------------------------------------------------
    def start_recovery(self) -> Future[int] | None:
        """Sweep the outbox in the background, so a long queue does not hold up start-up."""
        if self._client is None:
            return None
        self._stopping.clear()
        self._recovery = ThreadPoolExecutor(1, thread_name_prefix="card-outbox")
        return self._recovery.submit(self._sweep_logged)

    def close(self) -> None:
        self._stopping.set()
        if self._recovery is not None:
            self._recovery.shutdown(wait=True, cancel_futures=True)
            self._recovery = None

    def sweep_outbox(self) -> int:
        """Post every queued card, adopting those Slack already has; card pending reviews that
        never got a queued row. A card that fails is logged and left queued; the others go on.
        Returns how many cards were posted or adopted."""
        if self._client is None:
            return 0
        with Session(self._engine) as session:
            queued = queued_cards(session)
            uncarded = uncarded_pending(session)
        log.info(
            "outbox sweep: %d queued cards, %d pending reviews without one",
            len(queued),
            len(uncarded),
        )
        found, unscanned = self._find_queued(queued)
        done = 0
        for card in queued:
            if self._stopping.is_set():
                break
            try:
                with self._locks.hold(card.review_id):
                    with Session(self._engine) as session:
                        current = card_by_id(session, card_id=card.id)
                    if current is None or current.state != CardState.queued:
                        continue
                    message = found.get(card.review_id)
                    if message is not None:
                        self._adopt(current, message)
                    else:
                        # Where the scan failed, the poster looks for the card itself.
                        since = card.created_at if card.review_id in unscanned else None
                        self._post(current, since=since)
            except Exception:
                log.exception("the outbox could not post the card of review %s", card.review_id)
                continue
            done += 1
        for review_id in uncarded:
            if self._stopping.is_set():
                break
            try:
                self.post_or_update(review_id)
            except Exception:
                log.exception("the outbox could not post the card of review %s", review_id)
                continue
            done += 1
        return done

    def _sweep_logged(self) -> int:
        try:
            return self.sweep_outbox()
        except Exception:
            # The rows stay queued; the next sweep (or restart) tries again.
            log.exception("card outbox sweep failed")
            return 0

    def _find_queued(self, queued: list[SlackCard]) -> tuple[dict[int, dict], set[int]]:
        """review id → our card message in Slack, from one scan per channel of the messages
        since the oldest queued row; and the reviews whose channel could not be scanned."""
        found: dict[int, dict] = {}
        unscanned: set[int] = set()
        by_channel: dict[str, list[SlackCard]] = {}
        for card in queued:
            if channel := card.channel or self._channel:
                by_channel.setdefault(channel, []).append(card)
        for channel, cards in by_channel.items():
            wanted = {card.review_id for card in cards}
            oldest = min(card.created_at for card in cards) - CLOCK_MARGIN
            try:
                messages = self._poster.scan(
                    channel, thread_ts=None, oldest=f"{oldest.timestamp():.6f}"
                )
            except Exception as exc:
                log.warning("could not scan %s for cards already posted: %s", channel, exc)
                unscanned |= wanted
                continue
            for message in messages:
                review_id = _card_review_id(message)
                if review_id in wanted:
                    found.setdefault(review_id, message)
        return found, unscanned

    # --- Slack --------------------------------------------------------------------------
    def _queue(self, review_id: int) -> SlackCard:
        """The review's outbox row, committed before anything is posted."""
        with session_scope(self._engine) as session:
            card = self._card(session, review_id)
            if card is not None:
                return card
        try:
            with session_scope(self._engine) as session:
                return queue_card(
                    session, review_id=review_id, channel=self._channel or "", at=self._clock()
                )
        except IntegrityError:
            # Another process queued it first; one row per review is the point.
            with Session(self._engine) as session:
                card = self._card(session, review_id)
            if card is None:
                raise
            return card

    def _post(
        self, card: SlackCard, *, drafting: bool = False, since: datetime | None = None
    ) -> None:
        """Post the card, or adopt it when the poster finds it was posted after all."""
        channel = card.channel or self._channel
        view = self._view(card.review_id, card.version, drafting)
        if view is None:
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
        if posted.adopted:
            self._adopt(card, posted.message)
            return
        self.record_post(card.id, channel, posted.ts)
        log.info(
            "card posted",
            extra={"review_id": card.review_id, "channel": channel, "ts": posted.ts},
        )
        self._metrics.cards_posted.inc()
        self._post_review_text(view, channel, posted.ts, since=None)

    def _adopt(self, card: SlackCard, message: dict) -> None:
        """A card Slack has but we never recorded: record it, then bring it up to date (it
        shows the review as it was when posted), and see its review text is in its thread."""
        channel = card.channel or self._channel
        self.record_post(card.id, channel, message["ts"])
        with Session(self._engine) as session:
            card = card_by_id(session, card_id=card.id)
        view = self._update(card)
        if view is not None:
            self._post_review_text(view, channel, message["ts"], since=_stamped(message["ts"]))

    def _update(self, card: SlackCard, *, drafting: bool = False) -> CardView | None:
        # Every redraw gets a new version, so buttons on what users saw before are refused.
        with session_scope(self._engine) as session:
            version = next_card_version(session, card_id=card.id, at=self._clock())
        view = self._view(card.review_id, version, drafting)
        if view is None:
            return None
        message = build_card(view, tz=self._tz)
        self._client.chat_update(
            channel=card.channel, ts=card.ts, text=message["text"], blocks=message["blocks"]
        )
        return view

    def _post_review_text(
        self, view: CardView, channel: str, ts: str, *, since: datetime | None
    ) -> None:
        """`since`: the thread may hold some of it already (an adopted card)."""
        for part, message in enumerate(build_review_text_messages(view)):
            self._poster.post(
                channel,
                message,
                metadata=review_text_metadata(view.review_id, part),
                thread_ts=ts,
                since=since,
            )

    def _view(self, review_id: int, version: int, drafting: bool) -> CardView | None:
        with Session(self._engine) as session:
            return load_card_view(
                session,
                review_id,
                card_version=version,
                team_language=self._team_language,
                lead_contacts=self._lead_contacts,
                drafting=drafting,
            )

    @staticmethod
    def _card(session: Session, review_id: int) -> SlackCard | None:
        return find_card(session, review_id=review_id)
