"""Google Play: `reviews.list` (reviews with text, changed in the last seven days) and
`reviews:reply` (replaces an earlier reply; about 350 characters at most)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from bot.sources.config import GooglePlaySource, Scope
from bot.sources.connectors.base import Fetched, Listed, ReplyRefused, Watermark, collect
from bot.sources.connectors.common import HttpConnector, listed
from bot.sources.connectors.http import PlatformHttp, TokenSource
from bot.sources.platforms import reply_length_limit

PAGE_SIZE = 100


def _seconds(value: Any) -> datetime:
    seconds = int((value or {}).get("seconds") or 0)
    return datetime.fromtimestamp(seconds, UTC)


class GooglePlayConnector(HttpConnector):
    """Scopes are package names; the API keeps only a week, which is all a backfill can get."""

    platform = "google_play"

    def __init__(self, config: GooglePlaySource, http: PlatformHttp, auth: TokenSource):
        super().__init__(config.name, config.apps, http, auth, brand=config.brand)
        self._api = config.api_url

    def _reviews_url(self, package: str) -> str:
        return f"{self._api}androidpublisher/v3/applications/{package}/reviews"

    def fetch(self, scope_id: str, mark: Watermark, now: datetime) -> Fetched:
        # No ordering is offered: the whole week is read and the watermark picks what is new.
        return collect(self._pages(scope_id), mark, newest_first=False)

    def _pages(self, scope_id: str) -> Iterator[list[Listed]]:
        scope = self.scope(scope_id)
        token: str | None = None
        while True:
            params: dict[str, Any] = {"maxResults": PAGE_SIZE}
            if token:
                params["token"] = token
            body = self.get_json(self._reviews_url(scope_id), params)
            page = [self._listed(scope_id, raw, scope) for raw in body.get("reviews") or []]
            yield [item for item in page if item is not None]
            token = (body.get("tokenPagination") or {}).get("nextPageToken")
            if not token:
                return

    def _listed(self, scope_id: str, raw: dict[str, Any], scope: Scope) -> Listed | None:
        comments = raw.get("comments") or [{}]
        user = comments[0].get("userComment") or {}
        modified = _seconds(user.get("lastModified"))
        # reviewerLanguage is the device's language, not the review's: no language hint.
        return listed(
            {
                "source": self.platform,
                "external_id": self.external_id(scope_id, str(raw.get("reviewId", ""))),
                "rating": user.get("starRating"),
                # Play puts a tab in front of some texts.
                "text": (user.get("text") or "").strip(),
                "author": raw.get("authorName"),
                "created_at": modified,
                "location": scope.name,
            },
            modified,
            brand=self.brand_of(scope),
        )

    def publish(self, external_id: str, text: str) -> None:
        package, review_id = self.split(external_id)
        limit = reply_length_limit(self.platform, "")
        if limit is not None and len(text) > limit:
            raise ReplyRefused(f"the reply is {len(text)} characters; Google Play takes {limit}")
        self._http.request(
            "POST",
            f"{self._reviews_url(package)}/{review_id}:reply",
            auth=self._auth,
            json={"replyText": text},
            refusal=ReplyRefused,
        )

    def check(self) -> str:
        scope_id = self.scope_ids()[0]
        self.get_json(self._reviews_url(scope_id), {"maxResults": 1})
        return f"reviews of {scope_id} readable"
