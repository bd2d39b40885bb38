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

from apscheduler.triggers.cron import CronTrigger
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.blocks.chart import DailyFigures, render_chart
from bot.blocks.digest import DigestData, ThemeCount, build_digest, digest_as_text
from bot.cards.posting import Poster
from bot.cards.slack_client import redraw_message
from bot.drafting.signature import SIGNATURE_SLOT
from bot.triage.themes import THEME_LABELS
from storage.db import session_scope
from storage.digests import (
    claim_week,
    decisions_by_responder,
    negative_themes,
    record_sent,
    release_week,
    reviews_written,
    take_over_week,
)
from storage.draft_quality import draft_quality
from storage.erasure import ERASED
from storage.figures import Period
from storage.kpi import compute_kpis, kpis_by
from storage.reviews import negatives_written_at
from storage.slack_messages import sent_digests

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
    rows = negative_themes(session, period=period)
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


def daily_figures(session: Session, week: DigestWeek, tz: tzinfo) -> list[DailyFigures]:
    rows = reviews_written(session, period=week.period)
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
            responders=decisions_by_responder(session, period=period),
            quality=draft_quality(session, period, slot=SIGNATURE_SLOT),
        )


class DigestService:
    """Sends the weekly digest to `channel`, redraws the ones that quoted an erased review,
    and previews it locally."""

    def __init__(
        self,
        engine: Engine,
        slack: WebClient | None,
        poster: Poster | None,
        *,
        channel: str | None,
        cron: str,
        sla: timedelta,
        tz: tzinfo,
    ) -> None:
        self._engine = engine
        self._slack = slack
        self._poster = poster
        self._channel = channel
        self._cron = cron
        self._sla = sla
        self._tz = tz

    def week(self, now: datetime) -> DigestWeek:
        """The week the digest due at `now` reports."""
        return digest_week(now, self._tz, self._cron)

    def data(self, week: DigestWeek, now: datetime) -> DigestData:
        """The digest of `week` with its figures as of `now`."""
        return gather(self._engine, week, now=now, sla=self._sla, tz=self._tz)

    def send(self, now: datetime) -> bool:
        """Send the digest for the week before `now`, unless it was sent; True when sent here."""
        client, poster, channel = self._slack, self._poster, self._channel
        if client is None or poster is None or not channel:
            return False
        week = self.week(now)
        resumed: datetime | None = None
        with session_scope(self._engine) as session:
            claimed = claim_week(session, week=week.key, now=now)
        if not claimed:
            with session_scope(self._engine) as session:
                resumed = take_over_week(
                    session, week=week.key, now=now, stale_before=now - STALE_CLAIM
                )
            if resumed is None:
                log.info("the digest for the week of %s was already sent", week.key)
                return False
            log.warning("the digest for the week of %s was claimed but never recorded", week.key)
        try:
            posted = poster.post(
                channel,
                build_digest(self.data(week, now)),
                metadata={"event_type": "weekly_digest", "event_payload": {"week": week.key}},
                unfurl_links=False,
                since=resumed,
            )
        except BaseException:
            # Nothing reached the channel: give the week back, so a later run can send it.
            with session_scope(self._engine) as session:
                release_week(session, week=week.key)
            raise
        with session_scope(self._engine) as session:
            record_sent(session, week=week.key, now=now, channel=channel, ts=posted.ts)
        log.info("digest sent", extra={"week": week.key, "channel": channel, "ts": posted.ts})
        if posted.adopted:
            return True  # sent before: its chart too, most likely, and one missing is no loss
        try:
            client.files_upload_v2(
                channel=channel,
                content=self._chart(week),
                filename=f"reviews-{week.key}.png",
                title=f"Reviews, week of {week.first_day:%-d %b %Y}",
            )
        except SlackApiError as exc:
            # The numbers are out; a missing chart is not worth a second digest.
            log.warning("could not upload the digest chart: %s", exc.response.get("error"))
        return True

    def redraw_without(self, review_ids: list[int]) -> int:
        """Redraw each digest in Slack whose week held one of these negative reviews, just
        erased: the same digest, its figures as of when it was sent, its examples chosen from
        what is left. Returns how many were redrawn."""
        client = self._slack
        if client is None:
            return 0
        with Session(self._engine) as session:
            written = negatives_written_at(session, review_ids=review_ids)
            runs = sent_digests(session) if written else []
        redrawn = 0
        for sent in runs:
            week = week_starting(date.fromisoformat(sent.week), self._tz)
            if not any(week.period.start <= at < week.period.end for at in written):
                continue
            assert sent.channel and sent.ts  # sent_digests reads those in Slack
            if redraw_message(
                client,
                channel=sent.channel,
                ts=sent.ts,
                message=build_digest(self.data(week, sent.sent_at or sent.claimed_at)),
                what=f"the digest of the week of {sent.week} without an erased review",
            ):
                redrawn += 1
        return redrawn

    def preview(self, now: datetime, out: Path) -> tuple[str, Path]:
        """The digest for the week before `now` as text, and its chart written under `out`;
        nothing is sent and nothing is recorded."""
        week = self.week(now)
        data = self.data(week, now)
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"digest-{week.key}.png"
        path.write_bytes(self._chart(week))
        return digest_as_text(build_digest(data)), path

    def _chart(self, week: DigestWeek) -> bytes:
        with Session(self._engine) as session:
            days = daily_figures(session, week, self._tz)
        title = f"Reviews {week.first_day:%-d %b} – {week.last_day:%-d %b %Y}"
        return render_chart(days, title)
