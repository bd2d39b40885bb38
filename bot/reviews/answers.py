"""What `/reviews` answers and what the App Home tab shows: read from storage when asked and
built as Block Kit. The listeners parse and acknowledge; this is the work after that."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, tzinfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine

from bot.blocks.digest import build_digest
from bot.blocks.home import build_home
from bot.blocks.kpi import build_kpi_answer
from bot.blocks.pending import build_pending_answer
from bot.blocks.signature import build_signature_modal
from bot.cards.signers import Signers
from bot.reviews.command_grammar import (
    DigestRequest,
    KpiRequest,
    PendingRequest,
    ReviewsCommand,
    resolve_period,
)
from bot.reviews.decisions import DecisionService
from bot.reviews.digest import DigestService
from bot.reviews.kpi import read_pending, read_report
from storage.figures import KpiFilter

log = logging.getLogger(__name__)

HOME_PERIOD = "7d"
MINE_LIMIT = 10
BACKLOG_LIMIT = 15


class WorkspaceUrl:
    """The workspace's address, from one auth.test per process, to build card links with
    (Bolt's single-workspace authorization does not keep it)."""

    def __init__(self, client: WebClient | None) -> None:
        self._client = client
        self._url: str | None = None

    def __call__(self) -> str | None:
        if self._url is None and self._client is not None:
            try:
                self._url = self._client.auth_test().get("url")
            except SlackApiError as exc:
                # The list is still worth having without links.
                log.warning("auth.test failed, card links left out: %s", exc.response.get("error"))
        return self._url


class KpiAnswers:
    """The private answers to `/reviews kpi`, `/reviews pending` and `/reviews digest`."""

    def __init__(
        self,
        engine: Engine,
        digests: DigestService,
        workspace_url: WorkspaceUrl,
        *,
        sla: timedelta,
        tz: tzinfo,
    ) -> None:
        self._engine = engine
        self._digests = digests
        self._workspace_url = workspace_url
        self._sla_hours = sla.total_seconds() / 3600
        self._tz = tz

    def answer(self, request: ReviewsCommand, now: datetime) -> dict:
        """The answer to a `/reviews` request (text and blocks)."""
        if isinstance(request, KpiRequest):
            report = read_report(
                self._engine,
                request.period,
                request.filters,
                now=now,
                tz=self._tz,
                sla_hours=self._sla_hours,
                with_quality=True,
            )
            return build_kpi_answer(report)
        if isinstance(request, PendingRequest):
            return build_pending_answer(
                read_pending(self._engine, request.filters),
                filters=request.filters,
                now=now,
                tz=self._tz,
                workspace_url=self._workspace_url(),
            )
        if isinstance(request, DigestRequest):
            # The digest the channel gets (or got) for the last whole week, chart aside.
            return build_digest(self._digests.data(self._digests.week(now), now))
        raise TypeError(f"no answer for {request!r}")


class AppHome:
    """Each person's App Home tab (the week's KPIs, their queue, the backlog), rebuilt from
    storage each time it is opened, and the signature they set there."""

    def __init__(
        self,
        engine: Engine,
        slack: WebClient | None,  # None: no Slack, so no one opens the tab
        decisions: DecisionService,
        signers: Signers,
        workspace_url: WorkspaceUrl,
        *,
        sla: timedelta,
        tz: tzinfo,
        command: str,
    ) -> None:
        self._engine = engine
        self._slack = slack
        self._decisions = decisions
        self._signers = signers
        self._workspace_url = workspace_url
        self._sla_hours = sla.total_seconds() / 3600
        self._tz = tz
        self._command = command

    def publish(self, user: str, now: datetime) -> None:
        """Rebuild `user`'s tab from storage."""
        report = read_report(
            self._engine,
            resolve_period(HOME_PERIOD, now=now, tz=self._tz),
            KpiFilter(),
            now=now,
            tz=self._tz,
            sla_hours=self._sla_hours,
        )
        view = build_home(
            report,
            mine=read_pending(self._engine, KpiFilter(), assignee=user, limit=MINE_LIMIT),
            backlog=read_pending(self._engine, KpiFilter(), limit=BACKLOG_LIMIT),
            workspace_url=self._workspace_url(),
            now=now,
            tz=self._tz,
            signs_as=self._decisions.signature_for(user),
            own_signature=self._signers.own_signature(user) is not None,
            command=self._command,
        )
        self._in_slack().views_publish(user_id=user, view=view)

    def open_signature(self, user: str, trigger_id: str) -> None:
        """The "Your signature" modal, holding what `user` set before."""
        modal = build_signature_modal(self._signers.own_signature(user))
        self._in_slack().views_open(trigger_id=trigger_id, view=modal)

    def save_signature(self, user: str, signature: str | None) -> str | None:
        """Keep `user`'s signature; the refusal to show in the modal, if any."""
        return self._signers.set_own_signature(user, signature)

    def _in_slack(self) -> WebClient:
        if self._slack is None:
            raise RuntimeError("the Home tab is in Slack, and there is no Slack client")
        return self._slack
