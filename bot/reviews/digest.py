"""The weekly digest: the seven days before the day it runs (in TIMEZONE) against the seven
before those, posted to DIGEST_CHANNEL with a chart; with ROUTES_FILE brands, with a table
by brand there, and each brand with a digest channel gets its own digest of its own reviews.
Exactly one per week and brand: the `digest_run` row of the week (and brand) is inserted
before anything is sent, and a second run (a restart, another instance) finds it there and
stops; unless the run that claimed it died before recording it as sent (STALE_CLAIM on):
then the digest is looked for in the channel by its metadata, and sent only when Slack does
not have it. A digest that quoted a review since erased is redrawn without it."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.blocks.chart import render_chart
from bot.blocks.digest import DigestData, build_digest, digest_as_text
from bot.cards.posting import Poster
from bot.cards.slack_client import redraw_message
from bot.reviews.digest_data import (
    DigestScope,
    DigestWeek,
    daily_figures,
    digest_week,
    gather,
    week_starting,
)
from bot.routing import Routing
from storage.db import session_scope
from storage.digests import claim_week, record_sent, release_week, take_over_week
from storage.reviews import negatives_written_at
from storage.slack_messages import sent_digests

log = logging.getLogger(__name__)

# A claim this old with nothing recorded as sent: the run that made it died while sending.
STALE_CLAIM = timedelta(minutes=30)


def _metadata(week: DigestWeek, scope: DigestScope) -> dict:
    payload = {"week": week.key} | ({"brand": scope.brand} if scope.brand else {})
    return {"event_type": "weekly_digest", "event_payload": payload}


class DigestService:
    """Sends the weekly digests (the whole deployment's to `channel`, each brand's to its
    digest channel), redraws the ones that quoted an erased review, and previews them."""

    def __init__(
        self,
        engine: Engine,
        slack: WebClient | None,
        poster: Poster | None,
        *,
        routing: Routing,
        channel: str | None,
        cron: str,
        sla: timedelta,
        tz: tzinfo,
    ) -> None:
        self._engine = engine
        self._slack = slack
        self._poster = poster
        self._routing = routing
        self._channel = channel
        self._cron = cron
        self._sla = sla
        self._tz = tz

    def week(self, now: datetime) -> DigestWeek:
        """The week the digest due at `now` reports."""
        return digest_week(now, self._tz, self._cron)

    def scope(self, brand_id: str | None = None) -> DigestScope:
        """The whole deployment's digest, or a brand's (KeyError: no such brand)."""
        if brand_id is None:
            return DigestScope(None, self._channel, self._sla)
        brand = self._routing.brands[brand_id]
        return DigestScope(brand.id, brand.digest_channel, brand.sla, brand.name)

    def scopes(self) -> list[DigestScope]:
        """Every digest due each week: the whole deployment's first, then each brand's that
        has a digest channel, in the routes file's order."""
        brands = [self.scope(brand_id) for brand_id in self._routing.brands]
        return [self.scope(), *(scope for scope in brands if scope.channel)]

    def data(self, week: DigestWeek, now: datetime, scope: DigestScope | None = None) -> DigestData:
        """The digest of `week` (the whole deployment's unless `scope` says) as of `now`."""
        scope = scope or self.scope()
        names = (
            {b.id: b.name for b in self._routing.brands.values()} if scope.brand is None else None
        )
        return gather(self._engine, week, now=now, scope=scope, tz=self._tz, brand_names=names)

    def send(self, now: datetime, *, brand: str | None = None) -> list[str]:
        """Send each digest for the week before `now` not sent yet (`brand`: that brand's
        alone); the channels this run sent to. A digest Slack refused is raised once the
        others were tried: one brand's failure holds back nobody else's digest."""
        if self._slack is None or self._poster is None:
            return []
        scopes = [self.scope(brand)] if brand else self.scopes()
        sent: list[str] = []
        failure: BaseException | None = None
        for scope in scopes:
            try:
                if scope.channel and self._send(scope, now):
                    sent.append(scope.channel)
            except Exception as exc:
                if failure is None:
                    failure = exc  # raised once the others were tried: the caller logs it
                else:
                    log.exception("the digest of brand %s failed too", scope.brand)
        if failure is not None:
            raise failure
        return sent

    def _send(self, scope: DigestScope, now: datetime) -> bool:
        """Send `scope`'s digest for the week before `now` unless it was; True when sent here."""
        client, poster, channel = self._slack, self._poster, scope.channel
        assert client is not None and poster is not None and channel is not None
        week = self.week(now)
        what = f"week of {week.key}" + (f", brand {scope.brand}" if scope.brand else "")
        resumed: datetime | None = None
        with session_scope(self._engine) as session:
            claimed = claim_week(session, week=week.key, brand=scope.brand, now=now)
        if not claimed:
            with session_scope(self._engine) as session:
                resumed = take_over_week(
                    session,
                    week=week.key,
                    brand=scope.brand,
                    now=now,
                    stale_before=now - STALE_CLAIM,
                )
            if resumed is None:
                log.info("the digest for the %s was already sent", what)
                return False
            log.warning("the digest for the %s was claimed but never recorded", what)
        try:
            posted = poster.post(
                channel,
                build_digest(self.data(week, now, scope)),
                metadata=_metadata(week, scope),
                unfurl_links=False,
                since=resumed,
            )
        except BaseException:
            # Nothing reached the channel: give the week back, so a later run can send it.
            with session_scope(self._engine) as session:
                release_week(session, week=week.key, brand=scope.brand)
            raise
        with session_scope(self._engine) as session:
            record_sent(
                session, week=week.key, brand=scope.brand, now=now, channel=channel, ts=posted.ts
            )
        log.info(
            "digest sent",
            extra={"week": week.key, "brand": scope.brand, "channel": channel, "ts": posted.ts},
        )
        if posted.adopted:
            return True  # sent before: its chart too, most likely, and one missing is no loss
        try:
            client.files_upload_v2(
                channel=channel,
                content=self._chart(week, scope.brand),
                filename=f"reviews-{week.key}{f'-{scope.brand}' if scope.brand else ''}.png",
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
            if sent.brand is not None and sent.brand not in self._routing.brands:
                continue  # a brand since taken out of ROUTES_FILE: its figures are not ours
            assert sent.channel and sent.ts  # sent_digests reads those in Slack
            scope = self.scope(sent.brand)
            if redraw_message(
                client,
                channel=sent.channel,
                ts=sent.ts,
                message=build_digest(self.data(week, sent.sent_at or sent.claimed_at, scope)),
                what=f"the digest of the week of {sent.week} without an erased review",
            ):
                redrawn += 1
        return redrawn

    def preview(self, now: datetime, out: Path, *, brand: str | None = None) -> tuple[str, Path]:
        """The digest for the week before `now` (the whole deployment's, or `brand`'s) as
        text, and its chart written under `out`; nothing is sent and nothing is recorded."""
        week = self.week(now)
        data = self.data(week, now, self.scope(brand))
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"digest-{week.key}{f'-{brand}' if brand else ''}.png"
        path.write_bytes(self._chart(week, brand))
        return digest_as_text(build_digest(data)), path

    def _chart(self, week: DigestWeek, brand: str | None) -> bytes:
        with Session(self._engine) as session:
            days = daily_figures(session, week, self._tz, brand)
        title = f"Reviews {week.first_day:%-d %b} – {week.last_day:%-d %b %Y}"
        return render_chart(days, title)
