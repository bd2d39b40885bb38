"""What the connector tests share: a sources registry pointed at a fake, the small bundle of
services `poll_source` uses, recorded back-off waits, and an approval made the way a person's
click stores it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.publishing.base import OutgoingReply
from bot.reviews.intake import IntakeService
from bot.sources.config import Credentials, SourcesFile
from bot.sources.connectors import SourceRegistry
from storage.db import session_scope
from storage.models import Decision, PublishState, Review, ReviewChange, ReviewStatus
from tests.support.clock import TestClock, TestWaits

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@dataclass
class Clock:
    """Seconds since the epoch, moved by the test (token expiry is computed from it)."""

    now: float = NOW.timestamp()

    def __call__(self) -> float:
        return self.now


@dataclass
class PollServices:
    """The part of bot.services.Services that poll_source uses."""

    engine: Engine
    intake: IntakeService
    sources: SourceRegistry
    clock: TestClock

    def close(self) -> None:
        self.sources.close()


def poll_services(
    engine: Engine,
    sources: list[dict[str, Any]],
    credentials: dict[str, str],
    *,
    waits: TestWaits | None = None,
    clock: Clock | None = None,
) -> PollServices:
    registry = SourceRegistry.build(
        SourcesFile.model_validate({"sources": sources}),
        Credentials(credentials),
        sleep=waits or TestWaits(),
        # Real time by default: the fakes check signed JWTs against the real clock.
        clock=clock or time.time,
    )
    stamps = TestClock(NOW)
    return PollServices(engine, IntakeService(engine, clock=stamps), registry, stamps)


def stored(engine: Engine, source: str) -> list[Review]:
    with Session(engine) as session:
        return list(session.exec(select(Review).where(Review.source == source).order_by(Review.id)))


def stored_one(engine: Engine, external_id: str) -> Review:
    with Session(engine) as session:
        return session.exec(select(Review).where(Review.external_id == external_id)).one()


def changes(engine: Engine, review_id: int) -> list[ReviewChange]:
    with Session(engine) as session:
        return list(session.exec(select(ReviewChange).where(ReviewChange.review_id == review_id)))


def approve(
    engine: Engine, review_id: int, text: str, actor: str | None = "U0ANNA"
) -> OutgoingReply:
    """The review approved with `text`, as the decision service stores a click on Approve."""
    with session_scope(engine) as session:
        session.execute(
            update(Review)
            .where(Review.id == review_id)
            .values(status=ReviewStatus.approved, publish_state=PublishState.publishing)
        )
        session.add(
            Decision(review_id=review_id, action="approved", actor=actor, at=NOW, final_text=text)
        )
        review = session.get(Review, review_id)
        assert review is not None
        return OutgoingReply(review_id, review.source, review.external_id, text)


def mark_published(engine: Engine, review_id: int) -> None:
    with session_scope(engine) as session:
        session.execute(
            update(Review)
            .where(Review.id == review_id)
            .values(publish_state=PublishState.published, published_at=NOW)
        )
