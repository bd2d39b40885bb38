"""Messages the scheduler posts: nudges, SLA escalations, pattern alerts. Pure: data in,
message dict (`text` and `blocks`) out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from slack_sdk.models.blocks import SectionBlock

from bot.blocks.format import duration_words, local_time, stars
from bot.blocks.labels import source_label
from bot.blocks.mrkdwn import escape_mrkdwn, is_user_id, mrkdwn_text, safe_url, shorten_escaped

# A channel message naming more people than this is a broadcast, not a nudge.
MENTIONS_SHOWN = 20
PATTERN_LINKS_SHOWN = 10
ESCALATIONS_SHOWN = 15  # reviews listed in one escalation; the rest are counted


def mention_any(slack_id: str) -> str:
    """A live mention for a user (U…, W…) or a user group (S…); anything else escaped."""
    if is_user_id(slack_id):
        return f"<@{slack_id}>"
    if slack_id.startswith("S") and slack_id[1:].isalnum() and slack_id.isupper():
        return f"<!subteam^{slack_id}>"
    return shorten_escaped(slack_id, 80)[0]


def _mentions(ids: tuple[str, ...]) -> str:
    return " ".join(mention_any(i) for i in ids[:MENTIONS_SHOWN])


def _message(text: str, fallback: str) -> dict:
    return {"text": fallback, "blocks": [SectionBlock(text=mrkdwn_text(text)).to_dict()]}


def _link(url: str | None, label: str) -> str | None:
    url = safe_url(url)
    return f"<{escape_mrkdwn(url)}|{label}>" if url else None


def build_nudge(*, waiting: timedelta, people: tuple[str, ...], at: datetime, tz: tzinfo) -> dict:
    """A reminder in the card's thread, addressed to its owner or the approvers."""
    line = (
        f":bell: Reminder: this review has been waiting {duration_words(waiting)} for a reply."
        f" _{local_time(at, tz)}_"
    )
    if people:
        line += "\n" + _mentions(people)
    return _message(line, line.split("\n")[0])


@dataclass(frozen=True)
class LateReview:
    rating: int | None
    source: str
    author: str | None
    written_at: datetime
    card_url: str | None
    brand: str | None = None  # its brand's name, in a channel several brands' cards go to
    sla: timedelta | None = None  # its own, when the reviews listed have different ones


def build_escalation(
    *, reviews: list[LateReview], sla: timedelta | None, contacts: tuple[str, ...], tz: tzinfo
) -> dict:
    """The one channel message for the reviews whose reply deadline passed in one sweep;
    `sla` None: each review has its own, given on its line."""
    count = len(reviews)
    within = duration_words(sla) if sla is not None else "their SLA"
    head = (
        f":rotating_light: *Reply deadline passed:* "
        f"{'a review has' if count == 1 else f'{count} reviews have'} had no reply within "
        f"{within}."
    )
    lines = [head]
    for late in reviews[:ESCALATIONS_SHOWN]:
        who = shorten_escaped(late.author, 120)[0] if late.author else "a customer"
        brand = f" for {shorten_escaped(late.brand, 80)[0]}" if late.brand else ""
        line = (
            f"• {stars(late.rating)} {source_label(late.source)} review{brand} from {who}, "
            f"written {local_time(late.written_at, tz)}"
        )
        if late.sla is not None:
            line += f" (SLA {duration_words(late.sla)})"
        link = _link(late.card_url, "Open the card")
        lines.append(f"{line} · {link}" if link else line)
    if count > ESCALATIONS_SHOWN:
        lines.append(f"_…and {count - ESCALATIONS_SHOWN} more_")
    if contacts:
        lines.append(_mentions(contacts))
    return _message("\n".join(lines), head)


def build_pattern_alert(
    *, theme_label: str, count: int, days: int, card_urls: list[str], brand: str | None = None
) -> dict:
    """One theme keeps coming back in negative reviews (of one `brand`, named when given):
    say which, how often, and where."""
    theme = escape_mrkdwn(theme_label)
    of_brand = f" of {shorten_escaped(brand, 80)[0]}" if brand else ""
    head = (
        f":chart_with_upwards_trend: *Pattern:* {count} negative reviews{of_brand} about "
        f"*{theme}* in the last {days} days."
    )
    links = [
        link
        for n, url in enumerate(card_urls[:PATTERN_LINKS_SHOWN], start=1)
        if (link := _link(url, f"review {n}"))
    ]
    text = head
    if links:
        text += "\n" + " · ".join(links)
    if len(card_urls) > PATTERN_LINKS_SHOWN:
        text += f"\n_…and {len(card_urls) - PATTERN_LINKS_SHOWN} more_"
    return _message(text, head)
