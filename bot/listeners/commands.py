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

from bot.blocks.help import build_help
from bot.reviews.command_grammar import HelpRequest, ReviewsCommand, parse_command
from bot.services import Services

EPHEMERAL = "ephemeral"

log = logging.getLogger(__name__)


class ReviewsCommandListener:
    def __init__(self, services: Services) -> None:
        self._pool = services.answers
        self._kpi_answers = services.kpi_answers
        self._clock = services.clock
        self._settings = services.settings

    def acknowledge(self, ack: Ack, command: dict) -> None:
        now = self._clock()
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
        self._pool.submit(self._answer, request, now, Respond(response_url=response_url))

    def _answer(self, request: ReviewsCommand, now: datetime, respond: Respond) -> None:
        try:
            answer = self._kpi_answers.answer(request, now)
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


def register(app: App, services: Services) -> None:
    app.command(services.settings.slash_command)(ReviewsCommandListener(services).acknowledge)
