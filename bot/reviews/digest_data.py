"""What a weekly digest holds: its week (from DIGEST_CRON, in TIMEZONE), whose digest it is
(the whole deployment's or a brand's), and its figures read from storage."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.blocks.chart import DailyFigures
from bot.blocks.digest import DigestData, ThemeCount
from bot.drafting.signature import SIGNATURE_SLOT
from bot.triage.themes import THEME_LABELS
from storage.digests import decisions_by_responder, negative_themes, reviews_written
from storage.draft_quality import draft_quality
from storage.erasure import ERASED
from storage.figures import NO_VALUE, KpiFilter, Period
from storage.kpi import compute_kpis, kpis_by

DAYS = 7
EXAMPLE_MIN_CHARS = 20  # an example shorter than this says too little to be one
NO_BRAND = "No brand"  # the row of the reviews no brand took, in the table by brand


@dataclass(frozen=True)
class DigestWeek:
    period: Period
    first_day: date
    last_day: date

    @property
    def key(self) -> str:
        return self.first_day.isoformat()


@dataclass(frozen=True)
class DigestScope:
    """Whose digest: the whole deployment's (no brand) or one brand's, where it goes, and the
    SLA its figures are judged against."""

    brand: str | None
    channel: str | None
    sla: timedelta
    name: str | None = None  # the brand's name, for the digest's title


def scheduled_run(cron: str, tz: tzinfo, now: datetime) -> datetime:
    """The latest time at or before `now` that DIGEST_CRON fired: a run that comes late (after
    a restart) reports the same week as the run that was due, and so finds it claimed."""
    trigger = CronTrigger.from_crontab(cron, timezone=tz)
    latest = now
    fire = trigger.get_next_fire_time(None, now - timedelta(days=DAYS + 1))
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest


def next_run(cron: str, tz: tzinfo, now: datetime) -> datetime:
    """The first time after `now` that DIGEST_CRON fires."""
    trigger = CronTrigger.from_crontab(cron, timezone=tz)
    fire = trigger.get_next_fire_time(None, now + timedelta(microseconds=1))
    assert fire is not None  # a crontab always fires again
    return fire


def digest_week(now: datetime, tz: tzinfo, cron: str) -> DigestWeek:
    """The seven whole local days before the day of the digest's run due at `now`. Built from
    wall-clock midnights, so a week with a daylight-saving change is still Monday to Sunday."""
    today = scheduled_run(cron, tz, now).astimezone(tz).date()
    return week_starting(today - timedelta(days=DAYS), tz)


def week_starting(first: date, tz: tzinfo) -> DigestWeek:
    """The seven local days from `first` on (a digest's week, known by its first day)."""
    after = first + timedelta(days=DAYS)
    start = datetime.combine(first, time(), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(after, time(), tzinfo=tz).astimezone(UTC)
    return DigestWeek(Period(start, end), first, after - timedelta(days=1))


def _themes(session: Session, period: Period, brand: str | None) -> list[ThemeCount]:
    rows = negative_themes(session, period=period, brand=brand)
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for themes, text in rows:
        # An erased review still counts; what is left of its text is never quoted.
        text = "" if text == ERASED else " ".join((text or "").split())
        for theme in dict.fromkeys(themes or ()):
            counts[theme] += 1
            # The shortest text that still says something is the easiest example to read.
            if len(text) >= EXAMPLE_MIN_CHARS and len(text) < len(examples.get(theme, text + " ")):
                examples[theme] = text
    return [
        ThemeCount(THEME_LABELS.get(theme, theme), count, examples.get(theme))
        for theme, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def daily_figures(
    session: Session, week: DigestWeek, tz: tzinfo, brand: str | None = None
) -> list[DailyFigures]:
    rows = reviews_written(session, period=week.period, brand=brand)
    reviews: Counter[date] = Counter()
    negatives: Counter[date] = Counter()
    ratings: dict[date, list[int]] = defaultdict(list)
    for created_at, negative, rating in rows:
        day = created_at.astimezone(tz).date()
        reviews[day] += 1
        negatives[day] += bool(negative)
        if rating is not None:
            ratings[day].append(rating)
    days = [week.first_day + timedelta(days=n) for n in range(DAYS)]
    return [
        DailyFigures(
            day,
            reviews[day],
            negatives[day],
            sum(ratings[day]) / len(ratings[day]) if ratings[day] else None,
        )
        for day in days
    ]


def gather(
    engine: Engine,
    week: DigestWeek,
    *,
    now: datetime,
    scope: DigestScope,
    tz: tzinfo,
    brand_names: dict[str, str] | None = None,
) -> DigestData:
    """The digest of `scope`'s reviews; `brand_names` (id → name) adds the table by brand."""
    sla_hours = scope.sla.total_seconds() / 3600
    period = week.period
    only = KpiFilter(brand=scope.brand)
    with Session(engine) as session:
        this_week = compute_kpis(session, period, only, now=now, sla_hours=sla_hours)
        # On Monday morning the lead wants what waits now, not what waited at midnight.
        waiting = compute_kpis(session, Period(now, now), only, now=now, sla_hours=sla_hours)
        by_brand = (
            kpis_by(session, period, "brand", now=now, sla_hours=sla_hours) if brand_names else {}
        )
        return DigestData(
            first_day=week.first_day,
            last_day=week.last_day,
            tz=tz,
            this_week=replace(
                this_week, backlog=waiting.backlog, oldest_pending_at=waiting.oldest_pending_at
            ),
            week_before=compute_kpis(
                session, period.previous(), only, now=now, sla_hours=sla_hours
            ),
            by_language=kpis_by(
                session, period, "language", now=now, sla_hours=sla_hours, filters=only
            ),
            by_source=kpis_by(
                session, period, "source", now=now, sla_hours=sla_hours, filters=only
            ),
            themes=_themes(session, period, scope.brand),
            responders=decisions_by_responder(session, period=period, brand=scope.brand),
            quality=draft_quality(session, period, filters=only, slot=SIGNATURE_SLOT),
            brand_name=scope.name,
            by_brand=by_brand,
            brand_names={**(brand_names or {}), NO_VALUE: NO_BRAND},
        )
