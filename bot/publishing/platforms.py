"""Approved replies out to the platforms: one publisher per platform, routing each reply to the
configured source (bot/sources/connectors) that owns the review, and a ledger so one approval is
sent once.

Every platform here creates-or-replaces our single reply, so trying again after an unanswered
call cannot post twice; the ledger is what keeps a publish that already succeeded (a double
click, a sweep after a restart) from calling the platform again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.publishing.base import OutgoingReply, Publisher, PublishError, refuse_erased
from bot.sources.connectors import SourceRegistry
from bot.sources.connectors.base import Connector, RateLimited, SourceError
from storage.db import session_scope
from storage.decisions import latest_approval
from storage.models import PublicationState, ReviewStatus, utcnow
from storage.publications import (
    add_publication,
    find_publication,
    mark_sent,
    release_claim,
    take_over_claim,
)
from storage.review_states import find_review

log = logging.getLogger(__name__)

# A claim this old belongs to a process that died mid-call; another may take it over.
STALE_CLAIM = timedelta(minutes=10)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class PublicationLedger:
    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    def claim(self, reply: OutgoingReply) -> bool:
        """True: go ahead and send. False: this approval was sent already.
        PublishError: it is not a person's approval, or another worker is sending it now."""
        digest = _digest(reply.reply)
        now = self._clock()
        with session_scope(self._engine) as session:
            self._require_approval(session, reply)
            row = find_publication(session, review_id=reply.review_id, reply_sha256=digest)
            if row is None:
                try:
                    add_publication(
                        session, review_id=reply.review_id, reply_sha256=digest, claimed_at=now
                    )
                except IntegrityError:
                    raise PublishError("this reply is being published already") from None
                return True
            if row.state == PublicationState.sent:
                return False
            # A resend's earlier try is dead (its work was taken over): no wait for its claim.
            stale_before = now if reply.resend else now - STALE_CLAIM
            taken = take_over_claim(session, publication=row, claimed_before=stale_before, now=now)
        if not taken:
            raise PublishError("this reply is being published already")
        return True

    def sent(self, reply: OutgoingReply) -> None:
        with session_scope(self._engine) as session:
            mark_sent(
                session,
                review_id=reply.review_id,
                reply_sha256=_digest(reply.reply),
                at=self._clock(),
            )

    def release(self, reply: OutgoingReply) -> None:
        """The platform did not take it: a later retry may send it."""
        with session_scope(self._engine) as session:
            release_claim(session, review_id=reply.review_id, reply_sha256=_digest(reply.reply))

    @staticmethod
    def _require_approval(session: Session, reply: OutgoingReply) -> None:
        review = find_review(session, review_id=reply.review_id)
        approval = latest_approval(session, review_id=reply.review_id)
        if (
            review is None
            or review.status != ReviewStatus.approved
            or review.erased_at is not None
            or approval is None
            or not approval.actor
            or approval.final_text != reply.reply
        ):
            raise PublishError("only a reply a person approved is published")


class PlatformPublisher:
    """The publisher of one platform (bot.publishing's seam) over its configured sources."""

    automatic = True

    def __init__(self, platform: str, connectors: Sequence[Connector], ledger: PublicationLedger):
        self._platform = platform
        self._connectors = list(connectors)
        self._ledger = ledger

    def publish(self, reply: OutgoingReply) -> None:
        refuse_erased(reply)
        connector = next((c for c in self._connectors if c.owns(reply.external_id)), None)
        if connector is None:
            raise PublishError(
                f"no {self._platform} source in the sources file has review {reply.external_id}"
            )
        if not self._ledger.claim(reply):
            log.info("review %s: this approved reply was published already", reply.review_id)
            return
        try:
            connector.publish(reply.external_id, reply.reply)
        except SourceError as exc:
            self._ledger.release(reply)
            reason = exc.reason
            if isinstance(exc, RateLimited):
                reason += f"; try again in {exc.retry_after:.0f} s"
            raise PublishError(reason) from None
        except BaseException:
            self._ledger.release(reply)
            raise
        self._ledger.sent(reply)


def platform_publishers(
    sources: SourceRegistry, engine: Engine, *, clock: Callable[[], datetime]
) -> dict[str, Publisher]:
    """One publisher per platform that has a source, for the publisher registry."""
    ledger = PublicationLedger(engine, clock=clock)
    by_platform: dict[str, list[Connector]] = {}
    for connector in sources.connectors():
        by_platform.setdefault(connector.platform, []).append(connector)
    return {
        platform: PlatformPublisher(platform, connectors, ledger)
        for platform, connectors in by_platform.items()
    }
