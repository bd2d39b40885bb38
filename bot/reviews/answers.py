"""What `/reviews` answers and what the App Home tab shows: read from storage when asked,
built as Block Kit, and (for the Home tab) published. The listeners parse and acknowledge;
this is the work after the acknowledgement."""

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
    def __init__(
        self,
        engine: Engine,
        slack: WebClient | None,  # None: answers without card links, and no Home tab
        digests: DigestService,
        decisions: DecisionService,
        signers: Signers,
        *,
        sla: timedelta,
        tz: tzinfo,
        command: str,
    ) -> None:
        self._engine = engine
        self._slack = slack
        self._digests = digests
        self._decisions = decisions
        self._signers = signers
        self._sla_hours = sla.total_seconds() / 3600
        self._tz = tz
        self._command = command
        self._workspace_url = WorkspaceUrl(slack)

    def answer(self, request: ReviewsCommand, now: datetime) -> dict:
        """The private answer to a `/reviews` request (text and blocks)."""
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

    def publish_home(self, user: str, now: datetime) -> None:
        """Rebuild `user`'s App Home tab from storage: the week's KPIs, their queue, the backlog."""
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
        if self._slack is None:
            raise RuntimeError("the Home tab is published to Slack, and there is no Slack client")
        self._slack.views_publish(user_id=user, view=view)
