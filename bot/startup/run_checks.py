"""`reviewbot run` refuses to start on any problem and lists them all, one line each."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from bot.config import ConfigError, Settings, load_settings
from bot.startup.preflight import file_problems, preflight
from bot.startup.settings_checks import setting_problems


def debugging(settings: Settings | None = None) -> bool:
    """LOG_LEVEL=DEBUG: a failure shows its traceback as well."""
    level = settings.log_level if settings else os.environ.get("LOG_LEVEL", "")
    return level.upper() == "DEBUG"


def load_all(*, live: bool = True, **overrides: object) -> tuple[Settings | None, list[str]]:
    """Settings, and every problem with them (`live`: the database and Slack asked too). A
    setting that does not even parse is taken at its default for the other checks, so one
    start reports all wrong settings at once."""
    try:
        settings, problems = load_settings(**overrides), []
    except ConfigError as exc:
        problems = exc.problems
        if not all(exc.fields):
            return None, problems
        defaults = {name: Settings.model_fields[name].default for name in exc.fields}
        try:
            settings = load_settings(**{**overrides, **defaults})
        except ConfigError:
            return None, problems
    if not live:
        return settings, problems + setting_problems(settings) + file_problems(settings)
    return settings, problems + preflight(settings, sleep=time.sleep)


def checked_settings(refuse: Callable[[list[str]], Exception], **overrides: object) -> Settings:
    """The settings if `reviewbot run` may start with them; otherwise `refuse(problems)`."""
    try:
        settings, problems = load_all(live=True, **overrides)
    except Exception as exc:
        if debugging():
            raise
        raise refuse([f"the start-up checks failed: {exc}"]) from None
    if problems or settings is None:
        raise refuse(problems)
    return settings
