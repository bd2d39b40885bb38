"""Google Business Profile: `accounts/*/locations/*/reviews`, newest first, and
`PUT …/reviews/*/reply` (creates or replaces our reply; at most 4096 bytes)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from bot.sources.config import GoogleBusinessSource, Scope
from bot.sources.connectors.base import (
    Fetched,
    Listed,
    ReplyRefused,
    SourceError,
    Watermark,
    collect,
)
from bot.sources.connectors.common import HttpConnector, listed, parse_time
from bot.sources.connectors.http import PlatformHttp, TokenSource

STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
REPLY_MAX_BYTES = 4096
PAGE_SIZE = 50  # the API's maximum


class GoogleBusinessConnector(HttpConnector):
    """Review ids are Google's resource names, `accounts/A/locations/L/reviews/R`."""

    platform = "google"

    def __init__(self, config: GoogleBusinessSource, http: PlatformHttp, auth: TokenSource):
        super().__init__(config.name, config.locations, http, auth, brand=config.brand)
        self._api = config.api_url
        self._account = config.account

    def _location(self, scope_id: str) -> str:
        return f"accounts/{self._account}/locations/{scope_id}"

    def split(self, external_id: str) -> tuple[str, str]:
        prefix, _, review_id = external_id.partition("/reviews/")
        scope_id = prefix.removeprefix(f"accounts/{self._account}/locations/")
        if scope_id == prefix or scope_id not in self._scopes or not review_id:
            raise SourceError(f"review {external_id!r} is not from source {self.name}")
        return scope_id, review_id

    def fetch(self, scope_id: str, mark: Watermark, now: datetime) -> Fetched:
        # Listed by updateTime, newest first: an edited review comes back to the top.
        return collect(self._pages(scope_id), mark, newest_first=True)

    def _pages(self, scope_id: str, page_size: int = PAGE_SIZE) -> Iterator[list[Listed]]:
        scope = self.scope(scope_id)
        token: str | None = None
        while True:
            params: dict[str, Any] = {"pageSize": page_size, "orderBy": "updateTime desc"}
            if token:
                params["pageToken"] = token
            body = self.get_json(f"{self._api}{self._location(scope_id)}/reviews", params)
            page = [self._listed(raw, scope) for raw in body.get("reviews") or []]
            yield [item for item in page if item is not None]
            token = body.get("nextPageToken")
            if not token:
                return

    def _listed(self, raw: dict[str, Any], scope: Scope) -> Listed | None:
        reviewer = raw.get("reviewer") or {}
        created = parse_time(raw.get("createTime"))
        return listed(
            {
                "source": self.platform,
                "external_id": raw.get("name"),
                "rating": STARS.get(raw.get("starRating", "")),
                "text": raw.get("comment") or "",
                "author": None if reviewer.get("isAnonymous") else reviewer.get("displayName"),
                "created_at": created,
                "location": scope.name,
            },
            parse_time(raw.get("updateTime")) if raw.get("updateTime") else created,
            brand=self.brand_of(scope),
        )

    def publish(self, external_id: str, text: str) -> None:
        self.split(external_id)
        size = len(text.encode("utf-8"))
        if size > REPLY_MAX_BYTES:
            raise ReplyRefused(f"the reply is {size} bytes; Google accepts {REPLY_MAX_BYTES}")
        self._http.request(
            "PUT",
            f"{self._api}{external_id}/reply",
            auth=self._auth,
            json={"comment": text},
            refusal=ReplyRefused,
        )

    def check(self) -> str:
        scope_id = self.scope_ids()[0]
        body = self.get_json(f"{self._api}{self._location(scope_id)}/reviews", {"pageSize": 1})
        return f"{body.get('totalReviewCount', 0)} reviews at location {scope_id}"
