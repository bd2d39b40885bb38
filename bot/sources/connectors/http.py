"""HTTP to review platforms: explicit timeouts, 429 and 5xx retried with back-off, Retry-After
honoured, an expired token renewed once. Errors name the platform and status, never a secret."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx

from bot.retry import Retry, with_retries
from bot.sources.connectors.base import AuthFailed, RateLimited, SourceError

log = logging.getLogger(__name__)

_RETRY_STATUSES = frozenset({500, 502, 503, 504})
# A 429 that does not say how long to wait.
DEFAULT_RETRY_AFTER = 60.0


class TokenSource(Protocol):
    def authorization(self) -> str:
        """The Authorization header value; fetches or renews a token when needed."""
        ...

    def invalidate(self) -> None:
        """The platform refused the token: the next authorization() gets a new one."""
        ...


def retry_after_seconds(response: httpx.Response, *, now: float) -> float:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return DEFAULT_RETRY_AFTER
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def _platform_message(response: httpx.Response) -> str:
    """A short reason from the platform's error body (Google, Apple and Trustpilot shapes)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("status") or error.get("message") or "")[:200]
    if isinstance(error, str):
        return error[:200]
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("code") or errors[0].get("title") or "")[:200]
    return str(body.get("message") or body.get("details") or "")[:200]


class PlatformHttp:
    def __init__(
        self,
        platform: str,
        *,
        timeout: float,
        attempts: int,
        max_wait: float,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.platform = platform
        self._attempts = attempts
        self._max_wait = max_wait
        self._backoff = backoff
        self._sleep = sleep
        self._clock = clock
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout), transport=transport, follow_redirects=False
        )

    def request(
        self,
        method: str,
        url: str,
        *,
        auth: TokenSource | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        refusal: type[SourceError] = SourceError,
    ) -> httpx.Response:
        """A successful response, or SourceError: AuthFailed, RateLimited, or `refusal` for a
        4xx that trying again will not change."""
        renewed = False

        def send() -> httpx.Response:
            all_headers = dict(headers or {})
            if auth is not None:
                all_headers["Authorization"] = auth.authorization()
            try:
                return self._client.request(
                    method, url, params=params, json=json, data=data, headers=all_headers
                )
            except httpx.TransportError as exc:
                problem = f"{self.platform} did not answer ({type(exc).__name__})"
                raise Retry(SourceError(problem)) from exc

        def attempt() -> httpx.Response:
            nonlocal renewed
            response = send()
            if response.status_code == 401 and auth is not None and not renewed:
                # Tokens expire early or get revoked; one fresh token is worth one more try.
                auth.invalidate()
                renewed = True
                response = send()
            status = response.status_code
            if response.is_success:
                return response
            reason = self._reason(response)
            if status in (401, 403):
                raise AuthFailed(reason)
            if status == 429:
                wait = retry_after_seconds(response, now=self._clock())
                if wait > self._max_wait:
                    raise RateLimited(reason, wait)
                log.info("%s rate limit: asked to wait %.0f s", self.platform, wait)
                raise Retry(RateLimited(reason, wait), wait=wait)
            if status in _RETRY_STATUSES:
                raise Retry(SourceError(reason))
            raise refusal(reason)

        return with_retries(
            attempt, attempts=self._attempts, backoff=self._backoff, sleep=self._sleep
        )

    def _reason(self, response: httpx.Response) -> str:
        detail = _platform_message(response)
        reason = f"{self.platform} answered HTTP {response.status_code}"
        return f"{reason} ({detail})" if detail else reason

    def close(self) -> None:
        self._client.close()
