"""Services for job tests (built, not started: jobs are called directly with a fixed clock),
and reviews placed at chosen times."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from bot.config import Settings
from bot.services import Services
from bot.wiring import build_services
from storage.db import session_scope
from storage.models import Decision, Review, SlackCard
from tests.support.clock import TestClock, TestWaits
from tests.support.harness import REVIEWS_CHANNEL

# Tuesday 24 November 2026, 11:00 in Stockholm: inside working hours.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def job_services(
    fake_slack: Any, database_url: str, *, clock: TestClock | None = None, **overrides: Any
) -> Services:
    """Services whose clock stands at NOW unless the test brings its own."""
    values: dict[str, Any] = {
        "slack_bot_token": fake_slack.bot_token,
        "slack_api_url": fake_slack.api_url,
        "reviews_channel": REVIEWS_CHANNEL,
        "database_url": database_url,
        "card_post_interval": 0,
    }
    values.update(overrides)
    return build_services(Settings(**values), clock=clock or TestClock(NOW), sleep=TestWaits())


def add_review(services: Services, external_id: str = "r-1", **fields: Any) -> int:
    """Ingest a review (triaged, drafted and carded inline, as without a started pipeline)."""
    from bot.reviews.intake import ReviewIn

    review = {
        "source": "google",
        "external_id": external_id,
        "rating": 1,
        "text": "Maten var kall och vi väntade i en timme på bordet.",
        "author": "Anna Svensson",
        "language": "sv",
        "created_at": NOW.isoformat(),
    }
    review.update(fields)
    [result] = services.intake.ingest([ReviewIn.model_validate(review)])
    return result.review_id


def set_review(services: Services, review_id: int, **values: Any) -> None:
    with session_scope(services.engine) as session:
        session.execute(update(Review).where(Review.id == review_id).values(**values))


def set_card(services: Services, review_id: int, **values: Any) -> None:
    with session_scope(services.engine) as session:
        session.execute(update(SlackCard).where(SlackCard.review_id == review_id).values(**values))


def review(services: Services, review_id: int) -> Review:
    with Session(services.engine) as session:
        return session.get(Review, review_id)


def card(services: Services, review_id: int) -> SlackCard:
    with Session(services.engine) as session:
        return session.exec(select(SlackCard).where(SlackCard.review_id == review_id)).one()


def actions(services: Services, review_id: int, action: str) -> list[Decision]:
    with Session(services.engine) as session:
        return list(
            session.exec(
                select(Decision)
                .where(Decision.review_id == review_id, Decision.action == action)
                .order_by(Decision.id)
            )
        )


def approve(services: Services, review_id: int, actor: str = "U0ANNA") -> None:
    refusal = services.decisions.approve(
        review_id, services.cards.current_version(review_id), actor
    )
    assert refusal is None, refusal


def thread_texts(fake_slack: Any, services: Services, review_id: int) -> list[str]:
    c = card(services, review_id)
    return [m["text"] for m in fake_slack.thread(c.channel, c.ts)]
