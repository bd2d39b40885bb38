"""The /reviews help answer."""

from __future__ import annotations

from bot.blocks.text import escape_mrkdwn

HELP_LINES = (
    "`/reviews kpi [7d|30d|90d|week|last-week|month|last-month|YYYY-MM-DD..YYYY-MM-DD]"
    " [source:x] [lang:x] [location:x]` — the KPIs for a period, against the period before"
    ' (quote a value with spaces: `location:"Oslo sentrum"`)',
    "`/reviews pending [source:x] [lang:x] [location:x]` — reviews waiting for a decision,"
    " oldest first",
    "`/reviews digest` — this week's digest, just for you",
    "`/reviews help` — this help",
)


def build_help(problem: str | None = None) -> dict:
    """`problem` is shown escaped above the help (it may quote what the user typed)."""
    blocks: list[dict] = []
    if problem:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f":warning: {escape_mrkdwn(problem)}"},
            }
        )
    blocks.append(
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*How to use /reviews*\n" + "\n".join(HELP_LINES)},
        }
    )
    fallback = (f"{escape_mrkdwn(problem)} " if problem else "") + "Try /reviews help"
    return {"text": fallback, "blocks": blocks}
