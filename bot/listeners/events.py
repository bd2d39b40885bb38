"""Events: the App Home tab, rebuilt from storage each time someone opens it."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks.home import build_home
from bot.listeners.after_ack import log_failure
from bot.listeners.commands import WorkspaceUrl
from bot.reviews.kpi_query import read_pending, read_report, resolve_period
from bot.services import Services
from storage.kpi import KpiFilter

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
        # Off Bolt's listener threads: while Slack rate-limits views.publish, five openings
        # would hold all of them and clicks arriving then would miss their 3 seconds.
        self._services.answers.submit(self._publish_logged, event["user"], client)

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
        )
        client.views_publish(user_id=user, view=view)


def register(app: App, services: Services) -> None:
    app.event("app_home_opened")(HomeTab(services).opened)
