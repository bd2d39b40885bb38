"""`reviewbot doctor`'s Slack rows: the token and its scopes, the channels the bot must be in,
the app-level token, and the slash command at the public URL."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

import httpx
import yaml
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from bot.cards.slack_client import build_web_client
from bot.config import Settings
from bot.manifest import MANIFEST_FILE
from bot.startup.doctor_row import FAIL, OK, WARN, Row
from bot.startup.slack_checks import SlackProblem, auth_test, open_socket_connection


def needed_scopes(manifest: Path = MANIFEST_FILE) -> set[str]:
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    return set(data["oauth_config"]["scopes"]["bot"])


def channel_row(client, name: str, channel: str, bot: str) -> Row:
    """conversations.info of `channel`: found, and the bot (@`bot`) a member of it."""
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as exc:
        error = exc.response.get("error")
        fix = {
            "channel_not_found": "no such channel, or it is private and the bot is not in it: "
            f"invite it with /invite @{bot} there",
            "missing_scope": "the app lacks channels:read/groups:read: add them and reinstall",
        }.get(error, error)
        return Row("slack", name, FAIL, f"{channel}: {fix}")
    if not info.get("is_member"):
        return Row(
            "slack",
            name,
            FAIL,
            f"the bot is not in #{info.get('name', channel)}: type /invite @{bot} in that channel",
        )
    return Row("slack", name, OK, f"the bot is in #{info.get('name', channel)}")


_STATUS_HINTS = {
    401: "check SLACK_SIGNING_SECRET (Basic Information → Signing Secret)",
    404: "check that SLASH_COMMAND is the command the manifest declares, and the proxy's paths",
}


def _slash_command_row(settings: Settings, url: str | None, team: str, now: datetime) -> Row:
    if settings.socket_mode:
        return Row("slack", "slash command", OK, "Socket Mode: no public URL needed")
    if not url:
        return Row("slack", "slash command", WARN, "HTTP mode: pass --url https://… to check it")
    secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    )
    body = urllib.parse.urlencode(
        {
            "command": settings.slash_command,
            "text": "help",
            "user_id": "U0DOCTOR",
            "channel_id": settings.reviews_channel or "",
            "team_id": team,
            "response_url": "",
            "trigger_id": "",
        }
    )
    ts = str(int(now.timestamp()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None  # None only without a timestamp
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }
    endpoint = url.rstrip("/") + "/slack/events"
    try:
        status = httpx.post(endpoint, content=body, headers=headers, timeout=5).status_code
    except httpx.HTTPError as exc:
        return Row("slack", "slash command", FAIL, f"{endpoint} does not answer ({exc})")
    if status != 200:
        return Row(
            "slack",
            "slash command",
            FAIL,
            f"{endpoint} answered HTTP {status}; {_STATUS_HINTS.get(status, 'check the proxy')}",
        )
    return Row("slack", "slash command", OK, f"{settings.slash_command} answers at {endpoint}")


def _bot_client(settings: Settings):
    assert settings.slack_bot_token is not None  # auth.test answered to it
    return build_web_client(
        settings.slack_bot_token.get_secret_value(), settings.slack_api_url, sleep=time.sleep
    )


def slack_rows(settings: Settings, url: str | None, now: datetime) -> Iterator[Row]:
    try:
        answer = auth_test(settings, sleep=time.sleep)
    except SlackProblem as exc:
        yield Row("slack", "token", FAIL, str(exc))
        return
    bot = str(answer.get("user", "reviewbot"))
    yield Row("slack", "token", OK, f"@{bot} in {answer.get('team')}")
    headers = {name.lower(): value for name, value in answer.headers.items()}
    granted_header = headers.get("x-oauth-scopes")
    granted = {s.strip() for s in (granted_header or "").split(",") if s.strip()}
    missing = sorted(needed_scopes() - granted)
    if granted_header is None:
        yield Row("slack", "scopes", WARN, "Slack did not say which scopes the token has")
    elif missing:
        yield Row(
            "slack",
            "scopes",
            FAIL,
            f"missing {', '.join(missing)}: add them under OAuth "
            "& Permissions → Bot Token Scopes, then reinstall the app",
        )
    else:
        yield Row("slack", "scopes", OK, "every scope manifest.yml asks for")
    client = _bot_client(settings)
    channels = {
        "REVIEWS_CHANNEL": settings.reviews_channel,
        "DIGEST_CHANNEL": settings.digest_channel,
    }
    for name, channel in channels.items():
        if channel:
            yield channel_row(client, name, channel, bot)
    if settings.socket_mode:
        try:
            open_socket_connection(settings, sleep=time.sleep)
            yield Row("slack", "app token", OK, "Socket Mode connection opens")
        except SlackProblem as exc:
            yield Row("slack", "app token", FAIL, str(exc))
    yield _slash_command_row(settings, url, str(answer.get("team_id", "")), now)


def channel_rows(settings: Settings, channels: Iterable[tuple[str, str]]) -> Iterator[Row]:
    """Each (name, channel) checked as the doctor checks REVIEWS_CHANNEL: one row each, or one
    row for the token when Slack cannot be asked at all."""
    if settings.slack_bot_token is None:
        for name, _channel in channels:
            yield Row("slack", name, FAIL, "not checked: SLACK_BOT_TOKEN is not set")
        return
    try:
        answer = auth_test(settings, sleep=time.sleep)
    except SlackProblem as exc:
        yield Row("slack", "token", FAIL, str(exc))
        return
    client = _bot_client(settings)
    bot = str(answer.get("user", "reviewbot"))
    for name, channel in channels:
        yield channel_row(client, name, channel, bot)
