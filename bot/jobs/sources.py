"""Source polling: each configured platform source, every `poll_minutes` of its own."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.sources.polling import poll_source
from storage.sources import read_cursor

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


def run(services: Services, now: datetime) -> None:
    for name in services.sources.names():
        last = read_cursor(services.engine, source_name=name).last_polled_at
        if last is not None and now - last < timedelta(minutes=services.sources.poll_minutes(name)):
            continue
        report = poll_source(services, name, now)
        log.info(
            "polled %s: %d new, %d updated, %d seen before%s",
            name,
            report.accepted,
            report.updated,
            report.duplicate,
            f" ({report.error})" if report.error else "",
        )
