"""The brands a person answers for, as the App Home shows them: the brands whose channels
(cards, digest, and the channels of rules that match that brand) the person is a member of.

Slack's users.conversations with `user=` lists the channels a person is in (scopes
channels:read and groups:read; a private channel only when the bot is in it too, as it is in
every channel it posts cards to). The answer is kept a few minutes per person: the tab is
opened far more often than anyone joins or leaves a channel, and the method is rate-limited.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.routing import Brand, Routing

log = logging.getLogger(__name__)

KEPT = timedelta(minutes=5)
PAGE = 200
MAX_PAGES = 10  # 2,000 channels: a person in more is in every brand's channel anyway


def brand_channels(routing: Routing) -> dict[str, set[str]]:
    """channel → the ids of the brands whose reviews or digest go there."""
    found: dict[str, set[str]] = {}
    for brand in routing.brands.values():
        for channel in (brand.channel, brand.digest_channel):
            if channel:
                found.setdefault(channel, set()).add(brand.id)
    for route in routing.routes:
        brand_id = route.match.brand
        if route.channel and brand_id is not None and brand_id in routing.brands:
            found.setdefault(route.channel, set()).add(brand_id)
    return found


class ViewerBrands:
    def __init__(
        self, slack: WebClient | None, routing: Routing, *, kept: timedelta = KEPT
    ) -> None:
        self._slack = slack
        self._routing = routing
        self._channels = brand_channels(routing)
        self._kept = kept
        self._lock = threading.Lock()
        self._known: dict[str, tuple[datetime, frozenset[str]]] = {}  # user → (asked, brands)

    def of(self, user: str, now: datetime) -> list[Brand]:
        """The brands `user` answers for, in the routes file's order; none without brands, or
        when Slack cannot say (the tab then shows what it shows without them)."""
        if not self._channels or self._slack is None:
            return []
        with self._lock:
            known = self._known.get(user)
        if known is None or now - known[0] >= self._kept:
            ids = self._ask(self._slack, user)
            if ids is None:
                return []
            known = (now, ids)
            with self._lock:
                self._known[user] = known
        return [brand for brand in self._routing.brands.values() if brand.id in known[1]]

    def _ask(self, slack: WebClient, user: str) -> frozenset[str] | None:
        wanted = set(self._channels)
        found: set[str] = set()
        cursor = None
        try:
            for _ in range(MAX_PAGES):
                page = slack.users_conversations(
                    user=user,
                    types="public_channel,private_channel",
                    exclude_archived=True,
                    limit=PAGE,
                    cursor=cursor,
                )
                channels: list[dict] = page.get("channels") or []
                found |= {c["id"] for c in channels if c["id"] in wanted}
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor or found == wanted:
                    break
        except SlackApiError as exc:
            log.warning(
                "users.conversations failed, the Home tab shows no brands: %s",
                exc.response.get("error"),
            )
            return None
        return frozenset(brand for channel in found for brand in self._channels[channel])
