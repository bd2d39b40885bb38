"""The app: the one HTTP server (Slack events, review ingest, health, metrics) and the Bolt app
with its listeners, on the services' own Slack client."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient
from starlette.applications import Starlette
from starlette.routing import Route

from bot.http.activity import Role, activity
from bot.http.health import HealthChecks
from bot.http.ingest import IngestEndpoint
from bot.http.metrics import MetricsEndpoint
from bot.http.slack import SlackEndpoint
from bot.listeners import register_listeners
from bot.services import Services

log = logging.getLogger(__name__)


def create_app(services: Services, bolt: App | None, *, role: Role | None = None) -> Starlette:
    """The HTTP routes. `bolt` is None in Socket Mode, where Slack reaches us over a websocket;
    `role` "web": no workers run here, and /healthz reports the work waiting for them."""
    settings = services.settings
    ingest = IngestEndpoint(
        services.intake,
        token=settings.ingest_token.get_secret_value() if settings.ingest_token else None,
        max_bytes=settings.ingest_max_bytes,
        max_reviews=settings.ingest_max_reviews,
    )
    routes = [Route("/reviews", ingest.handle, methods=["POST"]), *_health_routes(services, role)]
    if bolt is not None:
        routes.append(Route("/slack/events", SlackEndpoint(bolt).handle, methods=["POST"]))
    return Starlette(routes=routes)


def create_worker_app(services: Services) -> Starlette:
    """A worker's own port (--health-port): health, readiness and metrics, nothing else."""
    return Starlette(routes=_health_routes(services, "worker"))


def _health_routes(services: Services, role: Role | None) -> list[Route]:
    settings = services.settings
    metrics = MetricsEndpoint(
        services.metrics,
        token=settings.metrics_token.get_secret_value() if settings.metrics_token else None,
    )
    health = HealthChecks(
        services.database,
        pipeline_running=None if role == "web" else (lambda: services.pipeline.running),
        activity=None if role is None else (lambda: activity(services, role)),
    )
    return [
        Route("/healthz", health.healthz, methods=["GET"]),
        Route("/readyz", health.readyz, methods=["GET"]),
        Route("/metrics", metrics.handle, methods=["GET"]),
    ]


class _ClientTokenNotice(logging.Filter):
    """Bolt falls back to SLACK_BOT_TOKEN from the environment when no token is given, then
    warns on every start that the token is unused beside our client; that client carries the
    same token, so the warning says nothing true."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def create_bolt_app(services: Services) -> App:
    settings = services.settings
    if services.slack is None:
        raise ValueError("the Slack app needs SLACK_BOT_TOKEN")
    logger = logging.getLogger("reviewbot.slack")
    if not any(isinstance(f, _ClientTokenNotice) for f in logger.filters):
        logger.addFilter(_ClientTokenNotice())
    app = App(
        client=services.slack,
        signing_secret=(
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else None
        ),
        logger=logger,
        # In Socket Mode there is no HTTP signature to check; Slack authenticated the socket.
        request_verification_enabled=not settings.socket_mode,
    )
    # Bolt logs a refused signature at INFO with the whole request body; the HTTP endpoint
    # logs one line without it instead (bot/http/slack.py).
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
    app.use(only_our_workspace(learn_workspace(services.slack)))
    register_listeners(app, services)
    return app


@dataclass(frozen=True)
class Workspace:
    """Who we are in Slack: the one workspace this app is installed in, and the app itself."""

    team_id: str
    app_id: str


def learn_workspace(client: WebClient) -> Workspace:
    """auth.test names the workspace and our bot; bots.info names the app the bot belongs to."""
    identity = client.auth_test()
    bot = client.bots_info(bot=identity["bot_id"])["bot"]
    return Workspace(team_id=identity["team_id"], app_id=bot["app_id"])


def only_our_workspace(ours: Workspace) -> Callable[..., BoltResponse | None]:
    """Drops events and interactions from another workspace or for another app.

    A single-workspace install must never answer a stranger: an App Home opened from another
    team would otherwise be published with our team's figures and backlog. The request is
    acknowledged with nothing, so Slack does not retry it.
    """

    def middleware(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse | None:
        teams = {team for team in _team_ids(body) if team}
        app_id = body.get("api_app_id")
        if teams <= {ours.team_id} and app_id in (None, ours.app_id):
            return next()
        log.warning(
            "ignored a Slack %s from team %s for app %s: this app serves only team %s",
            _kind(body),
            ",".join(sorted(teams)) or "-",
            app_id or "-",
            ours.team_id,
        )
        return BoltResponse(status=200, body="")

    return middleware


def _team_ids(body: dict[str, Any]) -> Iterator[str | None]:
    """Every place a request names a team: events and commands at the top, interactions
    under `team`, the acting user's own team (Enterprise Grid, shared channels)."""
    yield body.get("team_id")
    team = body.get("team")
    yield team.get("id") if isinstance(team, dict) else team
    user = body.get("user")
    if isinstance(user, dict):
        yield user.get("team_id")
    event = body.get("event")
    if isinstance(event, dict):
        yield event.get("team")
        yield event.get("user_team")
        view = event.get("view")
        if isinstance(view, dict):
            yield view.get("team_id")
    view = body.get("view")
    if isinstance(view, dict):
        yield view.get("team_id")


def _kind(body: dict[str, Any]) -> str:
    if "command" in body:
        return f"command {body['command']}"
    event = body.get("event")
    if isinstance(event, dict):
        return f"event {event.get('type')}"
    return str(body.get("type") or "request")
