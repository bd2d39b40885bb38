"""What a finding says, in the team's language, from the message files in messages/."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.drafting.prompts import language_name

MESSAGES_DIR = Path(__file__).with_name("messages")
FALLBACK = "en"
_SECTIONS = ("texts", "languages", "scripts", "kinds", "markdown", "sources")
_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z]{2,4})?$")


class Messages:
    """One team language's texts; a key the language lacks is said in English."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __call__(self, key: str, **values: object) -> str:
        return str(self._data["texts"][key]).format(**values)

    def language(self, code: str) -> str:
        return str(self._data["languages"].get(code) or language_name(code))

    def script(self, code: str) -> str:
        return str(self._data["scripts"].get(code, code))

    def kind(self, kind: str) -> str:
        return str(self._data["kinds"].get(kind, kind.replace("_", " ")))

    def markdown(self, what: str) -> str:
        return str(self._data["markdown"][what])

    def source(self, source: str) -> str:
        return str(self._data["sources"].get(source, source))

    @property
    def nothing(self) -> str:
        return str(self._data["nothing"])

    def join(self, items: list[str]) -> str:
        return str(self._data["separator"]).join(items)


@cache
def messages(team_language: str) -> Messages:
    """The texts for `team_language` ("sv", "zh-Hant"…), English where it has none."""
    data = _load(FALLBACK)
    code = _own_file(team_language)
    if code:
        own = _load(code)
        for section in _SECTIONS:
            data[section] = {**data.get(section, {}), **own.get(section, {})}
        for key in ("nothing", "separator"):
            data[key] = own.get(key, data[key])
    return Messages(data)


def _own_file(team_language: str) -> str | None:
    """ "sv-SE" is answered in Swedish; an unknown or malformed code gets English."""
    for code in (team_language, team_language.split("-")[0]):
        if code != FALLBACK and _CODE.match(code) and (MESSAGES_DIR / f"{code}.yml").is_file():
            return code
    return None


def _load(code: str) -> dict[str, Any]:
    data = yaml.safe_load((MESSAGES_DIR / f"{code}.yml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{MESSAGES_DIR / code}.yml must be a mapping")
    return data
