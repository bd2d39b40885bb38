"""The Slack messages the app posted, as storage keeps them: review cards, weekly digests and
pattern alerts, found again when what they show has to change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import CardState, DigestRun, PatternAlert, SlackCard


def posted_cards(session: Session, review_ids: Sequence[int]) -> dict[int, SlackCard]:
    """review id → its card, for the reviews whose card is in Slack."""
    if not review_ids:
        return {}
    cards = session.exec(
        select(SlackCard).where(
            col(SlackCard.review_id).in_(list(review_ids)),
            SlackCard.state == CardState.posted,
            col(SlackCard.ts).is_not(None),
        )
    )
    return {card.review_id: card for card in cards}


def card_drawn_at(session: Session, *, review_id: int) -> datetime | None:
    """When the card as Slack shows it now was drawn (its last redraw, else its post)."""
    card = session.exec(select(SlackCard).where(SlackCard.review_id == review_id)).first()
    if card is None:
        return None
    return card.updated_at or card.posted_at


def sent_digests(session: Session) -> list[DigestRun]:
    """Every digest that reached Slack, oldest week first."""
    return list(
        session.exec(
            select(DigestRun)
            .where(col(DigestRun.ts).is_not(None), col(DigestRun.channel).is_not(None))
            .order_by(DigestRun.week)
        )
    )


def alerts_naming(
    session: Session, *, review_ids: Sequence[int], since: datetime
) -> list[PatternAlert]:
    """The pattern alerts in Slack, sent at or after `since`, that named any of these reviews."""
    wanted = set(review_ids)
    alerts = session.exec(
        select(PatternAlert)
        .where(
            col(PatternAlert.alerted_at) >= since,
            col(PatternAlert.ts).is_not(None),
            col(PatternAlert.channel).is_not(None),
        )
        .order_by(col(PatternAlert.id))
    )
    # review_ids is a JSON list, which each backend searches its own way: few alerts are
    # sent (one per theme a week at most), so they are filtered here.
    return [alert for alert in alerts if wanted.intersection(alert.review_ids or ())]
