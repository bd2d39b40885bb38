"""Approved replies out to the platforms: one publisher per platform, routing each reply to the
configured source that owns the review, and a ledger so one approval is sent once.

Every platform here creates-or-replaces our single reply, so trying again after an unanswered
call cannot post twice; the ledger is what keeps a publish that already succeeded (a double
click, a sweep after a restart) from calling the platform again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.publishing.base import OutgoingReply, PublishError, refuse_erased
from bot.sources.connectors.base import Connector, RateLimited, SourceError
from storage.db import session_scope
from storage.models import (
    Decision,
    PublicationState,
    ReplyPublication,
    Review,
    ReviewStatus,
    utcnow,
)

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
            row = session.exec(
                select(ReplyPublication).where(
                    ReplyPublication.review_id == reply.review_id,
                    ReplyPublication.reply_sha256 == digest,
                )
            ).first()
            if row is None:
                session.add(
                    ReplyPublication(review_id=reply.review_id, reply_sha256=digest, claimed_at=now)
                )
                try:
                    session.flush()
                except IntegrityError:
                    raise PublishError("this reply is being published already") from None
                return True
            if row.state == PublicationState.sent:
                return False
            taken = session.execute(
                update(ReplyPublication)
                .where(
                    ReplyPublication.id == row.id,
                    ReplyPublication.claimed_at == row.claimed_at,
                    ReplyPublication.claimed_at < now - STALE_CLAIM,
                )
                .values(claimed_at=now)
            ).rowcount
        if not taken:
            raise PublishError("this reply is being published already")
        return True

    def sent(self, reply: OutgoingReply) -> None:
        with session_scope(self._engine) as session:
            session.execute(
                update(ReplyPublication)
                .where(
                    ReplyPublication.review_id == reply.review_id,
                    ReplyPublication.reply_sha256 == _digest(reply.reply),
                )
                .values(state=PublicationState.sent, sent_at=self._clock())
            )

    def release(self, reply: OutgoingReply) -> None:
        """The platform did not take it: a later retry may send it."""
        with session_scope(self._engine) as session:
            row = session.exec(
                select(ReplyPublication).where(
                    ReplyPublication.review_id == reply.review_id,
                    ReplyPublication.reply_sha256 == _digest(reply.reply),
                    ReplyPublication.state == PublicationState.sending,
                )
            ).first()
            if row is not None:
                session.delete(row)

    @staticmethod
    def _require_approval(session: Session, reply: OutgoingReply) -> None:
        review = session.get(Review, reply.review_id)
        approval = session.exec(
            select(Decision)
            .where(Decision.review_id == reply.review_id, Decision.action == "approved")
            .order_by(Decision.at.desc(), Decision.id.desc())  # type: ignore[union-attr]
        ).first()
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
