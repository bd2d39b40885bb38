"""The part of a connector that is the same on every platform: scopes, JSON GETs, validation."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar

from bot.reviews.intake import ReviewIn, parse_review
from bot.sources.config import Scope
from bot.sources.connectors.base import Listed, SourceError
from bot.sources.connectors.http import PlatformHttp, TokenSource

log = logging.getLogger(__name__)

_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_time(value: Any) -> datetime:
    """RFC 3339 as the platforms write it; Google gives up to nanoseconds, Python takes micro."""
    if not isinstance(value, str) or not value:
        raise SourceError(f"a review has no valid time ({value!r})")
    try:
        parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", value))
    except ValueError:
        raise SourceError(f"a review has no valid time ({value!r})") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def listed(raw: dict[str, Any], modified: datetime, *, brand: str | None = None) -> Listed | None:
    """Validate a review built from a platform's answer exactly as POST /reviews would; it
    belongs to `brand` (its location's or source's in SOURCES_FILE) when one is given."""
    review = parse_review(raw)
    if not isinstance(review, ReviewIn):
        # Logged by id only: the fields may hold the customer's personal data.
        problems = ", ".join(f"{p.field} {p.problem}" for p in review)
        log.warning("skipping %s review %s: %s", raw["source"], raw["external_id"], problems)
        return None
    return Listed(replace(review.to_data(), brand=brand), modified)


class HttpConnector:
    """A source whose scopes are answered at `<api_url>…`; its reviews' ids are
    `<scope id>/<platform review id>`, so a reply finds its way back to the same source."""

    platform: ClassVar[str]

    def __init__(
        self,
        name: str,
        scopes: tuple[Scope, ...],
        http: PlatformHttp,
        auth: TokenSource,
        *,
        brand: str | None = None,
    ):
        self.name = name
        self._scopes = {scope.id: scope for scope in scopes}
        self._brand = brand
        self._http = http
        self._auth = auth

    def scope_ids(self) -> list[str]:
        return list(self._scopes)

    def scope(self, scope_id: str) -> Scope:
        try:
            return self._scopes[scope_id]
        except KeyError:
            raise SourceError(f"{self.name} has no location or app {scope_id!r}") from None

    def brand_of(self, scope: Scope) -> str | None:
        """The brand of the scope's reviews: the location's or app's own, else the source's."""
        return scope.brand or self._brand

    def external_id(self, scope_id: str, review_id: str) -> str:
        return f"{scope_id}/{review_id}"

    def split(self, external_id: str) -> tuple[str, str]:
        scope_id, _, review_id = external_id.rpartition("/")
        if scope_id not in self._scopes or not review_id:
            raise SourceError(f"review {external_id!r} is not from source {self.name}")
        return scope_id, review_id

    def owns(self, external_id: str) -> bool:
        try:
            self.split(external_id)
        except SourceError:
            return False
        return True

    def headers(self) -> dict[str, str]:
        return {}

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self._http.request(
            "GET", url, auth=self._auth, params=params, headers=self.headers()
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise SourceError(f"{self.platform} answered with something that is not a JSON object")
        return body

    def close(self) -> None:
        self._http.close()
