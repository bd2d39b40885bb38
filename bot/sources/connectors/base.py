"""What every platform connector shares: its errors, and the watermark that makes polling resumable.

A connector lists the reviews of one scope (a location, business unit or app) that changed
after the scope's watermark, and publishes replies. The polling step stores the watermark
after the reviews are in intake, so a restart neither fetches a review again nor misses one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from storage.reviews import ReviewData


class SourceError(Exception):
    """A platform call failed. `reason` is shown to people, so it never holds a secret."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AuthFailed(SourceError):
    """Credentials are missing, refused, or lack the permission the call needs."""


class RateLimited(SourceError):
    """The platform asked us to wait longer than we wait inline."""

    def __init__(self, reason: str, retry_after: float) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class ReplyRefused(SourceError):
    """The reply cannot be published as it is (too long, review gone…); trying again won't help."""


@dataclass(frozen=True)
class Watermark:
    """The newest modification time seen in a scope, and the reviews seen at that instant
    (platforms give times to the second, so several reviews can share it)."""

    since: datetime | None = None
    ids: frozenset[str] = frozenset()

    def is_new(self, external_id: str, modified: datetime) -> bool:
        if self.since is None or modified > self.since:
            return True
        return modified == self.since and external_id not in self.ids

    def advanced(self, seen: Iterable[Listed]) -> Watermark:
        since, ids = self.since, set(self.ids)
        for item in seen:
            if since is None or item.modified > since:
                since, ids = item.modified, {item.data.external_id}
            elif item.modified == since:
                ids.add(item.data.external_id)
        return Watermark(since, frozenset(ids))

    def to_json(self) -> dict[str, Any]:
        return {"since": self.since.isoformat() if self.since else None, "ids": sorted(self.ids)}

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> Watermark:
        if not value or not value.get("since"):
            return cls()
        return cls(datetime.fromisoformat(value["since"]), frozenset(value.get("ids", ())))


@dataclass(frozen=True)
class Listed:
    """One review as the platform listed it, with the time it was last written."""

    data: ReviewData
    modified: datetime


@dataclass(frozen=True)
class Fetched:
    reviews: list[ReviewData] = field(default_factory=list)
    watermark: Watermark = field(default_factory=Watermark)


def collect(pages: Iterable[list[Listed]], mark: Watermark, *, newest_first: bool) -> Fetched:
    """The reviews after `mark`, reading pages lazily; a newest-first listing stops at the
    first page that reaches back before the watermark."""
    fresh: dict[str, Listed] = {}
    for page in pages:
        for item in page:
            if not mark.is_new(item.data.external_id, item.modified):
                continue
            # The listing can shift while we page (a new review pushes one down): keep one.
            known = fresh.get(item.data.external_id)
            if known is None or item.modified > known.modified:
                fresh[item.data.external_id] = item
        if newest_first and mark.since is not None and any(i.modified < mark.since for i in page):
            break
    items = sorted(fresh.values(), key=lambda i: i.modified)
    return Fetched([i.data for i in items], mark.advanced(items))


class Connector(Protocol):
    """One configured source on one platform."""

    name: str

    @property
    def platform(self) -> str: ...

    def scope_ids(self) -> list[str]: ...

    def fetch(self, scope_id: str, mark: Watermark, now: datetime) -> Fetched:
        """Reviews of the scope written after `mark`; a first run backfills what the platform
        keeps. Raises SourceError."""
        ...

    def owns(self, external_id: str) -> bool:
        """Whether the review came from one of this source's scopes."""
        ...

    def publish(self, external_id: str, text: str) -> None:
        """Create or replace our reply to the review. Raises SourceError."""
        ...

    def check(self) -> str:
        """One authenticated call; a short description of what answered. Raises SourceError."""
        ...

    def close(self) -> None: ...
