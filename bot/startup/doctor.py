"""`reviewbot doctor`: the start-up checks and more, live, one row each (area, check, status,
what to do). Nothing is changed: no migration, no message posted."""

from __future__ import annotations

import os
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import openai
import yaml
from rich.console import Console
from rich.table import Table
from rich.text import Text
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from bot.cards.slack_client import build_web_client
from bot.config import EXAMPLE_PROFILE, Settings
from bot.drafting import BusinessProfile, build_drafter, build_openai_client
from bot.drafting.llm import LLMDrafter
from bot.drafting.profile import ProfileError
from bot.drafting.prompts import PromptLibrary
from bot.manifest import MANIFEST_FILE
from bot.sources.config import Credentials, SourcesFileError, load_sources
from bot.sources.connectors import build_connector
from bot.sources.connectors.status import source_statuses
from bot.startup.contacts import contact_problem
from bot.startup.run_checks import load_all
from bot.startup.slack_checks import SlackProblem, auth_test, open_socket_connection
from storage import diagnostics
from storage.db import make_engine

OK, WARN, FAIL = "ok", "warn", "FAIL"


@dataclass(frozen=True)
class Row:
    area: str
    check: str
    status: str
    detail: str

    @property
    def failed(self) -> bool:
        return self.status == FAIL


def needed_scopes(manifest: Path = MANIFEST_FILE) -> set[str]:
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    return set(data["oauth_config"]["scopes"]["bot"])


def _setting_rows(problems: list[str]) -> Iterator[Row]:
    for problem in problems:
        name, _, detail = problem.partition(": ")
        yield Row("settings", name, FAIL, detail)


def _channel_row(client, name: str, channel: str, bot: str) -> Row:
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
    assert settings.slack_bot_token is not None  # auth.test answered to it
    client = build_web_client(
        settings.slack_bot_token.get_secret_value(), settings.slack_api_url, sleep=time.sleep
    )
    channels = {
        "REVIEWS_CHANNEL": settings.reviews_channel,
        "DIGEST_CHANNEL": settings.digest_channel,
    }
    for name, channel in channels.items():
        if channel:
            yield _channel_row(client, name, channel, bot)
    if settings.socket_mode:
        try:
            open_socket_connection(settings, sleep=time.sleep)
            yield Row("slack", "app token", OK, "Socket Mode connection opens")
        except SlackProblem as exc:
            yield Row("slack", "app token", FAIL, str(exc))
    yield _slash_command_row(settings, url, str(answer.get("team_id", "")), now)


def database_rows(url: str) -> Iterator[Row]:
    try:
        diagnostics.reachable(url)
    except diagnostics.DatabaseProblem as exc:
        yield Row("database", "reachable", FAIL, str(exc))
        return
    if url.startswith("sqlite") and not Path(url.split(":///", 1)[-1]).exists():
        yield Row("database", "revision", FAIL, "no database yet: run `reviewbot migrate`")
        return
    mode = diagnostics.journal_mode(url)
    engine = make_engine(url)
    try:
        at, head = diagnostics.revision(engine), diagnostics.head_revision(engine)
        if at != head:
            yield Row(
                "database",
                "revision",
                FAIL,
                f"at {at or 'none'}, this version needs {head}: run `reviewbot migrate`",
            )
        else:
            yield Row("database", "revision", OK, f"at head ({head})")
        diagnostics.writable(engine)
        yield Row("database", "writable", OK, "a write goes through")
    except diagnostics.DatabaseProblem as exc:
        yield Row("database", "writable", FAIL, str(exc))
    finally:
        engine.dispose()
    if mode is not None:
        if mode == "wal":
            yield Row("database", "WAL", OK, "SQLite in WAL mode")
        else:
            yield Row(
                "database",
                "WAL",
                FAIL,
                f"journal mode {mode}: keep the file on a local "
                "disk (WAL does not work on network file systems) and start once",
            )


def llm_rows(settings: Settings, profile: BusinessProfile) -> Iterator[Row]:
    if settings.openai_api_key is None:
        yield Row(
            "llm",
            "model",
            WARN,
            "no OPENAI_API_KEY: templates only (no translation, "
            "no urgency from the model, no regenerate with an instruction)",
        )
        return
    client = build_openai_client(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout,
        max_retries=0,
    )
    server = settings.openai_base_url or "https://api.openai.com/v1"
    try:
        served = [model.id for model in client.models.list()]
    except openai.AuthenticationError:
        yield Row("llm", "reachable", FAIL, "OPENAI_API_KEY refused by the server")
        return
    except openai.APIError as exc:
        yield Row(
            "llm", "reachable", FAIL, f"{server} does not answer ({exc}); check OPENAI_BASE_URL"
        )
        return
    yield Row("llm", "reachable", OK, server)
    if settings.openai_model not in served:
        yield Row(
            "llm",
            "model",
            FAIL,
            f"{settings.openai_model!r} is not served there; set "
            f"OPENAI_MODEL to one of {', '.join(served[:5]) or 'its models'}",
        )
        return
    yield Row("llm", "model", OK, settings.openai_model)
    drafter = build_drafter(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        timeout=settings.openai_timeout,
        max_retries=settings.openai_max_retries,
        max_tokens=settings.openai_max_tokens,
        prompts=PromptLibrary(settings.prompts_dir, overrides=settings.prompt_overrides_dir),
        profile=profile,
        team_language=settings.team_language,
        detect_language=lambda _text: "en",
    )
    assert isinstance(drafter, LLMDrafter)
    probe = drafter.probe()
    if probe.mode is None:
        yield Row("llm", "structured output", FAIL, probe.problem or "no output mode worked")
    else:
        yield Row("llm", "structured output", OK, f"mode {probe.mode}")


def sources_rows(settings: Settings) -> Iterator[Row]:
    if settings.sources_file is None:
        yield Row("sources", "SOURCES_FILE", OK, "not set: reviews arrive through POST /reviews")
        return
    try:
        sources = load_sources(settings.sources_file)
        credentials = Credentials.load(os.environ, settings.sources_secrets_file)
    except SourcesFileError:
        return  # already a settings row
    for status in source_statuses(sources, credentials, build_connector):
        state = {True: OK, False: FAIL, None: WARN}[status.ok]
        yield Row("sources", f"{status.name} ({status.platform})", state, status.detail)


def profile_rows(profile: BusinessProfile) -> Iterator[Row]:
    problems = [contact_problem(c, profile.countries) for c in profile.known_contacts()]
    wrong = [problem for problem in problems if problem]
    if wrong:
        for problem in wrong:
            yield Row("profile", "contacts", FAIL, problem)
    else:
        yield Row("profile", "contacts", OK, ", ".join(profile.known_contacts()))


def diagnose(*, clock: Callable[[], datetime], url: str | None = None) -> list[Row]:
    """Every check, in the order of the table; `clock` dates the signed slash command."""
    settings, problems = load_all(live=False)
    rows = list(_setting_rows(problems))
    if settings is None:
        return rows
    flagged = {row.check for row in rows}
    if (
        not flagged & {"SLACK_BOT_TOKEN", "SLACK_API_URL", "SLACK_APP_TOKEN"}
        and settings.slack_bot_token
    ):
        rows += slack_rows(settings, url, clock())
    if "DATABASE_URL" not in flagged:
        rows += database_rows(settings.database_url)
    try:
        profile = BusinessProfile.from_file(settings.business_profile)
    except ProfileError:
        profile = None
    if profile is not None:
        rows += profile_rows(profile)
    rows += llm_rows(settings, profile or BusinessProfile.from_file(EXAMPLE_PROFILE))
    rows += sources_rows(settings)
    if not any(row.area == "settings" and row.check == "BUSINESS_PROFILE" for row in rows):
        rows.insert(0, Row("profile", "BUSINESS_PROFILE", OK, str(settings.business_profile)))
    return rows


def show(rows: list[Row], console: Console) -> None:
    table = Table(title="reviewbot doctor")
    for column in ("area", "check", "status", "detail / fix"):
        table.add_column(column, overflow="fold")
    colour = {OK: "green", WARN: "yellow", FAIL: "bold red"}
    for row in rows:
        table.add_row(
            row.area, row.check, Text(row.status, style=colour[row.status]), Text(row.detail)
        )
    console.print(table)
