"""The real app over real HTTP, and requests signed exactly as Slack signs them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier
from sqlmodel import Session

from bot.app import create_app, create_bolt_app
from bot.config import Settings
from bot.http.server import HttpServer
from bot.services import Services
from bot.wiring import build_services
from storage.models import Review, utcnow
from tests.support.clock import TestWaits

SIGNING_SECRET = "test-signing-secret-0123456789"
INGEST_TOKEN = "test-ingest-token-abcdef"
REVIEWS_CHANNEL = "C0REVIEWS"
TEAM_ID = "T0TEST"


@dataclass
class SlackRequests:
    """Sends requests to /slack/events as Slack does: JSON events, `payload=` forms, commands."""

    http: httpx.Client

    def slack_post(
        self,
        body: str,
        content_type: str,
        *,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
            **(headers or {}),
        }
        return self.http.post("/slack/events", content=body.encode(), headers=all_headers)

    def send_command(
        self, text: str, *, user: str = "U0LEAD", response_url: str = "", **kw: Any
    ) -> httpx.Response:
        form = {
            "token": "legacy-unused",
            "team_id": TEAM_ID,
            "channel_id": REVIEWS_CHANNEL,
            "user_id": user,
            "user_name": user.lower(),
            "command": "/reviews",
            "text": text,
            "response_url": response_url,
            "trigger_id": f"trigger-{time.monotonic_ns()}",
        }
        return self.slack_post(urlencode(form), "application/x-www-form-urlencoded", **kw)

    def send_interaction(self, payload: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.slack_post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", **kw
        )

    def send_event(
        self, event: dict[str, Any], *, event_id: str | None = None, **kw: Any
    ) -> httpx.Response:
        envelope = {
            "token": "legacy-unused",
            "team_id": TEAM_ID,
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": event_id or f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "event": event,
        }
        return self.slack_post(json.dumps(envelope), "application/json", **kw)


@dataclass
class AppHarness(SlackRequests):
    settings: Settings
    services: Services
    server: HttpServer
    url: str
    waits: TestWaits

    @classmethod
    def start(
        cls,
        *,
        fake_slack: Any,
        database_url: str,
        clock: Callable[[], datetime] = utcnow,
        waits: TestWaits | None = None,
        work: bool = True,
        **overrides: Any,
    ) -> AppHarness:
        """`work=False`: the app as `reviewbot web` runs it, storing work and running none."""
        values: dict[str, Any] = {
            "slack_bot_token": fake_slack.bot_token,
            "slack_signing_secret": SIGNING_SECRET,
            "slack_api_url": fake_slack.api_url,
            "reviews_channel": REVIEWS_CHANNEL,
            "ingest_token": INGEST_TOKEN,
            "database_url": database_url,
            "card_post_interval": 0,  # pacing is tested on its own, with a fake clock
        }
        values.update(overrides)
        settings = Settings(**values)
        waits = waits or TestWaits()
        services = build_services(settings, clock=clock, sleep=waits)
        services.start(work=work)
        bolt = create_bolt_app(services)
        server = HttpServer(create_app(services, bolt), host="127.0.0.1", port=0)
        url = server.start_in_thread()
        http = httpx.Client(base_url=url, timeout=10)
        return cls(http, settings, services, server, url, waits)

    def wait_for_status(self, review_id: int, *statuses: str, timeout: float = 10.0) -> Review:
        """Polls storage until the pipeline has moved the review to one of `statuses`."""
        deadline = time.monotonic() + timeout
        while True:
            with Session(self.services.engine) as session:
                review = session.get(Review, review_id)
            if review is not None and review.status in statuses:
                return review
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"review {review_id} is {review.status if review else 'missing'}, not {statuses}"
                )
            time.sleep(0.02)

    def stop(self) -> None:
        self.http.close()
        self.server.stop()
        self.services.close()

    # --- ingest -------------------------------------------------------------------------
    def post_reviews(
        self, payload: Any, *, token: str | None = INGEST_TOKEN, raw: bytes | None = None
    ) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        body = raw if raw is not None else json.dumps(payload).encode()
        return self.http.post("/reviews", content=body, headers=headers)
