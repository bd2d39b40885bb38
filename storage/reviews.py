"""Review rows: insert-or-update by (source, external_id), with every change recorded.

A little over 300 lines: intake's compiled upsert and the reads of one review belong together;
state moves live in review_states.py, sweeps in sweeps.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import Insert, Select, bindparam, func, tuple_, update
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage.db import rows_updated
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
    brand: str | None = None  # ROUTES_FILE's brand id; kept as first stored

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.external_id)


@dataclass(frozen=True)
class UpsertResult:
    review_id: int
    source: str
    external_id: str
    status: UpsertStatus


_COLUMNS = (
    "id",
    "source",
    "external_id",
    "rating",
    "text",
    "title",
    "status",
    "published_at",
)


# Intake's hot path runs these statements for every review: they are built once (per
# dialect) with bound parameters, so SQLAlchemy compiles them once and only binds values.
@cache
def _existing_statement() -> Select:
    table = Review.__table__  # type: ignore[attr-defined]  # set on table models, not declared
    columns = [table.c[name] for name in _COLUMNS]
    keys = tuple_(table.c.source, table.c.external_id).in_(bindparam("keys", expanding=True))
    return select(*columns).where(keys)


@cache
def _insert_statement(dialect: str) -> Insert:
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    table = Review.__table__  # type: ignore[attr-defined]  # set on table models, not declared
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=["source", "external_id"])
        .returning(table.c.id)
    )


def _existing(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    keys = list(keys)
    found: dict[tuple[str, str], Any] = {}
    connection = session.connection()
    # Bounded IN lists keep the statement within every backend's parameter limit.
    for start in range(0, len(keys), 400):
        rows = connection.execute(_existing_statement(), {"keys": keys[start : start + 400]})
        found.update({(r.source, r.external_id): r for r in rows})
    return found


def _insert_new(session: Session, data: ReviewData, now: datetime) -> int | None:
    """Insert one review; None when a concurrent delivery stored the same key first."""
    connection = session.connection()
    values = {
        "source": data.source,
        "external_id": data.external_id,
        "rating": data.rating,
        "first_rating": data.rating,
        "title": data.title,
        "text": data.text,
        "author": data.author,
        "language_hint": data.language,
        "location": data.location,
        "url": data.url,
        "brand": data.brand,
        "created_at": data.created_at or now,
        "received_at": now,
        "updated_at": now,
    }
    statement = _insert_statement(connection.dialect.name)
    return connection.execute(statement, values).scalar_one_or_none()


def upsert_reviews(
    session: Session, reviews: Sequence[ReviewData], *, now: datetime
) -> list[UpsertResult]:
    """Store new reviews, update changed ones (recording the change), skip exact repeats.

    Core statements rather than ORM objects: this is intake's hot path. A key that a
    concurrent request inserted between our read and our insert is read again and then
    handled like any repeat, so the same review is never stored twice. A batch's keys are read
    in one query first; a single review is inserted at once, and read only when its key is
    taken: one round trip fewer for a source that sends reviews one by one as they come.
    """
    existing = _existing(session, {r.key for r in reviews}) if len(reviews) > 1 else {}
    results: list[UpsertResult] = []
    for data in reviews:
        row = existing.get(data.key)
        if row is None:
            review_id = _insert_new(session, data, now)
            if review_id is not None:
                existing[data.key] = _Stored(review_id, data)
                results.append(UpsertResult(review_id, data.source, data.external_id, "accepted"))
                continue
            row = _existing(session, [data.key])[data.key]
        if (row.rating, row.text, row.title) == (data.rating, data.text, data.title):
            results.append(UpsertResult(row.id, data.source, data.external_id, "duplicate"))
            continue
        session.execute(
            sa_insert(ReviewChange).values(
                review_id=row.id,
                changed_at=now,
                old_rating=row.rating,
                new_rating=data.rating,
                old_title=row.title,
                new_title=data.title,
                old_text=row.text,
                new_text=data.text,
                after_reply=row.published_at is not None,
            )
        )
        values: dict[str, Any] = {
            "rating": data.rating,
            "text": data.text,
            "title": data.title,
            "updated_at": now,
        }
        if row.status in _RETRIAGE_STATUSES:
            values["status"] = ReviewStatus.received
        session.execute(
            update(Review)
            .where(Review.id == row.id)
            .values(**values)
            .execution_options(synchronize_session=False)  # no ORM copies of rows here
        )
        existing[data.key] = _Stored(
            row.id, data, values.get("status", row.status), row.published_at
        )
        results.append(UpsertResult(row.id, data.source, data.external_id, "updated"))
    return results


@dataclass(frozen=True)
class _Stored:
    """What _existing reads, for a row this batch wrote itself."""

    id: int
    data: ReviewData
    status: str = ReviewStatus.received
    published_at: datetime | None = None

    @property
    def rating(self) -> int | None:
        return self.data.rating

    @property
    def text(self) -> str:
        return self.data.text

    @property
    def title(self) -> str | None:
        return self.data.title


def count_reviews(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Review)).one()


def all_reviews(session: Session) -> list[Review]:
    """Every review, in the order they were stored."""
    return list(session.exec(select(Review).order_by(col(Review.id))))


# --- Changes the source reported: what the card and the approval check look at ---------------
def changes_since(session: Session, *, review_id: int, since: datetime) -> list[ReviewChange]:
    """The review's recorded changes after `since`, oldest first."""
    return list(
        session.exec(
            select(ReviewChange)
            .where(ReviewChange.review_id == review_id, ReviewChange.changed_at > since)
            .order_by(col(ReviewChange.changed_at), col(ReviewChange.id))
        )
    )


def claim_changes(
    session: Session, *, now: datetime, review_ids: Sequence[int] | None = None, limit: int
) -> list[ReviewChange]:
    """Mark up to `limit` changes not shown yet (of these reviews, or of any) as shown at `now`
    and return them, oldest first. A compare-and-set: a change another worker claimed
    meanwhile is not returned, so each is shown once."""
    query = select(col(ReviewChange.id)).where(col(ReviewChange.shown_at).is_(None))
    if review_ids is not None:
        query = query.where(col(ReviewChange.review_id).in_(list(review_ids)))
    candidates = list(session.exec(query.order_by(col(ReviewChange.id)).limit(limit)))
    if not candidates:
        return []
    claimed = (
        session.execute(
            update(ReviewChange)
            .where(col(ReviewChange.id).in_(candidates), col(ReviewChange.shown_at).is_(None))
            .values(shown_at=now)
            .returning(col(ReviewChange.id))
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    return list(
        session.exec(
            select(ReviewChange)
            .where(col(ReviewChange.id).in_(claimed))
            .order_by(col(ReviewChange.id))
        )
    )


def negatives_written_at(session: Session, *, review_ids: Sequence[int]) -> list[datetime]:
    """When each of these reviews that triage found negative was written."""
    if not review_ids:
        return []
    return list(
        session.exec(
            select(Review.created_at).where(
                col(Review.id).in_(list(review_ids)), col(Review.negative).is_(True)
            )
        )
    )


ReviewStamp = Literal["sla_breached_at", "follow_up_asked_at", "followed_up_at"]


def move_stamp(
    session: Session,
    *,
    review_id: int,
    stamp: ReviewStamp,
    frm: datetime | None,
    to: datetime | None,
) -> bool:
    """Compare-and-set on one of a review's stamps: True when it was `frm` and is now `to`,
    so of two sweeps (or two clicks) exactly one moves it."""
    column = getattr(Review, stamp)
    moved = rows_updated(
        session,
        update(Review)
        .where(col(Review.id) == review_id, column.is_(None) if frm is None else column == frm)
        .values({stamp: to}),
    )
    return moved == 1
