"""GET /metrics: the Prometheus text format, optionally behind a bearer token."""

from __future__ import annotations

import hmac

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.metrics import Metrics


class MetricsEndpoint:
    def __init__(self, metrics: Metrics, *, token: str | None) -> None:
        self._metrics = metrics
        self._token = token.encode() if token else None

    def _authorised(self, request: Request) -> bool:
        if self._token is None:
            return True
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), self._token
        )

    async def handle(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse(
                {
                    "error": "unauthorized",
                    "message": "Authorization: Bearer <METRICS_TOKEN> is required",
                },
                status_code=401,
            )
        # The backlog is counted in the database: off the event loop.
        body = await run_in_threadpool(self._metrics.exposition)
        return Response(body, media_type=CONTENT_TYPE_LATEST)
