"""The one way the app posts to Slack: paced per channel, retried on a short back-off, and
never twice.

Every message carries metadata that names what it is (a review's card, a nudge due at a
given time, the digest of a week). A 429 is waited out (Slack did nothing). A 5xx or a
dropped connection may come after Slack posted the message: before trying again, the poster
looks for the message by its metadata among the channel's (or thread's) messages since a
little before the attempt, and adopts it when it is there. A post that still fails after
the back-off is left to the caller's sweep; one whose outcome stayed unsure is looked for
first whenever the same message is posted again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.cards.pacing import ChannelPacer
from bot.cards.slack_client import Sleep

log = logging.getLogger(__name__)

# Seconds between the six attempts at one post: with a tenth of calls failing, an attempt
# (a look-up and a post) fails about one time in five, six in a row about once in 15,000.
BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0)
# How far before an attempt its message may be stamped: clocks of two hosts differ a little.
CLOCK_MARGIN = timedelta(minutes=2)
# An unsure post not retried for this long (a thread line whose card moved on) is forgotten.
UNSURE_KEPT = timedelta(days=1)
_HISTORY_PAGE = 200
_LOOKUP_PAGES = 5


class PostFailed(Exception):
    """Slack did not take the message within the back-off (the cause is chained)."""


@dataclass(frozen=True)
class Posted:
    """The message in Slack; `adopted` when an earlier, unanswered attempt had posted it."""

    ts: str
    message: dict
    adopted: bool


def _key(metadata: dict) -> tuple[str, str]:
    return metadata["event_type"], repr(sorted(metadata["event_payload"].items()))


def _is_unsure(exc: Exception) -> bool:
    if isinstance(exc, SlackApiError):
        return exc.response.status_code >= 500
    return isinstance(exc, OSError)


def _is_retryable(exc: Exception) -> bool:
    return _is_unsure(exc) or (isinstance(exc, SlackApiError) and exc.response.status_code == 429)


class Poster:
    """`client` must not retry what may have succeeded (see build_web_client's
    idempotent_only); the poster decides that, knowing how to look for the message."""

    def __init__(
        self,
        client: WebClient,
        pacer: ChannelPacer,
        *,
        clock: Callable[[], datetime],
        sleep: Sleep,
        backoff: Sequence[float] = BACKOFF,
    ) -> None:
        self.client = client
        self._pacer = pacer
        self._clock = clock
        self._sleep = sleep
        self._backoff = tuple(backoff)
        self._lock = threading.Lock()
        # Messages whose last post may have reached Slack: metadata key → since when.
        self._unsure: dict[tuple[str, str], datetime] = {}

    def post(
        self,
        channel: str,
        message: dict,
        *,
        metadata: dict,
        thread_ts: str | None = None,
        since: datetime | None = None,
        **arguments: Any,  # more of chat.postMessage's arguments
    ) -> Posted:
        """Post `message` (text and blocks) once; returns it as Slack holds it, found or
        new. `since`: a post of it may be in Slack from then on (a restart's queue). Raises
        PostFailed when Slack did not take it within the back-off."""
        key = _key(metadata)
        with self._lock:
            remembered = self._unsure.get(key)
        unsure = min((t for t in (since, remembered) if t is not None), default=None)
        what = f"{metadata['event_type']} {metadata['event_payload']}"
        last: Exception | None = None
        for attempt in range(len(self._backoff) + 1):
            if attempt:
                self._sleep(self._backoff[attempt - 1])
            started: datetime | None = None
            try:
                if unsure is not None:
                    found = self.find(channel, metadata, thread_ts=thread_ts, oldest=unsure)
                    if found is not None:
                        self._settled(key)
                        return Posted(found["ts"], found, adopted=True)
                self._pacer.wait(channel)
                started = self._clock()
                response = self.client.chat_postMessage(
                    channel=channel,
                    thread_ts=thread_ts,
                    text=message["text"],
                    blocks=message.get("blocks"),
                    metadata=metadata,
                    **arguments,
                )
            except (SlackApiError, OSError) as exc:
                if started is not None and unsure is None and _is_unsure(exc):
                    unsure = started
                    self._remember(key, started)
                if not _is_retryable(exc):
                    raise PostFailed(f"could not post {what}: {exc}") from exc
                log.info("posting %s failed (attempt %d): %s", what, attempt + 1, exc)
                last = exc
                continue
            self._settled(key)
            return Posted(response["ts"], response.get("message") or {}, adopted=False)
        assert last is not None
        raise PostFailed(f"could not post {what}: {last}") from last

    def find(
        self, channel: str, metadata: dict, *, thread_ts: str | None, oldest: datetime
    ) -> dict | None:
        """Our message with exactly this metadata, posted since a little before `oldest`."""
        bound = f"{(oldest - CLOCK_MARGIN).timestamp():.6f}"
        for message in self.scan(channel, thread_ts=thread_ts, oldest=bound):
            if message.get("metadata") == metadata:
                return message
        return None

    def scan(self, channel: str, *, thread_ts: str | None, oldest: str) -> list[dict]:
        """The channel's top-level messages (or a thread's) since `oldest`, with metadata."""
        messages: list[dict] = []
        cursor = None
        for _ in range(_LOOKUP_PAGES):
            arguments: dict[str, Any] = {
                "channel": channel,
                "oldest": oldest,
                "include_all_metadata": True,
                "limit": _HISTORY_PAGE,
                "cursor": cursor,
            }
            if thread_ts is None:
                page = self.client.conversations_history(**arguments)
            else:
                page = self.client.conversations_replies(ts=thread_ts, **arguments)
            messages += page.get("messages", [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                break
        return messages

    def _remember(self, key: tuple[str, str], since: datetime) -> None:
        with self._lock:
            for old in [k for k, at in self._unsure.items() if at < since - UNSURE_KEPT]:
                del self._unsure[old]
            self._unsure[key] = since

    def _settled(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._unsure.pop(key, None)
