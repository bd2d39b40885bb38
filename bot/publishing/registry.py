"""Which publisher answers which source. Platform connectors register here as they come."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from bot.config import Settings
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
    settings: Settings,
    platforms: Mapping[str, Publisher] | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> PublisherRegistry:
    """The webhook for every source when REPLY_WEBHOOK_URL is set; otherwise by hand.
    `platforms`: the platform connectors of the sources file, which answer their own sources."""
    if settings.reply_webhook_url and settings.reply_webhook_secret:
        return PublisherRegistry(
            WebhookPublisher(
                settings.reply_webhook_url,
                settings.reply_webhook_secret.get_secret_value(),
                sleep=sleep,
            ),
            platforms,
        )
    return PublisherRegistry(ManualPublisher(), platforms)
