"""Events: the App Home tab, rebuilt from storage each time someone opens it, and the
signature a person sets there."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks.home import build_home
from bot.blocks.signature import build_signature_modal, read_signature_submission
from bot.listeners.after_ack import log_failure
from bot.listeners.commands import WorkspaceUrl
from bot.reviews.command_grammar import resolve_period
from bot.reviews.kpi import read_pending, read_report
from bot.services import Services
from storage.figures import KpiFilter

HOME_PERIOD = "7d"
MINE_LIMIT = 10
BACKLOG_LIMIT = 15


class HomeTab:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._workspace_url = WorkspaceUrl()

    def opened(self, event: dict, client: WebClient) -> None:
        # The event also fires for the Messages tab, which has nothing of ours to refresh.
        if event.get("tab") != "home":
            return
        self.republish(event["user"], client)

    def republish(self, user: str, client: WebClient) -> None:
        # Off Bolt's listener threads: while Slack rate-limits views.publish, five openings
        # would hold all of them and clicks arriving then would miss their 3 seconds.
        self._services.answers.submit(self._publish_logged, user, client)

    def _publish_logged(self, user: str, client: WebClient) -> None:
        try:
            self._publish(user, client)
        except Exception as exc:
            log_failure(exc)  # the tab keeps what it showed; the next opening tries again

    def _publish(self, user: str, client: WebClient) -> None:
        settings = self._services.settings
        now = self._services.clock()
        engine = self._services.engine
        report = read_report(
            engine,
            resolve_period(HOME_PERIOD, now=now, tz=settings.tz),
            KpiFilter(),
            now=now,
            tz=settings.tz,
            sla_hours=settings.sla.total_seconds() / 3600,
        )
        view = build_home(
            report,
            mine=read_pending(engine, KpiFilter(), assignee=user, limit=MINE_LIMIT),
            backlog=read_pending(engine, KpiFilter(), limit=BACKLOG_LIMIT),
            workspace_url=self._workspace_url(client),
            now=now,
            tz=settings.tz,
            signs_as=self._services.decisions.signature_for(user),
            own_signature=self._services.signers.own_signature(user) is not None,
            command=settings.slash_command,
        )
        client.views_publish(user_id=user, view=view)


class SignatureSettings:
    """App Home's "Your signature": the modal, and the Home tab redrawn once it is saved."""

    def __init__(self, services: Services, home: HomeTab) -> None:
        self._signers = services.signers
        self._home = home

    def open(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        current = self._signers.own_signature(body["user"]["id"])
        client.views_open(trigger_id=body["trigger_id"], view=build_signature_modal(current))

    def save(self, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = body["user"]["id"]
        signature = read_signature_submission(view["state"]["values"])
        if refusal := self._signers.set_own_signature(user, signature):
            ack(response_action="errors", errors={ids.BLOCK_SIGNATURE: refusal})
            return
        ack()
        self._home.republish(user, client)


def register(app: App, services: Services) -> None:
    home = HomeTab(services)
    app.event("app_home_opened")(home.opened)
    signature = SignatureSettings(services, home)
    app.action(ids.ACTION_SET_SIGNATURE)(signature.open)
    app.view(ids.CALLBACK_SIGNATURE)(signature.save)
