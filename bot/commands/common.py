"""What every command shares: the consoles, the one-line refusal, the settings."""

from __future__ import annotations

import typer
from rich.console import Console

from bot.config import ConfigError, Settings, load_settings

console = Console()
err = Console(stderr=True, soft_wrap=True)


def refuse(problems: list[str], code: int = 2) -> typer.Exit:
    """Each problem on a line of its own, then the exit the caller raises."""
    for problem in problems:
        err.print(f"reviewbot: {problem}", markup=False, highlight=False)
    return typer.Exit(code)


def settings_or_exit(*, with_profile: bool = False, **overrides: object) -> Settings:
    """The settings; `with_profile`: the command drafts or triages, so the profile must load."""
    from bot.startup.preflight import unreadable_profile

    try:
        settings = load_settings(**overrides)
    except ConfigError as exc:
        raise refuse(exc.problems) from None
    problems = unreadable_profile(settings) if with_profile else []
    if problems:
        raise refuse(problems)
    return settings
