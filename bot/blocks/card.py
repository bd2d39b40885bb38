"""The review card: one Slack message per review, rebuilt from a `CardView` whenever the
review's state changes."""

from datetime import tzinfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)

from bot.blocks.alerts import mention_any
from bot.blocks.card_state import (
    ERROR_LIMIT,
    NEEDS_MODEL,
    STATE_BLOCKS,
    TRANSLATION_LIMIT,
    actions,
)
from bot.blocks.card_view import CardView, review_body
from bot.blocks.format import local_time, stars
from bot.blocks.labels import language_label, source_label
from bot.blocks.mrkdwn import (
    ELLIPSIS,
    context,
    escape_mrkdwn,
    labelled_quote,
    mention,
    quote_mrkdwn,
    review_text_chunks,
    safe_url,
    section,
    shorten_escaped,
)
from bot.triage.themes import THEME_LABELS
from bot.vocabulary import SOURCE_NAMES

# The card keeps room under Slack's 3,000-character section limit for the note that the
# review continues in the thread; thread chunks use the fuller default.
REVIEW_ON_CARD_LIMIT = 2600
THEMES_SHOWN = 10


def review_heading(view: CardView) -> str:
    """One mrkdwn line naming the review: stars, source, customer, location."""
    parts = [stars(view.rating), f"*{source_label(view.source)}*"]
    if view.author:
        parts.append(shorten_escaped(view.author, 120)[0])
    if view.location:
        parts.append(shorten_escaped(view.location, 120)[0])
    return " · ".join(parts)


def _title(view: CardView) -> str:
    name = SOURCE_NAMES.get(view.source)
    kind = f"{name} review" if name else "Review"
    return kind if view.rating is None else f"{stars(view.rating)} {kind}"


def _header(view: CardView) -> str:
    # Only our own words go in plain_text (headers, buttons, labels): mrkdwn escaping does
    # not apply there, so no customer text is put where it could show as "&lt;".
    title = _title(view)
    if view.sla_breached:
        title = ":alarm_clock: " + title
    if view.priority == "urgent":
        title = ":rotating_light: URGENT · " + title
    return title


def _urgent_section(view: CardView) -> SectionBlock:
    reason = shorten_escaped(view.urgent_reason or "flagged as urgent", ERROR_LIMIT)[0]
    text = f":rotating_light: *Urgent:* {reason}"
    if view.lead_contacts:
        text += "\n" + " ".join(mention(user) for user in view.lead_contacts[:20])
    return section(text)


def _markers(view: CardView) -> list[str]:
    markers = []
    if view.sla_breached:
        markers.append(":alarm_clock: *Reply deadline passed*")
    if view.rating_change:
        old, new = view.rating_change
        markers.append(f":star: Rating changed {old}★ → {new}★")
    if view.changed_after_reply:
        markers.append(":pencil2: The customer changed the review after our reply")
    return markers


def _meta_line(view: CardView, tz: tzinfo) -> str:
    author = shorten_escaped(view.author, 120)[0] if view.author else "Anonymous"
    parts = [f"*{author}*", source_label(view.source)]
    if view.location:
        parts.append(shorten_escaped(view.location, 120)[0])
    if view.created_at:
        parts.append(local_time(view.created_at, tz))
    url = safe_url(view.url)
    if url:
        parts.append(f"<{escape_mrkdwn(url)}|Open review>")
    return " · ".join(parts)


def routing_line(view: CardView) -> str | None:
    """ "Café Lumi · routed by rule 1: brand lumi, location Oslo *"; None for a review of no
    brand that no route sent anywhere (every card of a deployment without ROUTES_FILE)."""
    parts = [shorten_escaped(p, 256)[0] for p in (view.brand_name, view.route) if p]
    return " · ".join(parts) or None


def _review_section(view: CardView) -> SectionBlock:
    body = review_body(view)
    chunks = review_text_chunks(body, REVIEW_ON_CARD_LIMIT)
    if not chunks:
        return section("_No text: the customer left only a rating._")
    text = quote_mrkdwn(chunks[0])
    if len(chunks) > 1:
        text += f"\n_{ELLIPSIS} continued in the thread ({len(body):,} characters in all)_"
    return section(text)


def _triage_context(view: CardView) -> ContextBlock:
    language = f":globe_with_meridians: {language_label(view.language)}"
    if view.language_assumed:
        language += " · _assumed, not detected_"
    parts = [language]
    if view.themes:
        labels = (THEME_LABELS.get(t, t) for t in view.themes[:THEMES_SHOWN])
        shown = ", ".join(shorten_escaped(label, 40)[0] for label in labels)
        parts.append(f"Themes: {shown}")
    if view.priority == "urgent":
        parts.append("Priority: *urgent*")
    else:
        parts.append(
            "Priority: normal (from keywords only)" if view.without_model else "Priority: normal"
        )
    if view.assignee:
        # A route may give the card to a user group (S…): mentioned as the group it is.
        parts.append(f"Owner: {mention_any(view.assignee)}")
    return context(*parts)


def _translation_missing(view: CardView) -> ContextBlock | None:
    """Where the translation would be, when no model can write one."""
    if not view.without_model or view.review_translation or view.language == view.team_language:
        return None
    team = language_label(view.team_language)
    return context(f":globe_with_meridians: _Translation into {team} {NEEDS_MODEL}._")


def _fallback_text(view: CardView) -> str:
    author = shorten_escaped(view.author, 120)[0] if view.author else "a customer"
    # One line: a notification shows only the start anyway.
    excerpt = shorten_escaped(" ".join(review_body(view).split()), 300)[0]
    text = f"{_title(view)} from {author}: {excerpt}"
    if view.priority == "urgent":
        leads = " ".join(mention(user) for user in view.lead_contacts[:20])
        text = f":rotating_light: Urgent: {text} {leads}".rstrip()
    return text


def build_card(view: CardView, *, tz: tzinfo) -> dict:
    """The card message for `view`: `{"text": fallback, "blocks": [...]}`, for
    chat.postMessage or chat.update. `tz` is the team's time zone for the times shown."""
    blocks: list[Block] = [HeaderBlock(text=_header(view))]
    if view.priority == "urgent":
        blocks.append(_urgent_section(view))
    markers = _markers(view)
    if markers:
        blocks.append(context(*markers))
    if routed := routing_line(view):
        blocks.append(context(routed))
    blocks.append(context(_meta_line(view, tz)))
    blocks.append(_review_section(view))
    blocks.append(_triage_context(view))
    if missing := _translation_missing(view):
        blocks.append(missing)
    if view.review_translation:
        team = language_label(view.team_language)
        blocks.append(
            section(labelled_quote(f"*In {team}:*", view.review_translation, TRANSLATION_LIMIT))
        )
    blocks.append(DividerBlock())
    blocks.extend(STATE_BLOCKS[view.state](view, tz))
    buttons = actions(view)
    if buttons:
        blocks.append(ActionsBlock(block_id="review_actions", elements=buttons))
    blocks.append(context(f"Review {view.review_id} · card version {view.card_version}"))
    return {"text": _fallback_text(view), "blocks": [block.to_dict() for block in blocks]}
