"""POST /slack/events: hands signed Slack requests to Bolt off the event loop."""

from __future__ import annotations

import logging

from anyio import CapacityLimiter, to_thread
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.requests import Request
from starlette.responses import Response

from bot.http.body import BodyTooLarge, read_limited

log = logging.getLogger(__name__)

# Slack's largest payloads (view submissions with big inputs) stay well below this.
MAX_SLACK_BODY = 1_000_000
# Bolt's dispatch is mostly Python, so threads beyond a few only queue for the interpreter's
# lock, and every thread waiting there delays an ingest thread coming back from the database:
# under 20 clients back to back, 4 threads instead of the 40 shared ones halved ingest's median
# answer (bench/interaction_load.py). Requests beyond them wait on the event loop, which costs
# nothing; a click is still acknowledged in well under Slack's 3 seconds.
SLACK_THREADS = 4


class SlackEndpoint:
    def __init__(self, bolt: App) -> None:
        self._bolt = bolt
        self._threads = CapacityLimiter(SLACK_THREADS)

    async def handle(self, request: Request) -> Response:
        try:
            body = await read_limited(request, MAX_SLACK_BODY)
        except BodyTooLarge:
            return Response(status_code=413)
        # Bolt's own Starlette handler calls the synchronous App on the event loop, which
        # would stall every other request while a listener runs; a worker thread does not.
        bolt_response = await to_thread.run_sync(
            self._bolt.dispatch, to_bolt_request(request, body), limiter=self._threads
        )
        if bolt_response.status == 401:
            client = request.client.host if request.client else None
            log.warning("refused a Slack request: bad or stale signature", extra={"client": client})
        return to_starlette_response(bolt_response)
