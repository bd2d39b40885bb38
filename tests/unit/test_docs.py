"""The docs name what the code has: every setting, every command, and nothing that is gone."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from bot.cli import cli
from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
OPERATOR = ROOT / "docs" / "operator.md"


def _section(text: str, heading: str) -> str:
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _table_first_column(section: str) -> set[str]:
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", first))
    return names


def _commands() -> set[str]:
    group = typer.main.get_group(cli)
    return set(group.commands)


def test_the_settings_table_lists_every_setting_and_only_those() -> None:
    documented = _table_first_column(_section(OPERATOR.read_text(), "Settings"))
    fields = {name.upper() for name in Settings.model_fields}
    assert fields - documented == set(), "settings missing from docs/operator.md"
    assert documented - fields == set(), "docs/operator.md names settings the code lacks"


def test_the_command_table_lists_every_command() -> None:
    table = _section(OPERATOR.read_text(), "Command line")
    documented = set(re.findall(r"^\| `reviewbot ([a-z-]+)", table, re.MULTILINE))
    assert documented == _commands()


def test_every_command_the_docs_name_exists() -> None:
    commands = _commands()
    for doc in DOCS:
        text = doc.read_text()
        # Only inside code ("reviewbot posts…" in prose is not a command).
        fenced = re.findall(r"```.*?```", text, re.DOTALL)
        inline = re.findall(r"`[^`\n]+`", re.sub(r"```.*?```", "", text, flags=re.DOTALL))
        code = " ".join(fenced + inline)
        # Not the system user of the same name (sudo -u, docker exec, a crontab's user field),
        # nor the bot mentioned in Slack (/invite @reviewbot).
        named = set(re.findall(r"(?<!-u )(?<!exec )(?<!\* )(?<!@)\breviewbot ([a-z][a-z-]+)", code))
        assert named - commands == set(), f"{doc.name} names commands the code lacks"


def test_every_setting_the_docs_name_exists() -> None:
    fields = {name.upper() for name in Settings.model_fields}
    # Variables the app reads that are not settings of its own.
    others = {"TEST_DATABASE_URL", "REQUIRE_POSTGRES", "REVIEWBOT_UNDER_FAKETIME"}
    for doc in DOCS:
        text = doc.read_text()
        named = set(re.findall(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+)(?:=[^`]*)?`", text))
        assert named - fields - others == set(), f"{doc.name} names unknown settings"
