"""App Store Connect: `GET /v1/apps/{id}/customerReviews` (JSON:API, `links.next` paging) and
`POST /v1/customerReviewResponses` (one response per review; a new one replaces it, and Apple
shows it after a delay)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from bot.sources.config import AppStoreSource, Scope
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
from bot.sources.platforms import reply_length_limit

PAGE_LIMIT = 200  # the API's maximum


class AppStoreConnector(HttpConnector):
    platform = "app_store"

    def __init__(self, config: AppStoreSource, http: PlatformHttp, auth: TokenSource):
        super().__init__(config.name, config.apps, http, auth, brand=config.brand)
        self._api = config.api_url

    def fetch(self, scope_id: str, mark: Watermark, now: datetime) -> Fetched:
        return collect(self._pages(scope_id), mark, newest_first=True)

    def _pages(self, scope_id: str, limit: int = PAGE_LIMIT) -> Iterator[list[Listed]]:
        scope = self.scope(scope_id)
        url: str | None = f"{self._api}v1/apps/{scope_id}/customerReviews"
        params: dict[str, Any] | None = {"sort": "-createdDate", "limit": limit}
        while url:
            body = self.get_json(url, params)
            page = [self._listed(scope_id, raw, scope) for raw in body.get("data") or []]
            yield [item for item in page if item is not None]
            url = (body.get("links") or {}).get("next")
            params = None  # the next link carries the query, cursor included
            if url and not url.startswith(self._api):
                # Our token goes with every request: never to a host we were not told about.
                raise SourceError("App Store Connect gave a next page on another host")

    def _listed(self, scope_id: str, raw: dict[str, Any], scope: Scope) -> Listed | None:
        attributes = raw.get("attributes") or {}
        created = parse_time(attributes.get("createdDate"))
        return listed(
            {
                "source": self.platform,
                "external_id": self.external_id(scope_id, str(raw.get("id", ""))),
                "rating": attributes.get("rating"),
                "title": attributes.get("title"),
                "text": attributes.get("body") or "",
                "author": attributes.get("reviewerNickname"),
                "created_at": created,
                "location": scope.name,
            },
            created,
            brand=self.brand_of(scope),
        )

    def publish(self, external_id: str, text: str) -> None:
        _, review_id = self.split(external_id)
        limit = reply_length_limit(self.platform, "")
        if limit is not None and len(text) > limit:
            raise ReplyRefused(f"the reply is {len(text)} characters; the App Store takes {limit}")
        self._http.request(
            "POST",
            f"{self._api}v1/customerReviewResponses",
            auth=self._auth,
            json={
                "data": {
                    "type": "customerReviewResponses",
                    "attributes": {"responseBody": text},
                    "relationships": {
                        "review": {"data": {"type": "customerReviews", "id": review_id}}
                    },
                }
            },
            refusal=ReplyRefused,
        )

    def check(self) -> str:
        scope_id = self.scope_ids()[0]
        self.get_json(f"{self._api}v1/apps/{scope_id}/customerReviews", {"limit": 1})
        return f"reviews of app {scope_id} readable"
