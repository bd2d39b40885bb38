"""create_app(services): the one HTTP server — Slack events, review ingest, health."""

from __future__ import annotations

import logging

from slack_bolt import App
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.http.ingest import IngestEndpoint
from bot.http.slack import SlackEndpoint
from bot.services import Services

log = logging.getLogger(__name__)


def create_app(services: Services, bolt: App | None) -> Starlette:
    """The HTTP routes. `bolt` is None in Socket Mode, where Slack reaches us over a websocket."""
    settings = services.settings
    ingest = IngestEndpoint(
        services.intake,
        token=settings.ingest_token.get_secret_value() if settings.ingest_token else None,
        max_bytes=settings.ingest_max_bytes,
        max_reviews=settings.ingest_max_reviews,
    )

    def database_ok() -> bool:
        try:
            with services.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            log.exception("health check: database unreachable")
            return False

    async def healthz(_request: Request) -> JSONResponse:
        ok = await run_in_threadpool(database_ok)
        return JSONResponse(
            {"status": "ok" if ok else "degraded", "database": "ok" if ok else "unreachable"},
            status_code=200 if ok else 503,
        )

    routes = [
        Route("/reviews", ingest.handle, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    if bolt is not None:
        routes.append(Route("/slack/events", SlackEndpoint(bolt).handle, methods=["POST"]))
    return Starlette(routes=routes)
