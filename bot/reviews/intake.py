"""Intake: validate reviews from any source (HTTP, file, pollers) and store each exactly once."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.cards.changes import ChangeNotices
from bot.metrics import Metrics
from bot.reviews.work_queue import WorkQueue
from bot.routing import Routing
from storage.db import session_scope
from storage.health import DatabaseFileChanged, StorageUnavailable
from storage.models import WorkKind, utcnow
from storage.reviews import ReviewData, UpsertResult, upsert_reviews

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 100_000
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


def _no_nul(value: Any) -> Any:
    # PostgreSQL refuses NUL in text; refuse it here with a clear message instead of a 5xx.
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("contains a NUL character")
    return value


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _id_string(value: Any) -> Any:
    # Platforms hand out numeric ids too; they are identifiers, not numbers.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _aware(value: datetime | None) -> datetime | None:
    # A timestamp without an offset is taken as UTC (documented in docs/operator.md).
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


Text = Annotated[str, BeforeValidator(_no_nul)]
OptionalText = Annotated[str | None, BeforeValidator(_blank_to_none), BeforeValidator(_no_nul)]


def _rating(value: Any) -> Any:
    # CSV gives every column as text; JSON must give a real integer.
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if not value.isdigit():
            raise ValueError("must be an integer from 1 to 5")
        return int(value)
    return value


class ReviewIn(BaseModel):
    """The review JSON of DESIGN.md. Unknown keys are ignored so sources may send more."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    source: Text = Field(max_length=64)
    external_id: Annotated[str, BeforeValidator(_id_string), BeforeValidator(_no_nul)] = Field(
        max_length=256
    )
    text: Text = Field(max_length=MAX_TEXT_CHARS)
    rating: Annotated[StrictInt | None, BeforeValidator(_rating)] = Field(default=None, ge=1, le=5)
    title: OptionalText = Field(default=None, max_length=1000)
    author: OptionalText = Field(default=None, max_length=256)
    language: OptionalText = Field(default=None, max_length=35)
    created_at: Annotated[
        datetime | None, BeforeValidator(_blank_to_none), AfterValidator(_aware)
    ] = None
    url: OptionalText = Field(default=None, max_length=2048)
    location: OptionalText = Field(default=None, max_length=256)
    brand: OptionalText = Field(default=None, max_length=32)  # a ROUTES_FILE brand id

    @field_validator("source", "external_id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("language")
    @classmethod
    def _language_tag(cls, value: str | None) -> str | None:
        if value is not None and not _LANGUAGE_TAG.match(value):
            raise ValueError("must be a language tag such as sv, nb, nn, fi, zh-Hant")
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.lower().startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _text_or_rating(self) -> ReviewIn:
        if not self.text.strip() and self.rating is None:
            raise ValueError("text: may be empty only when a rating is given")
        return self

    def to_data(self) -> ReviewData:
        return ReviewData(**self.model_dump())


@dataclass(frozen=True)
class Problem:
    """One reason a review was refused: which field, and what is wrong with it."""

    field: str
    problem: str
    index: int | None = None  # position in an array, or line number in a file

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "problem": self.problem}
        if self.index is not None:
            out["index"] = self.index
        return out


_FRIENDLY = {
    "missing": "is required",
    "string_type": "must be a string",
    "int_type": "must be an integer from 1 to 5",
    "int_parsing": "must be an integer from 1 to 5",
    "greater_than_equal": "must be an integer from 1 to 5",
    "less_than_equal": "must be an integer from 1 to 5",
    "datetime_from_date_parsing": "must be an ISO 8601 date-time such as 2026-11-20T18:03:00+01:00",
    "datetime_parsing": "must be an ISO 8601 date-time such as 2026-11-20T18:03:00+01:00",
    "datetime_type": "must be an ISO 8601 date-time such as 2026-11-20T18:03:00+01:00",
}


def problems_from(exc: ValidationError, index: int | None = None) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in err["loc"]) or "review"
        message = _FRIENDLY.get(err["type"])
        if message is None:
            message = str(err["msg"]).removeprefix("Value error, ")
            if ": " in message and field == "review":
                field, message = message.split(": ", 1)
        problems.append(Problem(field=field, problem=message, index=index))
    return problems


def parse_review(
    raw: Any, index: int | None = None, *, brands: Collection[str] = ()
) -> ReviewIn | list[Problem]:
    """Validate one raw review; return it, or the problems that name each bad field.

    `brands`: the ROUTES_FILE brand ids. Without any, a `brand` field is ignored, as any key
    the deployment has no use for; with them, an id that is not one of them is refused."""
    if not isinstance(raw, dict):
        return [Problem("review", "must be a JSON object", index)]
    try:
        review = ReviewIn.model_validate(raw)
    except ValidationError as exc:
        return problems_from(exc, index)
    if review.brand is None:
        return review
    if not brands:
        return review.model_copy(update={"brand": None})
    if review.brand not in brands:
        known = ", ".join(sorted(brands))
        return [Problem("brand", f"unknown brand {review.brand!r}; use one of {known}", index)]
    return review


class IntakeService:
    """Stores validated reviews exactly once and tells the pipeline which ones need work."""

    def __init__(
        self,
        engine: Engine,
        *,
        routing: Routing | None = None,
        clock: Callable[[], datetime] = utcnow,
        on_stored: Callable[[list[int]], None] | None = None,
        changes: ChangeNotices | None = None,
        metrics: Metrics | None = None,
        work: WorkQueue | None = None,
    ) -> None:
        """`routing`: the brands of ROUTES_FILE (None: no brands); `on_stored(ids)` hears of the
        reviews new or changed; `changes` stores what shows a change on the cards of reviews
        that came again with another rating or text; `work`: where their triage is stored, in
        the same transaction as the reviews."""
        self._engine = engine
        self._routing = routing
        self._work = work
        self._clock = clock
        self._on_stored = on_stored
        self._changes = changes
        self._metrics = metrics or Metrics()

    @property
    def brands(self) -> frozenset[str]:
        """The brand ids a review may name (none without ROUTES_FILE)."""
        return frozenset(self._routing.brands) if self._routing else frozenset()

    def _with_brand(self, data: ReviewData) -> ReviewData:
        """The review's own brand, else its source's (connectors give it as the review's), else
        the first brand whose locations take the review's."""
        if self._routing is None:
            return data if data.brand is None else replace(data, brand=None)
        # POST /reviews refused an unknown id already; a connector's brand is checked at start-up
        # (preflight), so one the routes no longer define falls back as if none were given.
        given = data.brand if data.brand in self._routing.brands else None
        brand = self._routing.brand_of(given=given, source_brand=None, location=data.location)
        return data if brand == data.brand else replace(data, brand=brand)

    def ingest(
        self, reviews: Sequence[ReviewIn | ReviewData], *, lock_wait: float | None = None
    ) -> list[UpsertResult]:
        """`lock_wait`: seconds to wait for the database's write lock (SQLite) before giving
        up with StorageUnavailable; None waits as long as every other writer does."""
        data = [self._with_brand(r.to_data() if isinstance(r, ReviewIn) else r) for r in reviews]
        if not data:
            return []
        engine = (
            self._engine
            if lock_wait is None
            else self._engine.execution_options(lock_wait=lock_wait)
        )
        for attempt in (1, 2):
            try:
                with session_scope(engine) as session:
                    results = upsert_reviews(session, data, now=self._clock())
                    # The cards of changed reviews show the change: stored with it.
                    redrawn = (
                        self._changes.store(
                            session, [r.review_id for r in results if r.status == "updated"]
                        )
                        if self._changes is not None
                        else []
                    )
                    if self._work is not None:
                        self._work.add(
                            session,
                            kind=WorkKind.triage,
                            review_ids=[r.review_id for r in results if r.status != "duplicate"],
                        )
                break
            except (OperationalError, DatabaseFileChanged) as exc:
                # Nothing of the batch was committed, so the sender may simply send it again.
                reason = exc.orig if isinstance(exc, OperationalError) else exc
                raise StorageUnavailable(f"reviews not stored: {reason}") from exc
            except IntegrityError:
                # Another request stored one of these keys between our read and our insert;
                # the second pass sees it and reports it as a duplicate.
                if attempt == 2:
                    raise
                log.info("concurrent insert of the same review; retrying the batch")
        given = {d.key: d for d in data}
        for r in results:
            if r.status != "duplicate":
                d = given[(r.source, r.external_id)]
                log.info(
                    "review stored",
                    extra={
                        "review_id": r.review_id,
                        "source": r.source,
                        "external_id": r.external_id,
                        "status": r.status,
                        "rating": d.rating,
                        "language": d.language,
                    },
                )
                self._metrics.reviews_stored.labels(r.source, r.status).inc()
        to_process = [r.review_id for r in results if r.status != "duplicate"]
        if to_process and self._on_stored is not None:
            self._on_stored(to_process)
        if redrawn and self._changes is not None:
            self._changes.stored(redrawn)
        return results
