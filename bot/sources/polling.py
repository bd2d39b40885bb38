"""Polling one configured source: what changed since its stored cursor goes into intake.

The cursor (table `source_cursor`) is written after each location's reviews are stored, so a
restart resumes where the last poll stopped: nothing is stored twice, nothing is skipped. A
rate limit or failure sets `not_before`; polls until then return at once, so the scheduler can
keep a fixed interval and the platform still gets the pause it asked for.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypedDict

from sqlalchemy.engine import Engine

from bot.reviews.intake import IntakeService
from bot.sources.connectors import SourceRegistry
from bot.sources.connectors.base import RateLimited, SourceError, Watermark
from storage.sources import read_cursor, save_cursor

log = logging.getLogger(__name__)

FIRST_BACKOFF = timedelta(minutes=1)
LONGEST_BACKOFF = timedelta(hours=1)
INGEST_CHUNK = 500  # a first-run backfill can be thousands of reviews: keep transactions small


class _Counts(TypedDict):
    accepted: int
    updated: int
    duplicate: int


@dataclass(frozen=True)
class PollReport:
    source: str
    accepted: int = 0
    updated: int = 0
    duplicate: int = 0
    # Set when the source was not polled (or stopped early) and should not be before then.
    not_before: datetime | None = None
    error: str | None = None


class Polling(Protocol):
    """What a poll needs: the database of cursors, the sources, and intake for what they send."""

    @property
    def engine(self) -> Engine: ...

    @property
    def sources(self) -> SourceRegistry: ...

    @property
    def intake(self) -> IntakeService: ...


def poll_source(services: Polling, source_name: str, now: datetime) -> PollReport:
    """Fetch the source's new and edited reviews into intake and move its cursor on."""
    connector = services.sources.connector(source_name)
    engine = services.engine
    cursor = read_cursor(engine, source_name=source_name)
    if cursor.not_before is not None and now < cursor.not_before:
        return PollReport(source_name, not_before=cursor.not_before, error=cursor.last_error)
    position = dict(cursor.position or {})
    counts: _Counts = {"accepted": 0, "updated": 0, "duplicate": 0}
    try:
        for scope_id in connector.scope_ids():
            fetched = connector.fetch(scope_id, Watermark.from_json(position.get(scope_id)), now)
            for start in range(0, len(fetched.reviews), INGEST_CHUNK):
                for result in services.intake.ingest(fetched.reviews[start : start + INGEST_CHUNK]):
                    counts[result.status] += 1
            position[scope_id] = fetched.watermark.to_json()
            save_cursor(engine, source_name=source_name, position=position, last_polled_at=now)
    except SourceError as exc:
        failures = cursor.failures + 1
        if isinstance(exc, RateLimited):
            wait = timedelta(seconds=exc.retry_after)
        else:
            wait = min(FIRST_BACKOFF * 2 ** (failures - 1), LONGEST_BACKOFF)
        log.warning("polling %s failed (%s); next try after %s", source_name, exc.reason, wait)
        save_cursor(
            engine,
            source_name=source_name,
            failures=failures,
            not_before=now + wait,
            last_error=exc.reason,
        )
        return PollReport(source_name, **counts, not_before=now + wait, error=exc.reason)
    save_cursor(engine, source_name=source_name, failures=0, not_before=None, last_error=None)
    return PollReport(source_name, **counts)


def poll_due(services: Polling, now: datetime) -> list[PollReport]:
    """Poll each configured source whose `poll_minutes` have passed since its last poll."""
    reports = []
    for name in services.sources.names():
        last = read_cursor(services.engine, source_name=name).last_polled_at
        if last is not None and now - last < timedelta(minutes=services.sources.poll_minutes(name)):
            continue
        report = poll_source(services, name, now)
        log.info(
            "polled %s: %d new, %d updated, %d seen before%s",
            name,
            report.accepted,
            report.updated,
            report.duplicate,
            f" ({report.error})" if report.error else "",
        )
        reports.append(report)
    return reports
