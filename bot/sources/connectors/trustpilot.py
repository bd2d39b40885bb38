"""Trustpilot: `GET /v1/private/business-units/{id}/reviews` and
`POST /v1/private/reviews/{id}/reply` (replaces an earlier reply) as a business user."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from bot.sources.config import Scope, TrustpilotSource
from bot.sources.connectors.auth import TrustpilotBusinessUser
from bot.sources.connectors.base import Fetched, Listed, ReplyRefused, Watermark, collect
from bot.sources.connectors.common import HttpConnector, listed, parse_time
from bot.sources.connectors.http import PlatformHttp

PER_PAGE = 100  # the API's maximum
# Trustpilot names Norwegian and Chinese without variant or script; detection tells those.
_TOO_BROAD = {"no", "zh"}


class TrustpilotConnector(HttpConnector):
    platform = "trustpilot"

    def __init__(self, config: TrustpilotSource, http: PlatformHttp, auth: TrustpilotBusinessUser):
        super().__init__(config.name, config.business_units, http, auth, brand=config.brand)
        self._api = config.api_url
        self._business_user = config.business_user_id
        self._edit_window = timedelta(days=config.edit_window_days)
        self._user = auth

    def headers(self) -> dict[str, str]:
        return {"apikey": self._user.api_key()}

    def fetch(self, scope_id: str, mark: Watermark, now: datetime) -> Fetched:
        # Trustpilot lists by creation date, so an edit is found by reading recent reviews
        # again; the watermark (on updatedAt) keeps the unchanged ones out of intake.
        start = None if mark.since is None else min(mark.since, now - self._edit_window)
        return collect(self._pages(scope_id, start), mark, newest_first=False)

    def _pages(
        self, scope_id: str, start: datetime | None, per_page: int = PER_PAGE
    ) -> Iterator[list[Listed]]:
        scope = self.scope(scope_id)
        page_number = 1
        while True:
            params: dict[str, Any] = {
                "perPage": per_page,
                "page": page_number,
                "orderBy": "createdat.desc",
            }
            if start is not None:
                params["startDateTime"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
            body = self.get_json(f"{self._api}v1/private/business-units/{scope_id}/reviews", params)
            reviews = body.get("reviews") or []
            page = [self._listed(scope_id, raw, scope) for raw in reviews]
            yield [item for item in page if item is not None]
            links = body.get("links") or []
            has_next = any(link.get("rel") == "next-page" for link in links)
            if not reviews or (len(reviews) < per_page and not has_next):
                return
            page_number += 1

    def _listed(self, scope_id: str, raw: dict[str, Any], scope: Scope) -> Listed | None:
        created = parse_time(raw.get("createdAt"))
        language = raw.get("language")
        return listed(
            {
                "source": self.platform,
                "external_id": self.external_id(scope_id, str(raw.get("id", ""))),
                "rating": raw.get("stars"),
                "title": raw.get("title"),
                "text": raw.get("text") or "",
                "author": (raw.get("consumer") or {}).get("displayName"),
                "language": None if language in _TOO_BROAD else language,
                "created_at": created,
                "location": scope.name,
            },
            parse_time(raw["updatedAt"]) if raw.get("updatedAt") else created,
            brand=self.brand_of(scope),
        )

    def publish(self, external_id: str, text: str) -> None:
        _, review_id = self.split(external_id)
        self._http.request(
            "POST",
            f"{self._api}v1/private/reviews/{review_id}/reply",
            auth=self._auth,
            json={"authorBusinessUserId": self._business_user, "message": text},
            headers=self.headers(),
            refusal=ReplyRefused,
        )

    def check(self) -> str:
        scope_id = self.scope_ids()[0]
        self.get_json(f"{self._api}v1/private/business-units/{scope_id}/reviews", {"perPage": 1})
        return f"reviews of business unit {scope_id} readable"
