"""Pattern alerts' rows: the negative reviews of a window, and the alerts sent."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import PatternAlert, Review, not_null


def negative_themes_between(
    session: Session, *, after: datetime, until: datetime
) -> list[tuple[int, str | None, list[str]]]:
    """(review id, brand, themes) of each negative review written after `after`, up to
    `until`, oldest first."""
    return list(
        session.exec(
            select(not_null(Review.id), col(Review.brand), col(Review.themes))
            .where(
                col(Review.negative).is_(True),
                col(Review.created_at) > after,
                col(Review.created_at) <= until,
            )
            .order_by(col(Review.created_at))
        ).all()
    )


def themes_alerted_after(session: Session, *, after: datetime) -> set[tuple[str | None, str]]:
    """(brand, theme) of each alert sent after `after`; brand None: of reviews of no brand."""
    return set(
        session.exec(
            select(PatternAlert.brand, PatternAlert.theme).where(
                col(PatternAlert.alerted_at) > after
            )
        ).all()
    )


def record_alert(
    session: Session,
    *,
    theme: str,
    brand: str | None,
    at: datetime,
    review_ids: list[int],
    channel: str,
    ts: str,
) -> None:
    session.add(
        PatternAlert(
            theme=theme,
            brand=brand,
            alerted_at=at,
            review_ids=review_ids,
            channel=channel,
            ts=ts,
        )
    )
