"""/reviews: answers privately; anything it does not understand gets the help.

The acknowledgement only parses the text, so it is back within Slack's 3 seconds however
busy the database is; the answer is read afterwards (a Bolt lazy listener) and sent to the
command's response_url.
"""

from __future__ import annotations

from datetime import datetime

from slack_bolt import Ack, App, BoltContext, Respond

from bot.blocks.help import build_help
from bot.blocks.kpi import build_kpi_answer
from bot.blocks.pending import build_pending_answer
from bot.reviews.kpi_query import (
    DigestRequest,
    HelpRequest,
    KpiRequest,
    PendingRequest,
    ReportPeriod,
    ReviewsCommand,
    parse_command,
    read_pending,
    read_report,
    resolve_period,
)
from bot.services import Services
from storage.kpi import KpiFilter
from storage.models import utcnow

EPHEMERAL = "ephemeral"


class ReviewsCommandListener:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._tz = services.settings.tz
        self._sla_hours = services.settings.sla.total_seconds() / 3600

    def _parse(self, command: dict) -> ReviewsCommand:
        return parse_command(command.get("text") or "", now=utcnow(), tz=self._tz)

    def acknowledge(self, ack: Ack, command: dict) -> None:
        request = self._parse(command)
        if isinstance(request, HelpRequest):
            ack(response_type=EPHEMERAL, **build_help(request.problem))
        else:
            ack()

    def answer(self, command: dict, respond: Respond, context: BoltContext) -> None:
        request = self._parse(command)
        now = utcnow()
        if isinstance(request, KpiRequest):
            answer = self._kpis(request.period, request.filters, now)
        elif isinstance(request, PendingRequest):
            answer = self._pending(request.filters, now, workspace_url(context))
        elif isinstance(request, DigestRequest):
            answer = self._digest(now)
        else:
            return  # the help was the acknowledgement
        respond(response_type=EPHEMERAL, **answer)

    def _kpis(self, period: ReportPeriod, filters: KpiFilter, now: datetime) -> dict:
        report = read_report(
            self._services.engine, period, filters, now=now, tz=self._tz, sla_hours=self._sla_hours
        )
        return build_kpi_answer(report)

    def _pending(self, filters: KpiFilter, now: datetime, workspace: str | None) -> dict:
        queue = read_pending(self._services.engine, filters)
        return build_pending_answer(
            queue, filters=filters, now=now, tz=self._tz, workspace_url=workspace
        )

    def _digest(self, now: datetime) -> dict:
        return self._kpis(resolve_period("week", now=now, tz=self._tz), KpiFilter(), now)


def workspace_url(context: BoltContext) -> str | None:
    """The workspace's address, from the auth.test Bolt made at start, for card links."""
    return context.authorize_result.url if context.authorize_result else None


def register(app: App, services: Services) -> None:
    listener = ReviewsCommandListener(services)
    app.command("/reviews")(ack=listener.acknowledge, lazy=[listener.answer])
