"""Erasure on request (`reviewbot erase`) and after the retention period (a scheduler job)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from storage.db import session_scope
from storage.erasure import erase_reviews, review_by_key, reviews_by_author, reviews_older_than
from storage.models import utcnow

log = logging.getLogger(__name__)


class ErasureService:
    def __init__(
        self,
        engine: Engine,
        *,
        retention_days: int | None,
        clock: Callable[[], datetime] = utcnow,
        on_erased: Callable[[list[int]], None] | None = None,
    ) -> None:
        """`on_erased(review_ids)` redacts what was shown elsewhere (the Slack cards)."""
        self._engine = engine
        self._retention_days = retention_days
        self._clock = clock
        self._on_erased = on_erased

    def erase_author(self, author: str, *, actor: str) -> list[int]:
        with session_scope(self._engine) as session:
            ids = reviews_by_author(session, author)
            erase_reviews(session, ids, now=self._clock(), actor=actor, reason="request")
        return self._erased(ids)

    def erase_review(self, source: str, external_id: str, *, actor: str) -> list[int]:
        with session_scope(self._engine) as session:
            found = review_by_key(session, source, external_id)
            ids = [found] if found is not None else []
            erase_reviews(session, ids, now=self._clock(), actor=actor, reason="request")
        return self._erased(ids)

    def purge(self, now: datetime) -> list[int]:
        """Erase every review written more than RETENTION_DAYS ago; nothing when unset."""
        if self._retention_days is None:
            return []
        cutoff = now - timedelta(days=self._retention_days)
        with session_scope(self._engine) as session:
            ids = reviews_older_than(session, cutoff)
            erase_reviews(session, ids, now=now, actor="retention", reason="retention")
        return self._erased(ids)

    def _erased(self, ids: list[int]) -> list[int]:
        if ids:
            log.info("erased the personal data of %d review(s)", len(ids))
            if self._on_erased is not None:
                self._on_erased(ids)
        return ids
