"""Platform connectors: Google Business Profile, Trustpilot, App Store Connect, Google Play.

`SourceRegistry` holds one connector per source of the sources file; the polling step reads
reviews through it, and bot/publishing/platforms.py publishes replies through its connectors.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx

from bot.sources.config import (
    GOOGLE_TOKEN_URL,
    AppStoreSource,
    Credentials,
    GoogleBusinessSource,
    GooglePlaySource,
    SourceConfig,
    SourcesFile,
    TrustpilotSource,
    load_sources,
)
from bot.sources.connectors.app_store import AppStoreConnector
from bot.sources.connectors.auth import (
    AppStoreJwt,
    GoogleRefreshToken,
    GoogleServiceAccount,
    TrustpilotBusinessUser,
)
from bot.sources.connectors.base import Connector
from bot.sources.connectors.google_business import GoogleBusinessConnector
from bot.sources.connectors.google_play import GooglePlayConnector
from bot.sources.connectors.http import PlatformHttp
from bot.sources.connectors.trustpilot import TrustpilotConnector

__all__ = ["SourceRegistry", "build_connector", "build_sources"]


def build_connector(
    config: SourceConfig,
    credentials: Credentials,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    transport: httpx.BaseTransport | None = None,
) -> Connector:
    http = PlatformHttp(
        config.platform,
        timeout=config.timeout,
        attempts=config.attempts,
        max_wait=config.max_wait_seconds,
        sleep=sleep,
        clock=clock,
        transport=transport,
    )
    match config:
        case GoogleBusinessSource():
            return GoogleBusinessConnector(
                config,
                http,
                GoogleRefreshToken(
                    http,
                    config.token_url or GOOGLE_TOKEN_URL,
                    credentials,
                    client_id_env=config.client_id_env,
                    client_secret_env=config.client_secret_env,
                    refresh_token_env=config.refresh_token_env,
                    clock=clock,
                ),
            )
        case TrustpilotSource():
            return TrustpilotConnector(
                config,
                http,
                TrustpilotBusinessUser(
                    http,
                    config.api_url,
                    credentials,
                    api_key_env=config.api_key_env,
                    api_secret_env=config.api_secret_env,
                    username_env=config.username_env,
                    password_env=config.password_env,
                    clock=clock,
                ),
            )
        case AppStoreSource():
            return AppStoreConnector(
                config,
                http,
                AppStoreJwt(
                    credentials,
                    issuer_id=config.issuer_id,
                    key_id=config.key_id,
                    private_key_env=config.private_key_env,
                    clock=clock,
                ),
            )
        case GooglePlaySource():
            return GooglePlayConnector(
                config,
                http,
                GoogleServiceAccount(
                    http,
                    credentials,
                    service_account_env=config.service_account_env,
                    token_url=config.token_url,
                    clock=clock,
                ),
            )
    raise ValueError(f"unknown platform {config.platform!r}")


class SourceRegistry:
    """The enabled sources of the sources file, each with its connector."""

    def __init__(self, sources: SourcesFile, connectors: dict[str, Connector]) -> None:
        self._sources = sources
        self._connectors = connectors

    @classmethod
    def empty(cls) -> SourceRegistry:
        return cls(SourcesFile(), {})

    @classmethod
    def build(
        cls,
        sources: SourcesFile,
        credentials: Credentials,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> SourceRegistry:
        connectors = {
            config.name: build_connector(
                config, credentials, sleep=sleep, clock=clock, transport=transport
            )
            for config in sources.sources
            if config.enabled
        }
        return cls(sources, connectors)

    def names(self) -> list[str]:
        return list(self._connectors)

    def connector(self, name: str) -> Connector:
        return self._connectors[name]

    def config(self, name: str) -> SourceConfig:
        return self._sources.get(name)

    def poll_minutes(self, name: str) -> int:
        """How often the scheduler should poll the source."""
        return self.config(name).poll_minutes

    def connectors(self) -> list[Connector]:
        return list(self._connectors.values())

    def close(self) -> None:
        for connector in self._connectors.values():
            connector.close()


def build_sources(
    sources_file: Path | None,
    *,
    environ: Mapping[str, str] | None = None,
    secrets_file: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SourceRegistry:
    """The registry for SOURCES_FILE; empty when it is not set. `environ` comes from the entry
    point (library code never reads os.environ)."""
    if sources_file is None:
        return SourceRegistry.empty()
    credentials = Credentials.load(environ or {}, secrets_file)
    return SourceRegistry.build(load_sources(sources_file), credentials, sleep=sleep)
