"""What goes in a card's thread: one line per thing that happened to the review, the review's
text when it is too long for the card, and messages only one person sees beside the card."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.blocks.card_view import CardView
from bot.blocks.thread import build_history_message, build_review_text_messages
from bot.cards.posting import Poster
from storage.cards import find_card
from storage.models import SlackCard

REVIEW_TEXT_EVENT_TYPE = "review_text"
HISTORY_EVENT_TYPE = "review_history"


def review_text_metadata(review_id: int, part: int) -> dict:
    """Marks the thread messages that hold a long review's text, so an erasure finds them."""
    return {
        "event_type": REVIEW_TEXT_EVENT_TYPE,
        "event_payload": {"review_id": review_id, "part": part},
    }


class ThreadNotes:
    """The thread under each review's card in `channel`; nothing without a Slack client."""

    def __init__(
        self,
        engine: Engine,
        client: WebClient | None,
        poster: Poster | None,
        *,
        channel: str | None,
        tz: tzinfo,
        clock: Callable[[], datetime],
    ) -> None:
        self._engine = engine
        self._client = client
        self._poster = poster
        self._channel = channel
        self._tz = tz
        self._clock = clock

    def history(
        self, review_id: int, kind: str, actor: str | None, detail: str | None = None
    ) -> None:
        """One line in the card's thread; nothing when the card is not in Slack (yet)."""
        card = self._card(review_id)
        if self._poster is None or card is None or card.ts is None:
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
        card = self._card(review_id)
        channel = card.channel if card and card.channel else self._channel
        if self._client is None or not channel:
            return
        self._client.chat_postEphemeral(channel=channel, user=user, text=text)

    def post_review_text(
        self, view: CardView, channel: str, ts: str, *, since: datetime | None
    ) -> None:
        """The review's text under the card at `ts` when the card cannot hold all of it;
        `since`: the thread may hold some of it already (an adopted card)."""
        assert self._poster is not None
        for part, message in enumerate(build_review_text_messages(view)):
            self._poster.post(
                channel,
                message,
                metadata=review_text_metadata(view.review_id, part),
                thread_ts=ts,
                since=since,
            )

    def delete_review_text(self, channel: str, ts: str) -> None:
        """After an erasure: the thread messages that held the review's text go."""
        assert self._client is not None
        replies = self._client.conversations_replies(
            channel=channel, ts=ts, include_all_metadata=True, limit=200
        )
        messages: list[dict[str, Any]] = replies.get("messages", [])
        for message in messages:
            if (message.get("metadata") or {}).get("event_type") == REVIEW_TEXT_EVENT_TYPE:
                self._client.chat_delete(channel=channel, ts=message["ts"])

    def _card(self, review_id: int) -> SlackCard | None:
        with Session(self._engine) as session:
            return find_card(session, review_id=review_id)
