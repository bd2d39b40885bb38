"""The card outbox sweep: every card still queued is posted, or adopted where Slack has it.

A process that dies between committing a card's `queued` row and recording Slack's answer
leaves the row queued; the sweep (on start, and from the outbox job) finds the message by its
metadata with one scan per channel and adopts it instead of posting a second card. Pending
reviews that never got a row are carded too. Each card's failure is its own: the sweep logs
it and goes on.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.cards.posting import CLOCK_MARGIN, Poster
from bot.cards.service import CARD_EVENT_TYPE, CardService
from storage.cards import queued_cards, uncarded_pending
from storage.models import SlackCard

log = logging.getLogger(__name__)


def _card_review_id(message: dict) -> int | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != CARD_EVENT_TYPE:
        return None
    review_id = (metadata.get("event_payload") or {}).get("review_id")
    return review_id if isinstance(review_id, int) else None


class CardOutbox:
    """Sweeps the queued cards of `cards` through `poster`; nothing without a poster (the
    demo, `reviewbot import`): a serving process sweeps on start."""

    def __init__(
        self, engine: Engine, cards: CardService, poster: Poster | None, *, channel: str | None
    ) -> None:
        self._engine = engine
        self._cards = cards
        self._poster = poster
        self._channel = channel
        self._recovery: ThreadPoolExecutor | None = None
        self._stopping = threading.Event()

    def start_recovery(self) -> Future[int] | None:
        """Sweep in the background, so a long queue does not hold up start-up."""
        if self._poster is None:
            return None
        self._stopping.clear()
        self._recovery = ThreadPoolExecutor(1, thread_name_prefix="card-outbox")
        return self._recovery.submit(self._sweep_logged)

    def close(self) -> None:
        self._stopping.set()
        if self._recovery is not None:
            self._recovery.shutdown(wait=True, cancel_futures=True)
            self._recovery = None

    def sweep(self) -> int:
        """Post every queued card, adopting those Slack already has; card pending reviews that
        never got a queued row. A card that fails is logged and left queued; the others go on.
        Returns how many cards were posted or adopted."""
        if self._poster is None:
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
            # Where the scan failed, the poster looks for the card itself.
            since = card.created_at if card.review_id in unscanned else None
            try:
                if not self._cards.resume_queued(card, found.get(card.review_id), since=since):
                    continue
            except Exception:
                log.exception("the outbox could not post the card of review %s", card.review_id)
                continue
            done += 1
        for review_id in uncarded:
            if self._stopping.is_set():
                break
            try:
                self._cards.post_or_update(review_id)
            except Exception:
                log.exception("the outbox could not post the card of review %s", review_id)
                continue
            done += 1
        return done

    def _sweep_logged(self) -> int:
        try:
            return self.sweep()
        except Exception:
            # The rows stay queued; the next sweep (or restart) tries again.
            log.exception("card outbox sweep failed")
            return 0

    def _find_queued(self, queued: list[SlackCard]) -> tuple[dict[int, dict], set[int]]:
        """review id → our card message in Slack, from one scan per channel of the messages
        since the oldest queued row; and the reviews whose channel could not be scanned."""
        assert self._poster is not None
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
