"""The seam every publisher fits: the reply going out, and how a publisher says it failed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from storage.erasure import ERASED

# What the card shows when an erased review's reply was kept from going out.
ERASED_NOT_SENT = "the review was erased, and its reply with it: nothing was sent"


@dataclass(frozen=True)
class OutgoingReply:
    review_id: int
    source: str
    external_id: str
    reply: str
    # An earlier try may have sent it and died before recording that (its work was taken
    # over): a publisher whose receiver replaces our one reply may send it again at once.
    resend: bool = False


class PublishError(Exception):
    """The reply was not published; `reason` is shown on the card, so it names no secret."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def refuse_erased(reply: OutgoingReply) -> None:
    """Every publisher's first step: what an erasure left in place of a reply never goes out."""
    if ERASED in reply.reply:
        raise PublishError(ERASED_NOT_SENT)


class Publisher(Protocol):
    # False for the manual path: someone copies the reply onto the platform by hand.
    automatic: bool

    def publish(self, reply: OutgoingReply) -> None:
        """Publish `reply` or raise PublishError."""


class ManualPublisher:
    """A source reviewbot cannot answer: the card shows the reply to copy and a
    "Mark as posted" button instead."""

    automatic = False

    def publish(self, reply: OutgoingReply) -> None:
        raise PublishError(f"{reply.source} replies are posted by hand")
