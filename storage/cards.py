"""The card outbox: one `SlackCard` row per review, queued before it is posted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, update
from sqlmodel import Session, col, select

from storage.db import rows_updated
from storage.models import CardState, Review, ReviewStatus, SlackCard, not_null


def find_card(session: Session, *, review_id: int) -> SlackCard | None:
    return session.exec(select(SlackCard).where(SlackCard.review_id == review_id)).first()


def card_by_id(session: Session, *, card_id: int) -> SlackCard | None:
    return session.get(SlackCard, card_id)


def queue_card(session: Session, *, review_id: int, channel: str, at: datetime) -> SlackCard:
    """The review's outbox row, flushed; IntegrityError when another process queued it first."""
    card = SlackCard(review_id=review_id, channel=channel, created_at=at)
    session.add(card)
    session.flush()
    return card


def record_route(
    session: Session, *, review_id: int, route: str | None, assignee: str | None
) -> None:
    """Why the review's card went where it went, and its route's owner unless it has one;
    written in the transaction that queues the card, so only the first queueing routes it."""
    width = Review.__table__.c.route.type.length  # type: ignore[attr-defined]  # a table model
    session.execute(
        update(Review)
        .where(col(Review.id) == review_id)
        .values(route=route[:width] if route else None)
    )
    if assignee is not None:
        session.execute(
            update(Review)
            .where(col(Review.id) == review_id, col(Review.assignee).is_(None))
            .values(assignee=assignee)
        )


def reviews_with_cards(session: Session) -> list[tuple[Review, SlackCard]]:
    """Every carded review with its card, oldest review first."""
    statement = (
        select(Review, SlackCard).join(SlackCard, col(SlackCard.review_id) == Review.id)
    ).order_by(col(Review.id))
    return [(review, card) for review, card in session.exec(statement)]


def queued_cards(session: Session) -> list[SlackCard]:
    return list(session.exec(select(SlackCard).where(SlackCard.state == CardState.queued)))


def uncarded_pending(session: Session) -> list[int]:
    """Reviews waiting for a decision that never got an outbox row, oldest first."""
    return list(
        session.exec(
            select(not_null(Review.id))
            .where(
                Review.status == ReviewStatus.pending,
                ~exists().where(col(SlackCard.review_id) == Review.id),
            )
            .order_by(col(Review.id))
        )
    )


def claim_card_post(
    session: Session, *, card_id: int, now: datetime, until: datetime
) -> tuple[bool, bool]:
    """Take the posting of a queued card until `until`, unless another process holds it:
    (taken, tried before: a post may be in Slack already)."""
    found = session.execute(
        select(col(SlackCard.state), col(SlackCard.posting_until)).where(
            col(SlackCard.id) == card_id
        )
    ).first()
    if found is None or found[0] != CardState.queued:
        return False, False
    seen = found[1]
    if seen is not None and seen > now:
        return False, True
    unchanged = (
        col(SlackCard.posting_until).is_(None)
        if seen is None
        else col(SlackCard.posting_until) == seen
    )
    taken = rows_updated(
        session,
        update(SlackCard)
        .where(col(SlackCard.id) == card_id, col(SlackCard.state) == CardState.queued, unchanged)
        .values(posting_until=until)
        .execution_options(synchronize_session=False),
    )
    return taken == 1, seen is not None


def end_card_post(session: Session, *, card_id: int, at: datetime) -> None:
    """A post that failed: the next may post at once, looking in Slack for this one first."""
    session.execute(
        update(SlackCard)
        .where(col(SlackCard.id) == card_id, col(SlackCard.state) == CardState.queued)
        .values(posting_until=at)
        .execution_options(synchronize_session=False)
    )


def record_card_post(
    session: Session,
    *,
    card_id: int,
    channel: str,
    ts: str,
    at: datetime,
    drawn: str | None = None,
) -> None:
    """The post reached Slack: the row becomes `posted` with the message's ts, and `drawn`,
    the digest of what it shows (None: not known, an adopted message)."""
    session.execute(
        update(SlackCard)
        .where(col(SlackCard.id) == card_id)
        .values(state=CardState.posted, channel=channel, ts=ts, posted_at=at, drawn=drawn)
    )


def next_card_version(session: Session, *, card_id: int, at: datetime) -> int:
    """A redraw's new version, so buttons on what users saw before are refused; what the
    message shows is not known until the redraw reaches Slack (record_drawn)."""
    session.execute(
        update(SlackCard)
        .where(col(SlackCard.id) == card_id)
        .values(version=SlackCard.version + 1, updated_at=at, drawn=None)
    )
    return session.exec(select(SlackCard.version).where(SlackCard.id == card_id)).one()


def record_drawn(session: Session, *, card_id: int, version: int, drawn: str) -> None:
    """The redraw to `version` reached Slack, showing `drawn`; a later version taken since
    (another redraw on its way) keeps its own."""
    session.execute(
        update(SlackCard)
        .where(col(SlackCard.id) == card_id, col(SlackCard.version) == version)
        .values(drawn=drawn)
    )
