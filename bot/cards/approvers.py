"""Who may approve or decline: the APPROVERS setting, or on a brand's review that brand's
approvers (ROUTES_FILE), with user groups resolved through Slack."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.routing import Routing

log = logging.getLogger(__name__)

# Group membership changes rarely; a short cache keeps clicks from waiting on Slack.
GROUP_CACHE_SECONDS = 300.0


class Approvers:
    """`approvers` holds user ids (U…, W…) and user group ids (S…); empty lets everyone decide."""

    def __init__(
        self,
        approvers: tuple[str, ...],
        client: WebClient | None,
        *,
        cache_seconds: float = GROUP_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._users = frozenset(a for a in approvers if not a.startswith("S"))
        self._groups = tuple(a for a in approvers if a.startswith("S"))
        self._client = client
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._members: dict[str, tuple[float, frozenset[str]]] = {}

    @property
    def restricted(self) -> bool:
        return bool(self._users or self._groups)

    def may_decide(self, user: str) -> bool:
        if not self.restricted or user in self._users:
            return True
        return any(user in self._group_members(group) for group in self._groups)

    def _group_members(self, group: str) -> frozenset[str]:
        now = self._clock()
        with self._lock:
            cached = self._members.get(group)
        if cached is not None and now - cached[0] < self._cache_seconds:
            return cached[1]
        if self._client is None:
            return frozenset()
        try:
            response = self._client.usergroups_users_list(usergroup=group)
        except SlackApiError as exc:
            # Refuse rather than let everyone in; not cached, so the next click asks again.
            log.warning("could not list user group %s: %s", group, exc.response.get("error"))
            return frozenset()
        members = frozenset(response.get("users") or ())
        with self._lock:
            self._members[group] = (now, members)
        return members


class BrandApprovers:
    """Each brand's approvers, and APPROVERS for reviews of no brand (or of a brand the routes
    file no longer has); each list keeps its own cache of group members."""

    def __init__(
        self,
        routing: Routing,
        client: WebClient | None,
        *,
        cache_seconds: float = GROUP_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        def approvers(listed: tuple[str, ...]) -> Approvers:
            return Approvers(listed, client, cache_seconds=cache_seconds, clock=clock)

        self._base = approvers(routing.base.approvers)
        self._brands = {
            brand_id: approvers(brand.approvers) for brand_id, brand in routing.brands.items()
        }

    def of(self, brand: str | None) -> Approvers:
        return self._brands.get(brand, self._base) if brand else self._base

    def may_decide(self, user: str, *, brand: str | None) -> bool:
        return self.of(brand).may_decide(user)
