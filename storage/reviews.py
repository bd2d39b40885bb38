"""Review rows: insert-or-update by (source, external_id), with every change recorded."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, tuple_
from sqlmodel import Session, select

from storage.models import Review, ReviewChange, ReviewStatus

UpsertStatus = Literal["accepted", "duplicate", "updated"]

# Statuses in which nobody has seen the review yet, so a change simply sends it through
# triage again. Later statuses keep their card; the change is recorded for the card and KPIs.
_RETRIAGE_STATUSES = {ReviewStatus.received, ReviewStatus.positive}


@dataclass(frozen=True)
class ReviewData:
    """A review as a source delivered it, already validated."""

    source: str
    external_id: str
    text: str
    rating: int | None = None
    title: str | None = None
    author: str | None = None
    language: str | None = None
    created_at: datetime | None = None
    url: str | None = None
    location: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.external_id)


@dataclass(frozen=True)
class UpsertResult:
    review_id: int
    source: str
    external_id: str
    status: UpsertStatus


def _existing(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Review]:
    keys = list(keys)
    found: dict[tuple[str, str], Review] = {}
    # Bounded IN lists keep the statement within every backend's parameter limit.
    for start in range(0, len(keys), 400):
        chunk = keys[start : start + 400]
        rows = session.exec(
            select(Review).where(tuple_(Review.source, Review.external_id).in_(chunk))
        )
        found.update({(r.source, r.external_id): r for r in rows})
    return found


def upsert_reviews(
    session: Session, reviews: Sequence[ReviewData], *, now: datetime
) -> list[UpsertResult]:
    """Store new reviews, update changed ones (recording the change), skip exact repeats.

    The caller owns the transaction; a concurrent insert of the same key surfaces as an
    IntegrityError at flush, and retrying the whole batch then finds the row.
    """
    existing = _existing(session, {r.key for r in reviews})
    results: list[UpsertResult] = []
    for data in reviews:
        row = existing.get(data.key)
        if row is None:
            row = Review(
                source=data.source,
                external_id=data.external_id,
                rating=data.rating,
                first_rating=data.rating,
                title=data.title,
                text=data.text,
                author=data.author,
                language_hint=data.language,
                location=data.location,
                url=data.url,
                created_at=data.created_at or now,
                received_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            existing[data.key] = row
            results.append(UpsertResult(row.id, data.source, data.external_id, "accepted"))
            continue
        if (row.rating, row.text, row.title) == (data.rating, data.text, data.title):
            results.append(UpsertResult(row.id, data.source, data.external_id, "duplicate"))
            continue
        session.add(
            ReviewChange(
                review_id=row.id,
                changed_at=now,
                old_rating=row.rating,
                new_rating=data.rating,
                old_title=row.title,
                new_title=data.title,
                old_text=row.text,
                new_text=data.text,
            )
        )
        row.rating, row.text, row.title = data.rating, data.text, data.title
        row.updated_at = now
        if row.status in _RETRIAGE_STATUSES:
            row.status = ReviewStatus.received
        session.add(row)
        results.append(UpsertResult(row.id, data.source, data.external_id, "updated"))
    session.flush()
    return results


def count_reviews(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Review)).one()
