"""The weekly digest: the week's KPIs against the week before, split by language and source,
the quality of the week's drafts, the top themes with an example each, and who answered most.
Pure: data in, message out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, tzinfo

from slack_sdk.models.blocks import Block, ContextBlock, DividerBlock, HeaderBlock

from bot.blocks.as_text import blocks_as_text
from bot.blocks.draft_quality import draft_quality_blocks
from bot.blocks.format import average_rating, format_hours, share
from bot.blocks.mrkdwn import (
    code_table,
    escape_mrkdwn,
    mention,
    mrkdwn_text,
    quoted_excerpt,
    section,
    shorten_escaped,
)
from bot.vocabulary import LANGUAGE_NAMES, SOURCE_NAMES
from storage.draft_quality import DraftQualityReport
from storage.kpi import Kpis

SPLIT_ROWS = 10  # languages or sources shown; the rest are summed in one row
THEMES_SHOWN = 5
RESPONDERS_SHOWN = 5
EXAMPLE_LIMIT = 160
BRAND_NAME_LIMIT = 80


@dataclass(frozen=True)
class ThemeCount:
    label: str
    count: int
    example: str | None  # a short review text, untrusted


@dataclass(frozen=True)
class DigestData:
    first_day: date  # in the team's time zone
    last_day: date
    tz: tzinfo
    this_week: Kpis
    week_before: Kpis
    by_language: dict[str, Kpis]
    by_source: dict[str, Kpis]
    themes: list[ThemeCount]
    responders: list[tuple[str, int]]  # Slack user id, reviews decided
    quality: DraftQualityReport = field(default_factory=DraftQualityReport)  # by language
    brand_name: str | None = None  # a brand's own digest: its name, in the title
    by_brand: dict[str, Kpis] = field(default_factory=dict)  # the whole's, with brands
    brand_names: dict[str, str] = field(default_factory=dict)  # brand id → name


def _negatives(k: Kpis) -> str:
    return f"{k.negatives} ({share(k.negative_share)})" if k.triaged else str(k.negatives)


def _backlog(k: Kpis, tz: tzinfo) -> str:
    if not k.backlog or k.oldest_pending_at is None:
        return str(k.backlog)
    return f"{k.backlog} ({k.oldest_pending_at.astimezone(tz):%-d %b})"


# (label, figure) for each row of the headline table, in order.
_ROWS: list[tuple[str, Callable[[Kpis, tzinfo], str]]] = [
    ("Reviews", lambda k, _: str(k.reviews)),
    ("Negative (share)", lambda k, _: _negatives(k)),
    ("Average rating", lambda k, _: average_rating(k.average_rating)),
    ("Median time to reply", lambda k, _: format_hours(k.median_reply_hours)),
    ("90th pct time to reply", lambda k, _: format_hours(k.p90_reply_hours)),
    ("Replied within SLA", lambda k, _: share(k.sla_compliance)),
    ("AI drafts sent unedited", lambda k, _: share(k.ai_unedited_share)),
    ("Declined", lambda k, _: str(k.declined)),
    ("Backlog (oldest written)", _backlog),
    ("Turned around", lambda k, _: str(k.turned_around)),
]


def _headline(data: DigestData) -> str:
    rows = [
        [label, figure(data.this_week, data.tz), figure(data.week_before, data.tz)]
        for label, figure in _ROWS
    ]
    return code_table(["", "This week", "Week before"], rows)


def _name(key: str, names: dict[str, str]) -> str:
    return escape_mrkdwn(names.get(key, "")) or shorten_escaped(key, 24)[0]


def _split(title: str, split: dict[str, Kpis], names: dict[str, str]) -> str:
    ranked = sorted(split.items(), key=lambda item: (-item[1].reviews, item[0]))
    rows = [
        [
            _name(key, names),
            str(k.reviews),
            _negatives(k),
            average_rating(k.average_rating),
            format_hours(k.median_reply_hours),
            share(k.sla_compliance),
        ]
        for key, k in ranked[:SPLIT_ROWS]
    ]
    rest = ranked[SPLIT_ROWS:]
    if rest:
        rows.append([f"{len(rest)} more", str(sum(k.reviews for _, k in rest)), "", "", "", ""])
    header = [title, "Reviews", "Negative", "Rating", "Median", "SLA"]
    return code_table(header, rows) if rows else f"*{title}:* no reviews"


def _by_brand(split: dict[str, Kpis], names: dict[str, str]) -> str:
    """Every brand's row, in the order of the split (by id, no brand last)."""
    rows = [
        [
            _name(key, names),
            str(k.reviews),
            _negatives(k),
            str(k.approved),
            format_hours(k.median_reply_hours),
        ]
        for key, k in split.items()
    ]
    header = ["Brand", "Reviews", "Negative", "Replied", "Median"]
    return code_table(header, rows) if rows else "*Brand:* no reviews"


def _themes(themes: list[ThemeCount]) -> str:
    if not themes:
        return "*Top themes:* no negative reviews this week."
    lines = ["*Top themes in negative reviews*"]
    for theme in themes[:THEMES_SHOWN]:
        lines.append(f"• *{escape_mrkdwn(theme.label)}*: {theme.count}")
        if theme.example:
            lines.append(quoted_excerpt(theme.example, EXAMPLE_LIMIT))
    return "\n".join(lines)


def _responders(responders: list[tuple[str, int]]) -> str:
    if not responders:
        return "*Who answered:* nobody decided on a review this week."
    shown = " · ".join(f"{mention(user)} {count}" for user, count in responders[:RESPONDERS_SHOWN])
    return f"*Who answered most:* {shown}"


def _days(first: date, last: date) -> str:
    if first.year != last.year:
        return f"{first:%-d %b %Y} – {last:%-d %b %Y}"
    return f"{first:%-d %b} – {last:%-d %b %Y}"


def build_digest(data: DigestData) -> dict:
    """The digest message: `{"text": fallback, "blocks": [...]}` for chat.postMessage."""
    days = _days(data.first_day, data.last_day)
    # The header is plain text (at most 150 characters); the fallback text is mrkdwn.
    name = data.brand_name[:BRAND_NAME_LIMIT] if data.brand_name else None
    title = f"{name} · {days}" if name else days
    this = data.this_week
    fallback = (
        f"Weekly review digest, {escape_mrkdwn(title)}: {this.reviews} reviews, "
        f"{this.negatives} negative, {this.backlog} waiting for a reply."
    )
    by_brand = [section(_by_brand(data.by_brand, data.brand_names))] if data.by_brand else []
    blocks: list[Block] = [
        HeaderBlock(text=f"Weekly review digest · {title}"),
        section(_headline(data)),
        *by_brand,
        section(_split("Language", data.by_language, LANGUAGE_NAMES)),
        section(_split("Source", data.by_source, SOURCE_NAMES)),
        *draft_quality_blocks(data.quality),
        DividerBlock(),
        section(_themes(data.themes)),
        section(_responders(data.responders)),
        ContextBlock(
            elements=[
                mrkdwn_text(
                    "Times to reply run from when the customer wrote the review to the approved "
                    "reply. Backlog: waiting for a decision now (the week before: at its end). "
                    "The chart of daily reviews and ratings follows."
                )
            ]
        ),
    ]
    return {"text": fallback, "blocks": [block.to_dict() for block in blocks]}


def digest_as_text(message: dict) -> str:
    """The digest's blocks as plain text, for `reviewbot digest --preview`."""
    return blocks_as_text(message)
