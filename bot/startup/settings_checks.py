"""Checks of the settings themselves, before anything connects: each problem is one line
that names the setting and says what to write instead. A secret's value is never echoed."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.config import SLACK_CHANNEL_ID, Settings
from bot.triage.language_tags import normalize_language_tag
from bot.vocabulary import LANGUAGE_NAMES

# Left over from an example or a shell line that a .env file never runs.
PLACEHOLDER_MARKS = ("…", "...", "$(", "${", "user:pass@", "changeme", "change-me", "<", ">")
MIN_INGEST_TOKEN = 32
RANDOM_HEX_COMMAND = "python -c 'import secrets; print(secrets.token_hex(32))'"


def env_name(field: str) -> str:
    return field.upper()


def placeholder_problems(settings: Settings) -> dict[str, str]:
    """Settings whose value is still a placeholder, by setting name."""
    found = {}
    for field in type(settings).model_fields:
        value = getattr(settings, field)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if not isinstance(value, str | Path) or field == "prompts_dir":
            continue
        text = str(value)
        if any(mark in text for mark in PLACEHOLDER_MARKS):
            found[env_name(field)] = (
                f"{env_name(field)}: still a placeholder from an example; "
                "write the real value or leave the setting out"
            )
    return found


def _channel_problem(name: str, value: str | None) -> str | None:
    if value is None or SLACK_CHANNEL_ID.fullmatch(value):
        return None
    shown = value if value.startswith("#") or len(value) < 40 else value[:40] + "…"
    return (
        f"{name}: {shown!r} is not a channel id; use the channel id "
        "(right click the channel → Copy link: the last part, C… or G…)"
    )


def _language_problems(settings: Settings) -> list[str]:
    problems = []
    unknown = [code for code in settings.languages if normalize_language_tag(code) is None]
    if unknown:
        problems.append(
            f"LANGUAGES: unknown language code {', '.join(map(repr, unknown))}; "
            "use ISO 639-1 codes, e.g. LANGUAGES=sv,nb,nn,da,fi,zh,en"
        )
    if settings.team_language not in LANGUAGE_NAMES:
        problems.append(
            f"TEAM_LANGUAGE: unknown language {settings.team_language!r}; "
            f"use one of {', '.join(sorted(LANGUAGE_NAMES))}"
        )
    return problems


def database_url_problem(url: str) -> str | None:
    """What is wrong with DATABASE_URL as written (the URL is never echoed: it holds a password)."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme.startswith(("mysql", "mariadb")):
        return (
            "DATABASE_URL: MySQL is not supported; use PostgreSQL "
            "(postgresql+psycopg://user:password@host/db) or SQLite (sqlite:///reviewbot.db)"
        )
    if scheme in ("postgres", "postgresql"):
        return "DATABASE_URL: write postgresql+psycopg://… (the driver reviewbot installs)"
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "DATABASE_URL: not a database URL; e.g. sqlite:///reviewbot.db"
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql") or parsed.get_driver_name() not in (
        "pysqlite",
        "psycopg",
    ):
        return "DATABASE_URL: use sqlite:///PATH or postgresql+psycopg://user:password@host/db"
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).parent
        if not folder.is_dir():
            return (
                f"DATABASE_URL: the folder {folder} does not exist; create it (mkdir -p {folder})"
            )
    return None


def setting_problems(settings: Settings) -> list[str]:
    """Everything wrong with the values, one line each; a placeholder hides other findings on
    the same setting (it is wrong whatever else it is)."""
    placeholders = placeholder_problems(settings)
    problems = list(placeholders.values())

    def unflagged(name: str) -> bool:
        return name not in placeholders

    problems += [p for p in settings.run_problems() if unflagged(p.split(":", 1)[0])]
    token = settings.ingest_token.get_secret_value() if settings.ingest_token else None
    if token is not None and unflagged("INGEST_TOKEN") and len(token) < MIN_INGEST_TOKEN:
        problems.append(
            f"INGEST_TOKEN: shorter than {MIN_INGEST_TOKEN} characters; "
            f"make one with: {RANDOM_HEX_COMMAND}"
        )
    for name, value in (
        ("REVIEWS_CHANNEL", settings.reviews_channel),
        ("DIGEST_CHANNEL", settings.digest_channel),
    ):
        problem = _channel_problem(name, value) if unflagged(name) else None
        if problem:
            problems.append(problem)
    problems += _language_problems(settings)
    if unflagged("DATABASE_URL"):
        problem = database_url_problem(settings.database_url)
        if problem:
            problems.append(problem)
    return problems
