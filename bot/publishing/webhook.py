"""An outgoing webhook: POSTs each approved reply, signed, to a URL the operator runs."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable

import httpx

from bot.publishing.base import OutgoingReply, PublishError, refuse_erased
from bot.retry import Retry, with_retries

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Reviewbot-Signature"
# Lets the receiver drop a delivery it already handled when our retry follows a lost answer.
DELIVERY_HEADER = "X-Reviewbot-Delivery"
_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


def sign(body: bytes, secret: str) -> str:
    """The signature header value: `sha256=` and the hex HMAC-SHA256 of the exact body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def reply_body(reply: OutgoingReply) -> bytes:
    payload = {
        "review_id": reply.review_id,
        "source": reply.source,
        "external_id": reply.external_id,
        "reply": reply.reply,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class WebhookPublisher:
    automatic = True

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = url
        self._secret = secret
        self._attempts = attempts
        self._backoff = backoff
        self._sleep = sleep
        self._client = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False)

    def publish(self, reply: OutgoingReply) -> None:
        refuse_erased(reply)
        body = reply_body(reply)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: sign(body, self._secret),
            DELIVERY_HEADER: f"review-{reply.review_id}",
        }

        def attempt() -> None:
            try:
                response = self._client.post(self._url, content=body, headers=headers)
            except httpx.TransportError as exc:
                error = f"the reply webhook did not answer ({type(exc).__name__})"
                raise Retry(PublishError(error)) from exc
            if response.is_success:
                return
            error = f"the reply webhook answered HTTP {response.status_code}"
            if response.status_code in _RETRY_STATUSES:
                raise Retry(PublishError(error))
            raise PublishError(error)

        try:
            with_retries(attempt, attempts=self._attempts, backoff=self._backoff, sleep=self._sleep)
        except PublishError as failed:
            log.warning("publishing review %s failed: %s", reply.review_id, failed.reason)
            raise

    def close(self) -> None:
        self._client.close()
