"""Reviews, drafts, decisions and rating changes written straight into storage, for the KPI
tests: each row says exactly what state a review is in and when things happened."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from storage.db import session_scope
from storage.models import Decision, Draft, Review, ReviewChange, SlackCard


def add_review(
    engine: Engine,
    key: str,
    *,
    written: datetime,
    rating: int | None = 1,
    negative: bool | None = True,
    status: str = "pending",
    decided: datetime | None = None,
    source: str = "google",
    language: str | None = "sv",
    location: str | None = None,
    assignee: str | None = None,
    first_rating: int | None = None,
    text: str = "Kallt kaffe",
    received_after: timedelta = timedelta(minutes=10),
) -> int:
    """A review as the pipeline would leave it; `decided` with an approved/declined status."""
    received = written + received_after
    with session_scope(engine) as session:
        review = Review(
            source=source,
            external_id=key,
            rating=rating,
            first_rating=first_rating if first_rating is not None else rating,
            text=text,
            language=language,
            location=location,
            negative=negative,
            status=status,
            decided_at=decided,
            assignee=assignee,
            created_at=written,
            received_at=received,
            updated_at=decided or received,
        )
        session.add(review)
        session.flush()
        return review.id


def add_draft(
    engine: Engine,
    review_id: int,
    at: datetime,
    *,
    version: int = 1,
    kind: str = "llm",
    text: str = "Hej!",
) -> int:
    """A draft of `kind` ("llm", "template", "human") written at `at`; returns its id."""
    with session_scope(engine) as session:
        draft = Draft(review_id=review_id, version=version, text=text, kind=kind, created_at=at)
        session.add(draft)
        session.flush()
        return draft.id


def add_decision(
    engine: Engine,
    review_id: int,
    action: str,
    at: datetime,
    *,
    draft_kind: str | None = None,
    draft_id: int | None = None,
    edited: bool = False,
    final_text: str | None = None,
    detail: dict | None = None,
) -> None:
    """A decision row, on a new draft of `draft_kind` if given, else on `draft_id`."""
    if draft_kind is not None:
        draft_id = add_draft(engine, review_id, at, kind=draft_kind)
    with session_scope(engine) as session:
        session.add(
            Decision(
                review_id=review_id,
                draft_id=draft_id,
                action=action,
                actor="U0LEAD",
                at=at,
                edited=edited,
                final_text=final_text,
                detail=detail or {},
            )
        )


def add_rating_change(
    engine: Engine, review_id: int, at: datetime, old: int | None, new: int | None
) -> None:
    with session_scope(engine) as session:
        session.add(
            ReviewChange(review_id=review_id, changed_at=at, old_rating=old, new_rating=new)
        )


def add_card(engine: Engine, review_id: int, channel: str, ts: str, at: datetime) -> None:
    with session_scope(engine) as session:
        session.add(
            SlackCard(
                review_id=review_id,
                channel=channel,
                ts=ts,
                state="posted",
                created_at=at,
                posted_at=at,
            )
        )


def add_approved_reply(
    engine: Engine,
    external_id: str,
    *,
    text: str,
    reply: str,
    author: str | None = None,
    language: str = "sv",
    brand: str | None = None,
    at: datetime,
) -> int:
    """A review someone approved `reply` for at `at`: what the drafter takes its examples from."""
    with session_scope(engine) as session:
        review = Review(
            source="google",
            external_id=external_id,
            text=text,
            author=author,
            language=language,
            brand=brand,
            status="approved",
            created_at=at,
            received_at=at,
            updated_at=at,
        )
        session.add(review)
        session.flush()
        session.add(
            Decision(review_id=review.id, action="approved", actor="U1", at=at, final_text=reply)
        )
        assert review.id is not None
        return review.id


def table_row(table: str, label: str) -> list[str]:
    """The cells after `label` in a text table of the digest or /reviews (columns are two or
    more spaces apart)."""
    for line in table.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if cells[0] == label:
            return cells[1:]
    raise AssertionError(f"no row {label!r} in:\n{table}")
