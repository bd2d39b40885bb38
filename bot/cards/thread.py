"""What goes in a card's thread: one line per thing that happened to the review, the review's
text when it is too long for the card, and messages only one person sees beside the card."""

from __future__ import annotations

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
from storage.db import session_scope
from storage.models import SlackCard
from storage.thread_lines import mark_thread_line_posted, unposted_thread_lines

REVIEW_TEXT_EVENT_TYPE = "review_text"
HISTORY_EVENT_TYPE = "review_history"


def history_metadata(review_id: int, line_key: str) -> dict:
    """Each line is its own message: a retry must find this one, not an earlier same line."""
    return {
        "event_type": HISTORY_EVENT_TYPE,
        "event_payload": {"review_id": review_id, "line": line_key},
    }


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

    def post_lines(self, review_id: int, *, retried: bool = False) -> None:
        """The review's stored lines not in its card's thread yet, oldest first, each marked
        posted once Slack has it; nothing while the card is not in Slack (they wait for it).
        `retried`: an earlier try may have posted a line and died before marking it, so
        each is looked for in the thread first, by its key."""
        card = self._card(review_id)
        if self._poster is None or card is None or card.ts is None:
            return
        with Session(self._engine) as session:
            lines = unposted_thread_lines(session, review_id=review_id)
        for line in lines:
            assert line.id is not None  # a stored row
            message = build_history_message(
                line.kind, line.actor, line.detail, at=line.at, tz=self._tz
            )
            self._poster.post(
                card.channel,
                message,
                metadata=history_metadata(review_id, line.line_key),
                thread_ts=card.ts,
                since=line.at if retried else None,
            )
            with session_scope(self._engine) as session:
                mark_thread_line_posted(session, line_id=line.id, at=self._clock())

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
