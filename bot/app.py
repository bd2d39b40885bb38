"""create_app(services): the one HTTP server — Slack events, review ingest, health, metrics."""

from __future__ import annotations

from slack_bolt import App
from starlette.applications import Starlette
from starlette.routing import Route

from bot.http.health import HealthChecks
from bot.http.ingest import IngestEndpoint
from bot.http.metrics import MetricsEndpoint
from bot.http.slack import SlackEndpoint
from bot.services import Services


def create_app(services: Services, bolt: App | None) -> Starlette:
    """The HTTP routes. `bolt` is None in Socket Mode, where Slack reaches us over a websocket."""
    settings = services.settings
    ingest = IngestEndpoint(
        services.intake,
        token=settings.ingest_token.get_secret_value() if settings.ingest_token else None,
        max_bytes=settings.ingest_max_bytes,
        max_reviews=settings.ingest_max_reviews,
    )
    metrics = MetricsEndpoint(
        services.metrics,
        token=settings.metrics_token.get_secret_value() if settings.metrics_token else None,
    )
    health = HealthChecks(services.database, pipeline_running=lambda: services.pipeline.running)
    routes = [
        Route("/reviews", ingest.handle, methods=["POST"]),
        Route("/healthz", health.healthz, methods=["GET"]),
        Route("/readyz", health.readyz, methods=["GET"]),
        Route("/metrics", metrics.handle, methods=["GET"]),
    ]
    if bolt is not None:
        routes.append(Route("/slack/events", SlackEndpoint(bolt).handle, methods=["POST"]))
    return Starlette(routes=routes)
