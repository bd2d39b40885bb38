"""The help answer of the slash command (SLASH_COMMAND, /reviews unless renamed)."""

from __future__ import annotations

from collections.abc import Collection

from bot.blocks.mrkdwn import escape_mrkdwn

DEFAULT_COMMAND = "/reviews"


def help_lines(command: str = DEFAULT_COMMAND, brands: Collection[str] = ()) -> tuple[str, ...]:
    """`brands`: the deployment's brand ids, which `brand:` takes (none: no `brand:`)."""
    brand = "[brand:x] " if brands else ""
    lines: tuple[str, ...] = (
        f"`{command} kpi [7d|30d|90d|week|last-week|month|last-month|YYYY-MM-DD..YYYY-MM-DD]"
        f" {brand}[source:x] [lang:x] [location:x]` — the KPIs for a period, against the period"
        ' before (quote a value with spaces: `location:"Oslo sentrum"`)',
        f"`{command} pending {brand}[source:x] [lang:x] [location:x]` — reviews waiting for a"
        " decision, oldest first",
        f"`{command} digest` — this week's digest, just for you",
        f"`{command} help` — this help",
    )
    if brands:
        lines += (f"Brands: {', '.join(f'`{b}`' for b in brands)}",)
    return lines


def build_help(
    problem: str | None = None,
    *,
    command: str = DEFAULT_COMMAND,
    brands: Collection[str] = (),
    with_help: bool = True,
) -> dict:
    """`problem` is shown escaped above the help (it may quote what the user typed), or
    alone without `with_help`; `command` is the slash command as the app is configured to
    answer it; `brands` the ids `brand:` takes."""
    blocks: list[dict] = []
    if problem:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f":warning: {escape_mrkdwn(problem)}"},
            }
        )
    if problem and not with_help:
        return {"text": f":warning: {escape_mrkdwn(problem)}", "blocks": blocks}
    blocks.append(
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*How to use {command}*\n" + "\n".join(help_lines(command, brands)),
            },
        }
    )
    fallback = (f"{escape_mrkdwn(problem)} " if problem else "") + f"Try {command} help"
    return {"text": fallback, "blocks": blocks}
