"""Which publisher answers which source. Platform connectors register here as they come."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from bot.publishing.base import ManualPublisher, Publisher
from bot.publishing.webhook import WebhookPublisher


class PublisherRegistry:
    def __init__(self, default: Publisher, by_source: Mapping[str, Publisher] | None = None):
        self._default = default
        self._by_source = dict(by_source or {})

    def for_source(self, source: str) -> Publisher:
        return self._by_source.get(source, self._default)

    def close(self) -> None:
        for publisher in {id(p): p for p in [self._default, *self._by_source.values()]}.values():
            close = getattr(publisher, "close", None)
            if close is not None:
                close()


def build_publishers(
    platforms: Mapping[str, Publisher] | None = None,
    *,
    webhook_url: str | None,
    webhook_secret: str | None,
    sleep: Callable[[float], None] = time.sleep,
) -> PublisherRegistry:
    """The webhook (REPLY_WEBHOOK_URL, signed with REPLY_WEBHOOK_SECRET) for every source when
    both are set; otherwise by hand. `platforms`: the platform connectors of the sources file,
    which answer their own sources."""
    if webhook_url and webhook_secret:
        return PublisherRegistry(
            WebhookPublisher(webhook_url, webhook_secret, sleep=sleep), platforms
        )
    return PublisherRegistry(ManualPublisher(), platforms)
