"""The weekly digest: the seven days before the day it runs (in TIMEZONE) against the seven
before those, posted to DIGEST_CHANNEL with a chart. Exactly one per week: the week's
`digest_run` row is inserted before anything is sent, and a second run (a restart, another
instance) finds it there and stops; unless the run that claimed it died before recording it
as sent (STALE_CLAIM on): then the digest is looked for in the channel by its metadata, and
sent only when Slack does not have it. A digest that quoted a review since erased is redrawn
without it."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from apscheduler.triggers.cron import CronTrigger
from slack_sdk.errors import SlackApiError
from sqlalchemy import delete, func, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.blocks.chart import DailyFigures, render_chart
from bot.blocks.digest import DigestData, ThemeCount, build_digest, digest_as_text
from bot.cards.slack_client import redraw_message
from bot.drafting.signature import SIGNATURE_SLOT
from bot.triage.themes import THEME_LABELS
from storage.db import session_scope
from storage.draft_quality import draft_quality
from storage.erasure import ERASED
from storage.figures import Period
from storage.kpi import compute_kpis, kpis_by
from storage.models import Decision, DigestRun, Review, ReviewStatus
from storage.reviews import negatives_written_at
from storage.slack_messages import sent_digests

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

DAYS = 7
# A claim this old with nothing recorded as sent: the run that made it died while sending.
STALE_CLAIM = timedelta(minutes=30)
EXAMPLE_MIN_CHARS = 20  # an example shorter than this says too little to be one


@dataclass(frozen=True)
class DigestWeek:
    period: Period
    first_day: date
    last_day: date

    @property
    def key(self) -> str:
        return self.first_day.isoformat()


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


def _themes(session: Session, period: Period) -> list[ThemeCount]:
    rows = session.exec(
        select(Review.themes, Review.text)
        .where(
            col(Review.negative).is_(True),
            col(Review.created_at) >= period.start,
            col(Review.created_at) < period.end,
        )
        .order_by(Review.id)
    ).all()
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


def _responders(session: Session, period: Period) -> list[tuple[str, int]]:
    decided = func.count()
    rows = session.exec(
        select(Decision.actor, decided)
        .where(
            col(Decision.action).in_([ReviewStatus.approved, ReviewStatus.declined]),
            col(Decision.at) >= period.start,
            col(Decision.at) < period.end,
            col(Decision.actor).is_not(None),
        )
        .group_by(col(Decision.actor))
        .order_by(decided.desc(), col(Decision.actor))
    ).all()
    return [(actor, count) for actor, count in rows]


def daily_figures(session: Session, week: DigestWeek, tz: tzinfo) -> list[DailyFigures]:
    period = week.period
    rows = session.exec(
        select(Review.created_at, Review.negative, Review.rating).where(
            col(Review.created_at) >= period.start, col(Review.created_at) < period.end
        )
    ).all()
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
    engine: Engine, week: DigestWeek, *, now: datetime, sla: timedelta, tz: tzinfo
) -> DigestData:
    sla_hours = sla.total_seconds() / 3600
    period = week.period
    with Session(engine) as session:
        this_week = compute_kpis(session, period, now=now, sla_hours=sla_hours)
        # On Monday morning the lead wants what waits now, not what waited at midnight.
        waiting = compute_kpis(session, Period(now, now), now=now, sla_hours=sla_hours)
        return DigestData(
            first_day=week.first_day,
            last_day=week.last_day,
            tz=tz,
            this_week=replace(
                this_week, backlog=waiting.backlog, oldest_pending_at=waiting.oldest_pending_at
            ),
            week_before=compute_kpis(session, period.previous(), now=now, sla_hours=sla_hours),
            by_language=kpis_by(session, period, "language", now=now, sla_hours=sla_hours),
            by_source=kpis_by(session, period, "source", now=now, sla_hours=sla_hours),
            themes=_themes(session, period),
            responders=_responders(session, period),
            quality=draft_quality(session, period, slot=SIGNATURE_SLOT),
        )


def _chart(engine: Engine, week: DigestWeek, tz: tzinfo) -> bytes:
    with Session(engine) as session:
        days = daily_figures(session, week, tz)
    return render_chart(days, f"Reviews {week.first_day:%-d %b} – {week.last_day:%-d %b %Y}")


def _claim(engine: Engine, week: DigestWeek, now: datetime) -> bool:
    try:
        with session_scope(engine) as session:
            session.add(DigestRun(week=week.key, claimed_at=now))
    except IntegrityError:
        return False
    return True


def _take_over(engine: Engine, week: DigestWeek, now: datetime) -> datetime | None:
    """Claim a week whose run died before recording its digest as sent; returns when that
    run claimed it (its digest may be in Slack since then), or None."""
    with Session(engine) as session:
        claimed = session.exec(select(DigestRun).where(col(DigestRun.week) == week.key)).first()
    if claimed is None or claimed.sent_at is not None or claimed.claimed_at > now - STALE_CLAIM:
        return None
    with session_scope(engine) as session:
        moved = session.execute(
            update(DigestRun)
            .where(
                col(DigestRun.week) == week.key,
                col(DigestRun.claimed_at) == claimed.claimed_at,
                col(DigestRun.sent_at).is_(None),
            )
            .values(claimed_at=now)
        ).rowcount
    return claimed.claimed_at if moved == 1 else None


def run(services: Services, now: datetime) -> bool:
    """Send the digest for the week before `now`, unless it was sent; True when sent here."""
    settings = services.settings
    client = services.slack
    channel = settings.digest_channel_id
    if client is None or services.poster is None or not channel:
        return False
    week = digest_week(now, settings.tz, settings.digest_cron)
    resumed: datetime | None = None
    if not _claim(services.engine, week, now):
        resumed = _take_over(services.engine, week, now)
        if resumed is None:
            log.info("the digest for the week of %s was already sent", week.key)
            return False
        log.warning("the digest for the week of %s was claimed but never recorded", week.key)
    try:
        data = gather(services.engine, week, now=now, sla=settings.sla, tz=settings.tz)
        message = build_digest(data)
        posted = services.poster.post(
            channel,
            message,
            metadata={"event_type": "weekly_digest", "event_payload": {"week": week.key}},
            unfurl_links=False,
            since=resumed,
        )
    except BaseException:
        # Nothing reached the channel: give the week back, so a later run can send it.
        with session_scope(services.engine) as session:
            session.execute(delete(DigestRun).where(col(DigestRun.week) == week.key))
        raise
    with session_scope(services.engine) as session:
        session.execute(
            update(DigestRun)
            .where(col(DigestRun.week) == week.key)
            .values(sent_at=now, channel=channel, ts=posted.ts)
        )
    log.info("digest sent", extra={"week": week.key, "channel": channel, "ts": posted.ts})
    if posted.adopted:
        return True  # sent before: its chart too, most likely, and one missing is no loss
    try:
        client.files_upload_v2(
            channel=channel,
            content=_chart(services.engine, week, settings.tz),
            filename=f"reviews-{week.key}.png",
            title=f"Reviews, week of {week.first_day:%-d %b %Y}",
        )
    except SlackApiError as exc:
        # The numbers are out; a missing chart is not worth a second digest.
        log.warning("could not upload the digest chart: %s", exc.response.get("error"))
    return True


def redraw_without(services: Services, review_ids: list[int]) -> int:
    """Redraw each digest in Slack whose week held one of these negative reviews, just
    erased: the same digest, its figures as of when it was sent, its examples chosen from
    what is left. Returns how many were redrawn."""
    client = services.slack
    settings = services.settings
    if client is None:
        return 0
    with Session(services.engine) as session:
        written = negatives_written_at(session, review_ids=review_ids)
        runs = sent_digests(session) if written else []
    redrawn = 0
    for sent in runs:
        week = week_starting(date.fromisoformat(sent.week), settings.tz)
        if not any(week.period.start <= at < week.period.end for at in written):
            continue
        as_of = sent.sent_at or sent.claimed_at
        data = gather(services.engine, week, now=as_of, sla=settings.sla, tz=settings.tz)
        if redraw_message(
            client,
            channel=sent.channel,
            ts=sent.ts,
            message=build_digest(data),
            what=f"the digest of the week of {sent.week} without an erased review",
        ):
            redrawn += 1
    return redrawn


def preview(services: Services, now: datetime, out: Path) -> tuple[str, Path]:
    """The digest for the week before `now` as text, and its chart written under `out`;
    nothing is sent and nothing is recorded."""
    settings = services.settings
    week = digest_week(now, settings.tz, settings.digest_cron)
    data = gather(services.engine, week, now=now, sla=settings.sla, tz=settings.tz)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"digest-{week.key}.png"
    path.write_bytes(_chart(services.engine, week, settings.tz))
    return digest_as_text(build_digest(data)), path
