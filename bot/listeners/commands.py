"""The slash command (SLASH_COMMAND, /reviews unless renamed): answers privately; anything
it does not understand gets the help.

The acknowledgement only parses the text, so it is back within Slack's 3 seconds however
busy the database is. The answer is read afterwards and sent to the command's
response_url, from `services.answers` rather than a Bolt lazy listener: lazy listeners
share Bolt's five listener threads with the acknowledgements, and twenty KPI reads at once
then held acknowledgements back for over half a second (bench/kpi_latency.py).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.digest import build_digest
from bot.blocks.help import build_help
from bot.blocks.kpi import build_kpi_answer
from bot.blocks.pending import build_pending_answer
from bot.reviews.command_grammar import (
    DigestRequest,
    HelpRequest,
    KpiRequest,
    PendingRequest,
    ReviewsCommand,
    parse_command,
)
from bot.reviews.kpi import read_pending, read_report
from bot.services import Services

EPHEMERAL = "ephemeral"

log = logging.getLogger(__name__)


class WorkspaceUrl:
    """The workspace's address, from one auth.test per process, to build card links with
    (Bolt's single-workspace authorization does not keep it)."""

    def __init__(self) -> None:
        self._url: str | None = None

    def __call__(self, client: WebClient) -> str | None:
        if self._url is None:
            try:
                self._url = client.auth_test().get("url")
            except SlackApiError as exc:
                # The list is still worth having without links.
                log.warning("auth.test failed, card links left out: %s", exc.response.get("error"))
        return self._url


class ReviewsCommandListener:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._settings = services.settings
        self._workspace_url = WorkspaceUrl()

    def acknowledge(self, ack: Ack, command: dict, client: WebClient) -> None:
        now = self._services.clock()
        request = parse_command(command.get("text") or "", now=now, tz=self._settings.tz)
        if isinstance(request, HelpRequest):
            ack(
                response_type=EPHEMERAL,
                **build_help(request.problem, command=self._settings.slash_command),
            )
            return
        ack()
        response_url = command.get("response_url")
        if not response_url:  # Slack always sends one; a hand-made request may not
            command_name = self._settings.slash_command
            log.warning("%s without a response_url: nowhere to answer", command_name)
            return
        respond = Respond(response_url=response_url)
        self._services.answers.submit(self._answer, request, now, respond, client)

    def _answer(
        self, request: ReviewsCommand, now: datetime, respond: Respond, client: WebClient
    ) -> None:
        try:
            answer = self._read(request, now, client)
        except Exception:
            # Off Bolt's threads the app's error handler never sees this: say it here.
            reference = uuid.uuid4().hex[:8]
            log.exception("%s failed (reference %s)", self._settings.slash_command, reference)
            answer = {
                "text": f":warning: Sorry, that did not work (reference `{reference}`). "
                "Try again in a minute; if it keeps happening, give the reference to "
                "whoever runs reviewbot."
            }
        respond(response_type=EPHEMERAL, **answer)

    def _read(self, request: ReviewsCommand, now: datetime, client: WebClient) -> dict:
        settings, engine = self._settings, self._services.engine
        if isinstance(request, KpiRequest):
            sla_hours = settings.sla.total_seconds() / 3600
            report = read_report(
                engine,
                request.period,
                request.filters,
                now=now,
                tz=settings.tz,
                sla_hours=sla_hours,
                with_quality=True,
            )
            return build_kpi_answer(report)
        if isinstance(request, PendingRequest):
            queue = read_pending(engine, request.filters)
            return build_pending_answer(
                queue,
                filters=request.filters,
                now=now,
                tz=settings.tz,
                workspace_url=self._workspace_url(client),
            )
        if isinstance(request, DigestRequest):
            # The digest the channel gets (or got) for the last whole week, chart aside.
            digests = self._services.digests
            return build_digest(digests.data(digests.week(now), now))
        raise TypeError(f"no answer for {request!r}")


def register(app: App, services: Services) -> None:
    app.command(services.settings.slash_command)(ReviewsCommandListener(services).acknowledge)
