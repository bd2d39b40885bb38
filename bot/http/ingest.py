"""POST /reviews: the ingest contract of DESIGN.md (bearer token, one review or an array)."""

from __future__ import annotations

import hmac
import json
import logging
from functools import partial
from typing import Any

from anyio import CapacityLimiter, to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.http.body import BodyTooLarge, read_limited
from bot.reviews.intake import IntakeService, Problem, ReviewIn, parse_review
from storage.health import StorageUnavailable

log = logging.getLogger(__name__)

MAX_PROBLEMS_REPORTED = 50
# How long a request waits for the database's write lock: a source's retry is better than a
# request that hangs past the sender's timeout.
INGEST_LOCK_WAIT = 0.5
INGEST_THREADS = 8


def error(
    status: int, code: str, message: str, problems: list[Problem] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "message": message}
    if problems:
        body["problems"] = [p.to_json() for p in problems[:MAX_PROBLEMS_REPORTED]]
        if len(problems) > MAX_PROBLEMS_REPORTED:
            body["problems_not_shown"] = len(problems) - MAX_PROBLEMS_REPORTED
    return JSONResponse(body, status_code=status)


class IngestEndpoint:
    """Validates the whole request before storing anything: a batch is taken whole or not at all."""

    def __init__(
        self, intake: IntakeService, *, token: str | None, max_bytes: int, max_reviews: int
    ) -> None:
        self._intake = intake
        self._token = token.encode() if token else None
        self._max_bytes = max_bytes
        self._max_reviews = max_reviews
        # Ingest's own threads, apart from those Slack's requests and health take: a burst of
        # clicks never leaves a review waiting for a thread, and a burst of reviews queues here
        # rather than in the database's connection pool.
        self._threads = CapacityLimiter(INGEST_THREADS)

    def _authorised(self, request: Request) -> bool:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return (
            self._token is not None
            and scheme.lower() == "bearer"
            and hmac.compare_digest(given.strip().encode(), self._token)
        )

    async def handle(self, request: Request) -> JSONResponse:
        if self._token is None:
            return error(503, "ingest_disabled", "INGEST_TOKEN is not set, so ingest is disabled")
        if not self._authorised(request):
            return error(401, "unauthorized", "Authorization: Bearer <INGEST_TOKEN> is required")
        try:
            body = await read_limited(request, self._max_bytes)
        except BodyTooLarge:
            return error(413, "too_large", f"body exceeds {self._max_bytes} bytes")
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
            return error(400, "invalid_json", f"body is not valid JSON: {reason}")
        if isinstance(payload, dict):
            raw_reviews, indexed = [payload], False
        elif isinstance(payload, list):
            raw_reviews, indexed = payload, True
        else:
            return error(400, "invalid_body", "body must be a review object or an array of them")
        if not raw_reviews:
            return error(422, "empty", "the array holds no review")
        if len(raw_reviews) > self._max_reviews:
            return error(
                413,
                "too_many",
                f"at most {self._max_reviews} reviews per request, got {len(raw_reviews)}",
            )

        reviews: list[ReviewIn] = []
        problems: list[Problem] = []
        for index, raw in enumerate(raw_reviews):
            parsed = parse_review(raw, index if indexed else None, brands=self._intake.brands)
            if isinstance(parsed, ReviewIn):
                reviews.append(parsed)
            else:
                problems.extend(parsed)
        if problems:
            first = problems[0]
            return error(422, "invalid_review", f"{first.field}: {first.problem}", problems)

        try:
            results = await to_thread.run_sync(
                partial(self._intake.ingest, reviews, lock_wait=INGEST_LOCK_WAIT),
                limiter=self._threads,
            )
        except StorageUnavailable as exc:
            log.error("ingest refused %d review(s): %s", len(reviews), exc)
            return error(503, "storage_unavailable", f"{exc}; nothing was stored, send again")
        counts = {status: 0 for status in ("accepted", "updated", "duplicate")}
        for result in results:
            counts[result.status] += 1
        return JSONResponse(
            {
                **counts,
                "reviews": [
                    {
                        "id": r.review_id,
                        "source": r.source,
                        "external_id": r.external_id,
                        "status": r.status,
                    }
                    for r in results
                ],
            },
            status_code=202,
        )
