"""`reviewbot doctor`: the start-up checks and more, live, one row each (area, check, status,
what to do). Nothing is changed: no migration, no message posted."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import openai
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot.config import EXAMPLE_PROFILE, Settings
from bot.drafting import BusinessProfile, build_openai_client
from bot.drafting.llm import LLMDrafter
from bot.drafting.profile import ProfileError
from bot.routing import RoutesFileError
from bot.sources.config import Credentials, SourcesFileError, load_sources
from bot.sources.connectors import build_connector
from bot.sources.connectors.status import source_statuses
from bot.startup.contacts import contact_problem
from bot.startup.doctor_row import FAIL, OK, WARN, Row
from bot.startup.doctor_slack import slack_rows
from bot.startup.run_checks import load_all
from bot.wiring import build_routing, drafter_for
from storage import diagnostics
from storage.db import make_engine


def _setting_rows(problems: list[str]) -> Iterator[Row]:
    for problem in problems:
        name, _, detail = problem.partition(": ")
        yield Row("routes" if name == "ROUTES_FILE" else "settings", name, FAIL, detail)


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
    drafter = drafter_for(settings, profile, detect_language=lambda _text: "en")
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


def _counted(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def routes_rows(settings: Settings, profile: BusinessProfile) -> Iterator[Row]:
    """What ROUTES_FILE holds; a file that does not load is already a row of its problem."""
    if settings.routes_file is None:
        yield Row("routes", "ROUTES_FILE", OK, "not set: one brand, every card to REVIEWS_CHANNEL")
        return
    try:
        routing = build_routing(settings, profile)
    except RoutesFileError:
        return
    yield Row(
        "routes",
        "ROUTES_FILE",
        OK,
        f"{_counted(len(routing.brands), 'brand')} ({', '.join(routing.brands) or 'none'}), "
        f"{_counted(len(routing.routes), 'route')}, "
        f"{_counted(len(routing.channels()), 'channel')}: "
        "`reviewbot routes` checks the bot is in each",
    )


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
        rows += routes_rows(settings, profile)
    rows += llm_rows(settings, profile or BusinessProfile.from_file(EXAMPLE_PROFILE))
    rows += sources_rows(settings)
    if not any(row.area == "settings" and row.check == "BUSINESS_PROFILE" for row in rows):
        rows.insert(0, Row("profile", "BUSINESS_PROFILE", OK, str(settings.business_profile)))
    return rows


def show(rows: list[Row], console: Console) -> None:
    table = Table(title="reviewbot doctor")
    for column in ("area", "check", "status", "detail / fix"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row.area, row.check, row.status_text, Text(row.detail))
    console.print(table)
