"""Posting and updating review cards through an outbox, so each review gets exactly one.

Before a card is posted, a `SlackCard` row in state `queued` is committed; after Slack
answers, its ts is recorded and the row becomes `posted`. A process that dies in between
leaves the row queued, and `sweep_outbox()` then finds the message by its metadata
(`review_card` with the review id) and adopts it instead of posting a second card.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, tzinfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import exists, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.blocks.card import build_card
from bot.blocks.card_view import CardView
from bot.blocks.thread import build_history_message, build_review_text_messages
from bot.cards.card_view import load_card_view
from bot.cards.pacing import ChannelPacer, StripedLocks
from bot.metrics import Metrics
from storage.db import session_scope
from storage.models import CardState, Review, ReviewStatus, SlackCard, utcnow

log = logging.getLogger(__name__)

CARD_EVENT_TYPE = "review_card"
REVIEW_TEXT_EVENT_TYPE = "review_text"
# How far back (in messages, newest first) recovery looks for a card posted but not recorded.
RECOVERY_SCAN_LIMIT = 1000
_HISTORY_PAGE = 200


def card_metadata(review_id: int) -> dict:
    return {"event_type": CARD_EVENT_TYPE, "event_payload": {"review_id": review_id}}


def review_text_metadata(review_id: int) -> dict:
    """Marks the thread messages that hold a long review's text, so an erasure finds them."""
    return {"event_type": REVIEW_TEXT_EVENT_TYPE, "event_payload": {"review_id": review_id}}


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
        pacer: ChannelPacer | None = None,
        clock: Callable[[], datetime] = utcnow,
        poster: WebClient | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        """`poster` posts new cards: a client that does not retry what may have succeeded."""
        self._engine = engine
        self._client = client
        self._poster = poster or client
        self._channel = channel
        self._tz = tz
        self._team_language = team_language
        self._lead_contacts = lead_contacts
        self._pacer = pacer or ChannelPacer(1.0)
        self._clock = clock
        self._metrics = metrics or Metrics()
        self._locks = StripedLocks()
        self._recovery: ThreadPoolExecutor | None = None
        self._stopping = threading.Event()
        # Reviews whose last post may have reached Slack although it failed: looked for first.
        self._unsure: set[int] = set()

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
            elif review_id in self._unsure:
                self._adopt_or_post(card, drafting=drafting)
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
            session.execute(
                update(SlackCard)
                .where(SlackCard.id == card_id)
                .values(state=CardState.posted, channel=channel, ts=ts, posted_at=self._clock())
            )

    def history(
        self, review_id: int, kind: str, actor: str | None, detail: str | None = None
    ) -> None:
        """One line in the card's thread; nothing when the card is not in Slack (yet)."""
        with Session(self._engine) as session:
            card = self._card(session, review_id)
        if self._client is None or card is None or card.ts is None:
            return
        message = build_history_message(kind, actor, detail, at=self._clock(), tz=self._tz)
        self._pacer.wait(card.channel)
        self._client.chat_postMessage(
            channel=card.channel, thread_ts=card.ts, text=message["text"], blocks=message["blocks"]
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
        never got a queued row. Returns how many cards were posted or adopted."""
        if self._client is None:
            return 0
        with Session(self._engine) as session:
            queued = list(
                session.exec(select(SlackCard).where(SlackCard.state == CardState.queued))
            )
            uncarded = list(
                session.exec(
                    select(Review.id)
                    .where(
                        Review.status == ReviewStatus.pending,
                        ~exists().where(SlackCard.review_id == Review.id),
                    )
                    .order_by(Review.id)
                )
            )
        found: dict[int, dict] = {}
        for channel in {card.channel or self._channel for card in queued} - {None, ""}:
            wanted = {
                card.review_id for card in queued if (card.channel or self._channel) == channel
            }
            found.update(self._find_cards(channel, wanted))
        done = 0
        for card in queued:
            if self._stopping.is_set():
                break
            with self._locks.hold(card.review_id):
                with Session(self._engine) as session:
                    current = session.get(SlackCard, card.id)
                if current is None or current.state != CardState.queued:
                    continue
                message = found.get(card.review_id)
                if message is None:
                    self._post(current)
                else:
                    self._adopt(current, message)
                done += 1
        for review_id in uncarded:
            if self._stopping.is_set():
                break
            self.post_or_update(review_id)
            done += 1
        return done

    def _sweep_logged(self) -> int:
        try:
            return self.sweep_outbox()
        except Exception:
            # The rows stay queued; the next sweep (or restart) tries again.
            log.exception("card outbox sweep failed")
            return 0

    def _find_cards(self, channel: str, review_ids: set[int]) -> dict[int, dict]:
        """review id → our card message, among the channel's most recent messages."""
        found: dict[int, dict] = {}
        cursor = None
        seen = 0
        while seen < RECOVERY_SCAN_LIMIT and len(found) < len(review_ids):
            page = self._client.conversations_history(
                channel=channel, include_all_metadata=True, limit=_HISTORY_PAGE, cursor=cursor
            )
            for message in page.get("messages", []):
                review_id = _card_review_id(message)
                if review_id in review_ids:
                    found.setdefault(review_id, message)
            seen += len(page.get("messages", []))
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                break
        return found

    # --- Slack --------------------------------------------------------------------------
    def _queue(self, review_id: int) -> SlackCard:
        """The review's outbox row, committed before anything is posted."""
        with session_scope(self._engine) as session:
            card = self._card(session, review_id)
            if card is not None:
                return card
        try:
            with session_scope(self._engine) as session:
                card = SlackCard(
                    review_id=review_id, channel=self._channel or "", created_at=self._clock()
                )
                session.add(card)
                session.flush()
                return card
        except IntegrityError:
            # Another process queued it first; one row per review is the point.
            with Session(self._engine) as session:
                card = self._card(session, review_id)
            if card is None:
                raise
            return card

    def _post(self, card: SlackCard, *, drafting: bool = False) -> None:
        channel = card.channel or self._channel
        view = self._view(card.review_id, card.version, drafting)
        if view is None:
            return
        message = build_card(view, tz=self._tz)
        self._pacer.wait(channel)
        try:
            response = self._poster.chat_postMessage(
                channel=channel,
                text=message["text"],
                blocks=message["blocks"],
                metadata=card_metadata(card.review_id),
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            if exc.response.status_code >= 500:
                self._unsure.add(card.review_id)
            raise
        except OSError:
            self._unsure.add(card.review_id)
            raise
        self._unsure.discard(card.review_id)
        self.record_post(card.id, channel, response["ts"])
        log.info(
            "card posted",
            extra={"review_id": card.review_id, "channel": channel, "ts": response["ts"]},
        )
        self._metrics.cards_posted.inc()
        self._post_review_text(view, channel, response["ts"])

    def _adopt_or_post(self, card: SlackCard, *, drafting: bool) -> None:
        """After a post that may have reached Slack (a 5xx, a dropped connection): look for it
        by its metadata before posting, so a retry never shows a second card."""
        channel = card.channel or self._channel
        message = self._find_cards(channel, {card.review_id}).get(card.review_id)
        if message is None:
            self._post(card, drafting=drafting)
        else:
            self._adopt(card, message)

    def _adopt(self, card: SlackCard, message: dict) -> None:
        """A card Slack has but we never recorded: record it, then bring it up to date (it
        shows the review as it was when posted). The review text goes in its thread unless
        the thread was started before the process died."""
        channel = card.channel or self._channel
        self.record_post(card.id, channel, message["ts"])
        self._unsure.discard(card.review_id)  # found, by the sweep or by the next redraw
        with Session(self._engine) as session:
            card = session.get(SlackCard, card.id)
        view = self._update(card)
        if view is not None and not message.get("reply_count"):
            self._post_review_text(view, channel, message["ts"])

    def _update(self, card: SlackCard, *, drafting: bool = False) -> CardView | None:
        # Every redraw gets a new version, so buttons on what users saw before are refused.
        with session_scope(self._engine) as session:
            session.execute(
                update(SlackCard)
                .where(SlackCard.id == card.id)
                .values(version=SlackCard.version + 1, updated_at=self._clock())
            )
            version = session.get(SlackCard, card.id).version
        view = self._view(card.review_id, version, drafting)
        if view is None:
            return None
        message = build_card(view, tz=self._tz)
        self._client.chat_update(
            channel=card.channel, ts=card.ts, text=message["text"], blocks=message["blocks"]
        )
        return view

    def _post_review_text(self, view: CardView, channel: str, ts: str) -> None:
        for message in build_review_text_messages(view):
            self._pacer.wait(channel)
            self._client.chat_postMessage(
                channel=channel,
                thread_ts=ts,
                text=message["text"],
                blocks=message["blocks"],
                metadata=review_text_metadata(view.review_id),
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
        return session.exec(select(SlackCard).where(SlackCard.review_id == review_id)).first()
