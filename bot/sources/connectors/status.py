"""What `reviewbot sources` shows: each configured source, and whether its credentials work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.sources.config import Credentials, SourceConfig, SourcesFile
from bot.sources.connectors.base import Connector, SourceError


@dataclass(frozen=True)
class SourceStatus:
    name: str
    platform: str
    scopes: list[str]
    poll_minutes: int
    enabled: bool
    ok: bool | None  # None: not checked (disabled, or checks were skipped)
    detail: str


def _scope_label(config: SourceConfig) -> list[str]:
    return [f"{s.name} ({s.id})" if s.name else s.id for s in config.scopes]


def source_statuses(
    sources: SourcesFile,
    credentials: Credentials,
    build: Callable[[SourceConfig, Credentials], Connector],
    *,
    call_platforms: bool = True,
) -> list[SourceStatus]:
    """One line per source; with `call_platforms`, one authenticated call to each."""
    statuses = []
    for config in sources.sources:
        ok: bool | None = None
        missing = credentials.missing(config.credential_names)
        if not config.enabled:
            detail = "disabled"
        elif missing:
            ok, detail = False, f"missing credential {', '.join(missing)}"
        elif not call_platforms:
            detail = "credentials present (not checked)"
        else:
            connector = build(config, credentials)
            try:
                ok, detail = True, connector.check()
            except SourceError as exc:
                ok, detail = False, exc.reason
            finally:
                connector.close()
        statuses.append(
            SourceStatus(
                config.name,
                config.platform,
                _scope_label(config),
                config.poll_minutes,
                config.enabled,
                ok,
                detail,
            )
        )
    return statuses
