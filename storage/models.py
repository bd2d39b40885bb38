"""Tables. Every step of the flow is an explicit state stored here, so a restart resumes.

All tables in one module, a little over 300 lines, so the schema reads in one place."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import JSON, Field, SQLModel, col


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no offset, so store naive UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


T = TypeVar("T")


def not_null(column: T | None) -> sa.ColumnElement[T]:
    """A nullable column in a query that reads only rows holding a value (every stored row
    has its id; a card that is posted has its ts; the WHERE asks for IS NOT NULL), typed so."""
    return cast(sa.ColumnElement[T], col(column))


class _Stored(Protocol):
    id: int | None


def stored_ids(rows: Iterable[_Stored]) -> list[int]:
    """The ids of rows read from the database, where every row has one."""
    ids = []
    for row in rows:
        assert row.id is not None
        ids.append(row.id)
    return ids


def utcnow() -> datetime:
    return datetime.now(UTC)


class ReviewStatus(StrEnum):
    """Where a review is in the flow. The pipeline moves it forward with compare-and-set updates."""

    received = "received"  # stored, not yet triaged
    triaged = "triaged"  # negative, waiting for a draft
    drafting = "drafting"  # a draft is being written
    pending = "pending"  # draft ready (or failed), waiting for a decision
    approved = "approved"
    declined = "declined"
    positive = "positive"  # no reply needed


class PublishState(StrEnum):
    none = "none"  # not approved yet
    publishing = "publishing"
    published = "published"
    failed = "failed"
    manual = "manual"  # the source cannot be answered from here: someone posts it by hand
    posted = "posted"  # posted by hand


class Review(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("source", "external_id", name="uq_review_source_external_id"),
        sa.Index("ix_review_created_at", "created_at"),
        sa.Index("ix_review_status", "status"),
        # KPIs (storage/kpi.py): reviews, ratings, negatives and SLA by when they were written,
        # read from the index alone.
        sa.Index("ix_review_kpi_created", "created_at", "negative", "rating", "decided_at"),
        # KPIs: replies and declines by when they were decided, reply times and the backlog.
        sa.Index("ix_review_kpi_decided", "status", "decided_at", "created_at", "received_at"),
        # KPIs for one brand (`brand:<id>`), by when the reviews were written.
        sa.Index("ix_review_brand_kpi", "brand", "created_at", "negative", "rating", "decided_at"),
        # …and by when they were decided, read from the index alone as without a brand.
        sa.Index(
            "ix_review_brand_decided", "brand", "status", "decided_at", "created_at", "received_at"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64)
    external_id: str = Field(max_length=256)
    rating: int | None = None
    first_rating: int | None = None  # the rating when first seen, for "turned around"
    title: str | None = None
    text: str = ""
    author: str | None = None
    language_hint: str | None = Field(default=None, max_length=35)
    location: str | None = Field(default=None, max_length=256)
    url: str | None = Field(default=None, max_length=2048)
    # The brand the review belongs to (ROUTES_FILE; None: the base profile), and why its card
    # went to the channel it went to: set once, when the card is first queued.
    brand: str | None = Field(default=None, max_length=32)
    route: str | None = Field(default=None, max_length=256)
    created_at: datetime = Field(sa_type=UTCDateTime)  # when the customer wrote it
    received_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)

    status: str = Field(default=ReviewStatus.received, sa_type=sa.String(16))
    # Triage results (filled by the triage step).
    language: str | None = Field(default=None, max_length=35)
    language_assumed: bool = False
    negative: bool | None = None
    themes: list[str] = Field(default_factory=list, sa_type=JSON)
    feedback_kind: str | None = Field(default=None, max_length=16)
    priority: str = Field(default="normal", max_length=16)
    urgent_reason: str | None = None
    review_translation: str | None = None
    draft_error: str | None = None

    assignee: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set when the customer's personal data was erased (on request, or by the retention job).
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # After approval: none → manual (posted by hand) → posted, or publishing → published/failed.
    publish_state: str = Field(default=PublishState.none, sa_type=sa.String(16))
    publish_error: str | None = None
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Scheduler. Each is set once by a compare-and-set, so a job never acts twice.
    sla_breached_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    follow_up_asked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    followed_up_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReviewChange(SQLModel, table=True):
    """A review that came again with another rating or text: what changed, and when."""

    __tablename__ = "review_change"
    # KPIs: reviews turned around, by when the rating changed.
    __table_args__ = (sa.Index("ix_review_change_changed_at", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    changed_at: datetime = Field(sa_type=UTCDateTime)
    old_rating: int | None = None
    new_rating: int | None = None
    old_title: str | None = None
    new_title: str | None = None
    old_text: str | None = None
    new_text: str | None = None
    # The customer changed the review after our reply was published or posted:
    # the reply may no longer fit, and a rating change shows whether we turned them around.
    after_reply: bool = False
    # When the review's card was redrawn to show this change; None: not yet.
    shown_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Draft(SQLModel, table=True):
    """Every version of a reply draft, as the model (or a template) wrote it."""

    __table_args__ = (sa.UniqueConstraint("review_id", "version", name="uq_draft_review_version"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    version: int
    text: str
    kind: str = Field(max_length=16)  # "llm" or "template"; "human" for a person's edit
    reply_translation: str | None = None
    instruction: str | None = None  # the regenerate instruction that produced it
    model: str | None = Field(default=None, max_length=128)
    prompt_version: str | None = Field(default=None, max_length=64)
    tokens_in: int | None = None
    tokens_out: int | None = None
    latency_ms: int | None = None
    findings: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Decision(SQLModel, table=True):
    """Append-only audit of who did what, when, with the final text. Never updated."""

    __table_args__ = (
        sa.Index("ix_decision_review_at", "review_id", "at"),
        # KPIs: approvals of unedited AI drafts, by when they were approved.
        sa.Index("ix_decision_action_at", "action", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id")
    draft_id: int | None = Field(default=None, foreign_key="draft.id")
    action: str = Field(max_length=32)
    actor: str | None = Field(default=None, max_length=64)
    at: datetime = Field(sa_type=UTCDateTime)
    final_text: str | None = None
    edited: bool = False
    reason: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class CardState(StrEnum):
    queued = "queued"  # to be posted (the outbox)
    posted = "posted"


class SlackCard(SQLModel, table=True):
    """The Slack message that shows a review. One per review; `version` guards stale buttons."""

    __tablename__ = "slack_card"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", unique=True)
    channel: str = Field(max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    state: str = Field(default=CardState.queued, sa_type=sa.String(16))
    version: int = 1
    created_at: datetime = Field(sa_type=UTCDateTime)
    posted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # While queued: a process is posting it until then (others wait for it); once past, or
    # after a failed post, whoever posts next looks in Slack for the message first.
    posting_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # What the message in Slack shows at `version` (bot/cards/drawn.py); None while a redraw
    # is on its way to Slack, or before the first post.
    drawn: str | None = Field(default=None, max_length=64)


# --- Review sources: polling cursors and published platform replies -----------------------------
class SourceCursor(SQLModel, table=True):
    """Where polling one configured source stopped, so a restart neither refetches nor misses."""

    __tablename__ = "source_cursor"

    source_name: str = Field(primary_key=True, max_length=64)
    # Per location/app: the newest modification time seen and the ids seen at that instant.
    position: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    last_polled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A platform rate limit or failure asked us to wait: no poll before this time.
    not_before: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failures: int = 0
    last_error: str | None = None


class PublicationState(StrEnum):
    sending = "sending"
    sent = "sent"


class ReplyPublication(SQLModel, table=True):
    """An approved reply a platform connector sent: the same approval is never sent twice."""

    __tablename__ = "reply_publication"
    __table_args__ = (
        sa.UniqueConstraint("review_id", "reply_sha256", name="uq_reply_publication_reply"),
    )

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id")
    reply_sha256: str = Field(max_length=64)
    state: str = Field(default=PublicationState.sending, sa_type=sa.String(16))
    claimed_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- Scheduler: the weekly digest and pattern alerts ---------------------------------------
class DigestRun(SQLModel, table=True):
    """One row per digest week and brand, inserted before the digest is sent: the unique
    (week, brand) key is what keeps a restart or a second instance from sending the same
    week's digest twice (the whole deployment's, brand None, counts as one brand)."""

    __tablename__ = "digest_run"
    __table_args__ = (
        sa.Index("uq_digest_run_week_brand", "week", sa.text("coalesce(brand, '')"), unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    week: str = Field(max_length=32)  # the period's first day, e.g. "2026-11-16"
    brand: str | None = Field(default=None, max_length=32)  # None: the whole deployment's
    claimed_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)


class PatternAlert(SQLModel, table=True):
    """An alert that one theme keeps coming back in negative reviews; at most one per theme
    per window, so the channel hears of a pattern once, not on every sweep."""

    __tablename__ = "pattern_alert"
    __table_args__ = (sa.Index("ix_pattern_alert_theme_at", "theme", "alerted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    theme: str = Field(max_length=32)
    brand: str | None = Field(default=None, max_length=32)  # None: reviews of no brand
    alerted_at: datetime = Field(sa_type=UTCDateTime)
    review_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)


# --- The people who answer: their signature, and what they think of each draft --------------
class Responder(SQLModel, table=True):
    """A Slack user who approves replies: the signature they set themselves, and the name
    Slack gave for them (kept, so approving does not wait on users.info every time)."""

    user_id: str = Field(primary_key=True, max_length=32)
    signature: str | None = Field(default=None, max_length=120)
    slack_name: str | None = Field(default=None, max_length=120)
    name_checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class DraftVote(SQLModel, table=True):
    """A 👍 or 👎 on one draft by one person: counted for the team, shown to nobody else."""

    __tablename__ = "draft_vote"
    __table_args__ = (
        sa.UniqueConstraint("draft_id", "user_id", name="uq_draft_vote_draft_user"),
        sa.Index("ix_draft_vote_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id")
    review_id: int = Field(foreign_key="review.id", index=True)
    user_id: str = Field(max_length=32)
    vote: int  # +1 or -1
    at: datetime = Field(sa_type=UTCDateTime)


# --- Work: what a worker process is to do next, claimed with a lease ------------------------
class WorkKind(StrEnum):
    triage = "triage"  # a review stored and still to triage (and card, when negative)
    draft = "draft"  # a triaged review still to draft
    regenerate = "regenerate"  # a new draft someone asked for (the latest `regenerated`)
    card = "card"  # the review's card to post or redraw, as the review stands now
    publish = "publish"  # an approved reply to send (its review's publish state: publishing)


class Work(SQLModel, table=True):
    """One step a review waits for, until a worker finishes it (storage/work.py). One row per
    review and kind; the row goes in the transaction that makes the step due and leaves in
    the one that records the step done."""

    __table_args__ = (
        sa.UniqueConstraint("kind", "review_id", name="uq_work_kind_review"),
        sa.Index("ix_work_kind_due", "kind", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=sa.String(16))
    review_id: int = Field(foreign_key="review.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    # When a worker may claim it: at once when new; the lease's end while claimed; the
    # retry time after a failure.
    due_at: datetime = Field(sa_type=UTCDateTime)
    claim: str | None = Field(default=None, max_length=64)  # the claim holding it, if any
    attempts: int = 0  # claims so far: more than one means a worker died or gave up on it
    # Times asked for: asked again while a worker runs it, it runs once more after.
    asked: int = 1


class ThreadLine(SQLModel, table=True):
    """A line for a card's thread (approved by whom, a new rating…), stored with what it tells
    and posted by the card's step once the card is in Slack, oldest first."""

    __tablename__ = "thread_line"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    kind: str = Field(max_length=32)
    actor: str | None = Field(default=None, max_length=64)
    detail: str | None = None
    at: datetime = Field(sa_type=UTCDateTime)  # when it happened: the time the line shows
    # The message's metadata: a post whose answer was lost is found by it, not posted twice.
    line_key: str = Field(max_length=32)
    posted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
