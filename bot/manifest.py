"""The Slack app manifest for either way of connecting, from the one manifest.yml.

manifest.yml is written for Socket Mode (SLACK_APP_TOKEN). HTTP mode needs Slack to know
where to send events, clicks and the slash command: all three go to one public
https://…/slack/events, and Socket Mode is switched off. The slash command is renamed to
SLASH_COMMAND in both, since Slack only sends the command the manifest declares.
"""

from __future__ import annotations

import sys
from copy import deepcopy
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
import yaml

from bot.config import ConfigError, load_settings

# A link to the checkout's manifest.yml, so an installed copy carries it too.
MANIFEST_FILE = Path(__file__).resolve().parent / "slack_manifest.yml"
EVENTS_PATH = "/slack/events"
HEADER = (
    "# Slack app manifest for reviewbot, printed by `reviewbot manifest{options}`.\n"
    "# Paste it at https://api.slack.com/apps → Create New App → From an app manifest (or,\n"
    "# for an existing app, its App Manifest page). manifest.yml says why each scope is asked.\n"
)


class ManifestError(ValueError):
    """The options do not make a manifest Slack would accept; the message says which."""


def events_url(url: str) -> str:
    """The one endpoint Slack posts to, from the server's public address."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise ManifestError(f"--url must be the server's public https:// address, not {url!r}")
    if parts.query or parts.fragment:
        raise ManifestError("--url takes no ?query or #fragment")
    path = parts.path.rstrip("/")
    if not path.endswith(EVENTS_PATH):
        path += EVENTS_PATH
    return f"https://{parts.netloc}{path}"


def build_manifest(base: dict[str, Any], *, command: str, url: str | None = None) -> dict:
    """`base` (manifest.yml) with the slash command renamed, and set up for HTTP mode at
    `url` when one is given, Socket Mode otherwise."""
    manifest = deepcopy(base)
    features, settings = manifest["features"], manifest["settings"]
    (slash,) = features["slash_commands"]
    info = manifest["display_information"]
    info["long_description"] = info["long_description"].replace(slash["command"], command)
    slash["command"] = command
    settings["socket_mode_enabled"] = url is None
    if url is not None:
        endpoint = events_url(url)
        slash["url"] = endpoint
        settings["event_subscriptions"]["request_url"] = endpoint
        settings["interactivity"]["request_url"] = endpoint
    return manifest


def manifest_text(*, command: str, url: str | None = None, source: Path = MANIFEST_FILE) -> str:
    """The manifest as YAML to paste into Slack, with a header saying how it was made."""
    base = yaml.safe_load(source.read_text(encoding="utf-8"))
    options = (f" --http --url {url}" if url else "") + f" --command {command}"
    body = yaml.safe_dump(
        build_manifest(base, command=command, url=url),
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return HEADER.format(options=options) + body


def manifest_command(
    http: Annotated[
        bool, typer.Option("--http", help="HTTP mode: Slack posts to --url/slack/events")
    ] = False,
    url: Annotated[
        str | None, typer.Option(help="the server's public https:// address (with --http)")
    ] = None,
    command: Annotated[
        str | None, typer.Option(help="the slash command; default SLASH_COMMAND or /reviews")
    ] = None,
) -> None:
    """Print the Slack app manifest: Socket Mode, or HTTP mode with --http --url."""
    try:
        if http != (url is not None):
            raise ManifestError("give --http and --url together, or neither for Socket Mode")
        overrides = {"slash_command": command} if command is not None else {}
        settings = load_settings(**overrides)
        text = manifest_text(command=settings.slash_command, url=url)
    except (ConfigError, ManifestError) as exc:
        print(f"reviewbot: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    sys.stdout.write(text)
