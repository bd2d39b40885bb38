"""The review card: one Slack message per review, rebuilt from a `CardView` whenever the
review's state changes, plus the short messages that go in the card's thread."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Literal

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    LinkButtonElement,
    MarkdownTextObject,
    SectionBlock,
)

from bot.blocks import ids
from bot.blocks.draft_vote import vote_blocks
from bot.blocks.text import (
    ELLIPSIS,
    escape_mrkdwn,
    mention,
    quote_mrkdwn,
    review_text_chunks,
    shorten_escaped,
)
from bot.triage.themes import THEME_LABELS


@dataclass(frozen=True)
class CardFinding:
    code: str
    message: str


@dataclass(frozen=True)
class CardDraft:
    version: int
    text: str
    translation: str | None
    kind: Literal["llm", "template", "human"]
    findings: tuple[CardFinding, ...] = ()
    draft_id: int | None = None  # what a 👍 / 👎 on it is stored against


@dataclass(frozen=True)
class CardDecision:
    action: Literal["approved", "declined"]
    actor: str  # Slack user id
    at: datetime
    final_text: str | None = None
    edited: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class CardView:
    review_id: int
    card_version: int
    source: str
    rating: int | None
    title: str | None
    text: str
    author: str | None
    location: str | None
    url: str | None
    created_at: datetime | None
    language: str
    language_assumed: bool
    review_translation: str | None
    team_language: str
    themes: tuple[str, ...]
    priority: Literal["normal", "urgent"]
    urgent_reason: str | None
    lead_contacts: tuple[str, ...]
    state: Literal["drafting", "pending", "draft_failed", "approved", "declined", "positive"]
    draft: CardDraft | None
    draft_error: str | None
    assignee: str | None
    decision: CardDecision | None
    publish_state: Literal["none", "publishing", "published", "failed", "manual", "posted"] = "none"
    publish_error: str | None = None
    rating_change: tuple[int, int] | None = None
    changed_after_reply: bool = False
    sla_breached: bool = False
    waiting_since: datetime | None = None  # when the first draft was asked for
    # What the customer changed since the draft was written ("2★ → 4★"); None: the draft
    # answers the review as it stands.
    draft_outdated: str | None = None
    erased: bool = False  # the customer's personal data was erased: nothing to answer
    # The app drafts from templates: no model translates, reads for urgency or follows an
    # instruction, and the card says so rather than leave a gap or a promise.
    without_model: bool = False


DECLINE_REASONS: dict[str, str] = {
    "not_worth_reply": "Not worth a reply",
    "spam_or_fake": "Spam or fake",
    "handled_elsewhere": "Handled elsewhere",
    "other": "Other",
}

LANGUAGE_NAMES: dict[str, str] = {
    "sv": "Swedish",
    "nb": "Norwegian Bokmål",
    "nn": "Norwegian Nynorsk",
    "no": "Norwegian",
    "fi": "Finnish",
    "zh-Hant": "Chinese, Traditional script",
    "zh-Hans": "Chinese, Simplified script",
    "zh": "Chinese",
    "da": "Danish",
    "en": "English",
    "de": "German",
}

SOURCE_NAMES: dict[str, str] = {
    "google": "Google",
    "trustpilot": "Trustpilot",
    "app_store": "App Store",
    "google_play": "Google Play",
    "webshop": "Web shop",
}

# The card keeps room under Slack's 3,000-character section limit for the note that the
# review continues in the thread; thread chunks use the fuller default.
REVIEW_ON_CARD_LIMIT = 2600
# A reply longer than this many sections is not something anyone approves from a card.
MAX_REPLY_SECTIONS = 4
TRANSLATION_LIMIT = 2000
ERROR_LIMIT = 1000
FINDINGS_SHOWN = 10
THEMES_SHOWN = 10


def language_label(code: str) -> str:
    """The language's name and code, e.g. "Norwegian Nynorsk (nn)", escaped for mrkdwn."""
    name = LANGUAGE_NAMES.get(code)
    return escape_mrkdwn(f"{name} ({code})") if name else shorten_escaped(code, 40)[0]


def decline_reason_label(reason: str) -> str:
    """The words for a decline reason code; an unknown reason is shown as written, escaped."""
    return DECLINE_REASONS.get(reason) or shorten_escaped(reason, ERROR_LIMIT)[0]


def source_label(source: str) -> str:
    return SOURCE_NAMES.get(source) or shorten_escaped(source, 60)[0]


def rating_words(rating: int | None) -> str:
    return f"{rating}★" if rating is not None else "no rating"


def change_summary(old_rating: int | None, new_rating: int | None, *, text_changed: bool) -> str:
    """What a customer changed, in a few words: "2★ → 4★", "new text", or both."""
    parts = []
    if old_rating != new_rating:
        parts.append(f"{rating_words(old_rating)} → {rating_words(new_rating)}")
    if text_changed or not parts:
        parts.append("new text")
    return ", ".join(parts)


def stars(rating: int | None) -> str:
    if rating is None:
        return "No star rating"
    filled = max(0, min(rating, 5))
    return "★" * filled + "☆" * (5 - filled) + f" {rating}/5"


def review_heading(view: CardView) -> str:
    """One mrkdwn line naming the review: stars, source, customer, location."""
    parts = [stars(view.rating), f"*{source_label(view.source)}*"]
    if view.author:
        parts.append(shorten_escaped(view.author, 120)[0])
    if view.location:
        parts.append(shorten_escaped(view.location, 120)[0])
    return " · ".join(parts)


def findings_text(findings: tuple[CardFinding, ...]) -> str:
    lines = [
        f"• {shorten_escaped(f.message, 240)[0]} `{shorten_escaped(f.code, 40)[0]}`"
        for f in findings[:FINDINGS_SHOWN]
    ]
    if len(findings) > FINDINGS_SHOWN:
        lines.append(f"• …and {len(findings) - FINDINGS_SHOWN} more")
    return ":warning: *Checks on this draft:*\n" + "\n".join(lines)


def quoted_excerpt(text: str, limit: int) -> str:
    """`text` escaped and quoted in at most about `limit` characters, saying so when shortened."""
    chunks = review_text_chunks(text, limit)
    shown = quote_mrkdwn(chunks[0]) if chunks else "> "
    if len(chunks) > 1:
        shown += f"\n_{ELLIPSIS} shortened: {len(text):,} characters in all_"
    return shown


def labelled_quote(label: str, text: str, limit: int) -> str:
    """`label` (trusted mrkdwn) above `text`, quoted and shortened to `limit`."""
    return f"{label}\n{quoted_excerpt(text, limit)}"


def safe_url(url: str | None) -> str | None:
    """The URL if it is a plain http(s) address that cannot break out of a `<url|label>`."""
    if url and len(url) <= 2000 and url.startswith(("https://", "http://")):
        if not any(ch.isspace() or ch in "<>|" for ch in url):
            return url
    return None


def local_time(at: datetime, tz: tzinfo) -> str:
    # SQLite hands back naive datetimes; the database stores UTC.
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def mrkdwn_text(text: str) -> MarkdownTextObject:
    # verbatim stops Slack from turning bare URLs, #channels and @here in the text into links
    # and mentions; everything we want linked is written as <…> ourselves.
    return MarkdownTextObject(text=text, verbatim=True)


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=mrkdwn_text(text))


def _context(*texts: str) -> ContextBlock:
    return ContextBlock(elements=[mrkdwn_text(t) for t in texts])


def _button(text: str, action_id: str, view: CardView, style: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=text,
        action_id=action_id,
        value=ids.encode_ref(view.review_id, view.card_version),
        style=style,
    )


def review_body(view: CardView) -> str:
    """The title and the text, as one untrusted string."""
    return f"{view.title}\n\n{view.text}" if view.title else view.text


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
    return _section(text)


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


def _review_section(view: CardView) -> SectionBlock:
    body = review_body(view)
    chunks = review_text_chunks(body, REVIEW_ON_CARD_LIMIT)
    if not chunks:
        return _section("_No text: the customer left only a rating._")
    text = quote_mrkdwn(chunks[0])
    if len(chunks) > 1:
        text += f"\n_{ELLIPSIS} continued in the thread ({len(body):,} characters in all)_"
    return _section(text)


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
        parts.append(f"Owner: {mention(view.assignee)}")
    return _context(*parts)


def _reply_sections(text: str) -> list[SectionBlock]:
    chunks = review_text_chunks(text)
    sections = [_section(quote_mrkdwn(chunk)) for chunk in chunks[:MAX_REPLY_SECTIONS]]
    if len(chunks) > MAX_REPLY_SECTIONS:
        sections.append(
            _section(f"_{ELLIPSIS} {len(text):,} characters in all; only the start is shown._")
        )
    return sections or [_section("> ")]


NEEDS_MODEL = "needs a language model (`OPENAI_API_KEY`)"
TEMPLATE_NOTE = (
    f":information_source: A reply written for this very review {NEEDS_MODEL}; until then, "
    "use *Edit* to add a sentence about what happened. *Regenerate* gives another of the "
    "template's wordings but cannot follow an instruction."
)


def _translation_missing(view: CardView) -> ContextBlock | None:
    """Where the translation would be, when no model can write one."""
    if not view.without_model or view.review_translation or view.language == view.team_language:
        return None
    team = language_label(view.team_language)
    return _context(f":globe_with_meridians: _Translation into {team} {NEEDS_MODEL}._")


_DRAFT_ORIGINS = {
    "llm": "written by the model",
    "template": "from a template",
    "human": "edited by a person",
}


def _draft_blocks(view: CardView) -> list[Block]:
    draft = view.draft
    if draft is None:
        return [_section("_No draft yet._")]
    origin = _DRAFT_ORIGINS.get(draft.kind, "from a template")
    blocks: list[Block] = [_section(f"*Draft reply* · version {draft.version} · {origin}")]
    if draft.kind == "template":
        blocks.append(_context(TEMPLATE_NOTE))
    if view.draft_outdated:
        blocks.append(
            _section(
                f":warning: *This draft is older than the review's last change* "
                f"({escape_mrkdwn(view.draft_outdated)}): it answers what the customer wrote "
                "before. Use *Regenerate* for a draft that answers the new text, or *Edit* to "
                "write one."
            )
        )
    blocks.extend(_reply_sections(draft.text))
    if draft.translation:
        team = language_label(view.team_language)
        blocks.append(
            _section(
                labelled_quote(f"*The draft in {team}:*", draft.translation, TRANSLATION_LIMIT)
            )
        )
    if draft.findings:
        blocks.append(_section(findings_text(draft.findings)))
    return blocks


def _drafting_blocks(view: CardView, tz: tzinfo) -> list[Block]:
    words = "Writing a new draft" if view.draft else "Writing a draft"
    since = f" since {local_time(view.waiting_since, tz)}" if view.waiting_since else ""
    fills = "from the template" if view.without_model else "when the AI service answers"
    return [
        _section(
            f":hourglass_flowing_sand: _{words}{ELLIPSIS}_ (waiting{since}; "
            f"this card fills in {fills})"
        )
    ]


def _pending_blocks(view: CardView, tz: tzinfo) -> list[Block]:
    draft = view.draft
    # An erased review's draft is nobody's to judge any more.
    votes = (
        vote_blocks(view.review_id, draft.draft_id, draft.kind) if draft and not view.erased else []
    )
    return [*_draft_blocks(view), *votes]


def _positive_blocks(view: CardView, tz: tzinfo) -> list[Block]:
    return [_section(":+1: *Positive review*: it counts in the KPIs; no reply is needed.")]


def _draft_failed_blocks(view: CardView, tz: tzinfo) -> list[Block]:
    reason = shorten_escaped(view.draft_error or "unknown error", ERROR_LIMIT)[0]
    return [
        _section(
            f":warning: *The draft could not be written:* {reason}\n"
            "Try again, or write the reply by hand."
        )
    ]


def _decision(view: CardView) -> CardDecision:
    if view.decision is None:
        raise ValueError(f"review {view.review_id} is {view.state} but has no decision")
    return view.decision


def _publish_status(view: CardView) -> str:
    source = source_label(view.source)
    match view.publish_state:
        case "none":
            return f":hourglass: Waiting to be published on {source}."
        case "publishing":
            return f":hourglass_flowing_sand: Publishing on {source}{ELLIPSIS}"
        case "published":
            return f":mega: Published on {source}."
        case "failed":
            error = shorten_escaped(view.publish_error or "no reason given", ERROR_LIMIT)[0]
            return f":x: *Publishing on {source} failed:* {error}"
        case "manual":
            return (
                f":clipboard: {source} can't be answered from here: copy the reply, post it on "
                "the review page, then click *Mark as posted*."
            )
        case "posted":
            return f":white_check_mark: Posted on {source} by hand."


def _approved_blocks(view: CardView, tz: tzinfo) -> list[Block]:
    decision = _decision(view)
    when = local_time(decision.at, tz)
    line = f":white_check_mark: *Approved* by {mention(decision.actor)} · {when}"
    if decision.edited:
        line += " · edited before approval"
    final_text = decision.final_text or (view.draft.text if view.draft else "")
    label = "*Copy this reply:*" if view.publish_state == "manual" else "*Reply:*"
    return [
        _section(line),
        _section(label),
        *_reply_sections(final_text),
        _section(_publish_status(view)),
    ]


def _declined_blocks(view: CardView, tz: tzinfo) -> list[Block]:
    decision = _decision(view)
    line = (
        f":no_entry_sign: *Declined* by {mention(decision.actor)} · {local_time(decision.at, tz)}"
    )
    if decision.reason:
        line += f"\nReason: {decline_reason_label(decision.reason)}"
    return [_section(line)]


_STATE_BLOCKS: dict[str, Callable[[CardView, tzinfo], list[Block]]] = {
    "drafting": _drafting_blocks,
    "pending": _pending_blocks,
    "draft_failed": _draft_failed_blocks,
    "approved": _approved_blocks,
    "declined": _declined_blocks,
    "positive": _positive_blocks,
}


def _actions(view: CardView) -> list[ButtonElement]:
    if view.erased and view.state in ("pending", "draft_failed"):
        # Nothing is left to answer; declining takes the review off the queue.
        return [
            _button("Decline", ids.ACTION_DECLINE, view),
            _button("Assign", ids.ACTION_ASSIGN, view),
        ]
    if view.state == "pending" and view.draft_outdated:
        return [
            _button("Regenerate", ids.ACTION_REGENERATE, view, style="primary"),
            _button("Edit", ids.ACTION_EDIT, view),
            _button("Decline", ids.ACTION_DECLINE, view),
            _button("Assign", ids.ACTION_ASSIGN, view),
        ]
    if view.state == "pending":
        return [
            _button("Approve", ids.ACTION_APPROVE, view, style="primary"),
            _button("Edit", ids.ACTION_EDIT, view),
            _button("Regenerate", ids.ACTION_REGENERATE, view),
            _button("Decline", ids.ACTION_DECLINE, view),
            _button("Assign", ids.ACTION_ASSIGN, view),
        ]
    if view.state == "draft_failed":
        return [
            _button("Try again", ids.ACTION_RETRY_DRAFT, view, style="primary"),
            _button("Write by hand", ids.ACTION_EDIT, view),
            _button("Decline", ids.ACTION_DECLINE, view),
            _button("Assign", ids.ACTION_ASSIGN, view),
        ]
    if view.state == "approved" and view.publish_state == "failed" and not view.erased:
        return [_button("Retry", ids.ACTION_RETRY_PUBLISH, view, style="primary")]
    if view.state == "approved" and view.publish_state == "manual":
        buttons: list[ButtonElement] = []
        url = safe_url(view.url)
        if url:
            buttons.append(
                LinkButtonElement(text="Open review", url=url, action_id=ids.ACTION_OPEN_REVIEW)
            )
        buttons.append(_button("Mark as posted", ids.ACTION_MARK_POSTED, view, style="primary"))
        return buttons
    return []


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
        blocks.append(_context(*markers))
    blocks.append(_context(_meta_line(view, tz)))
    blocks.append(_review_section(view))
    blocks.append(_triage_context(view))
    if missing := _translation_missing(view):
        blocks.append(missing)
    if view.review_translation:
        team = language_label(view.team_language)
        blocks.append(
            _section(labelled_quote(f"*In {team}:*", view.review_translation, TRANSLATION_LIMIT))
        )
    blocks.append(DividerBlock())
    blocks.extend(_STATE_BLOCKS[view.state](view, tz))
    actions = _actions(view)
    if actions:
        blocks.append(ActionsBlock(block_id="review_actions", elements=actions))
    blocks.append(_context(f"Review {view.review_id} · card version {view.card_version}"))
    return {"text": _fallback_text(view), "blocks": [block.to_dict() for block in blocks]}


def build_review_text_messages(view: CardView) -> list[dict]:
    """Thread messages holding the whole review text when the card shows only its start;
    an empty list when the card shows all of it. Post them in order."""
    body = review_body(view)
    if len(review_text_chunks(body, REVIEW_ON_CARD_LIMIT)) <= 1:
        return []
    chunks = review_text_chunks(body)
    return [
        {
            "text": f"Review text, part {n} of {len(chunks)}",
            "blocks": [
                _context(f":page_facing_up: Review text, part {n} of {len(chunks)}").to_dict(),
                _section(quote_mrkdwn(chunk)).to_dict(),
            ],
        }
        for n, chunk in enumerate(chunks, start=1)
    ]


# Thread history: what happened, in one line; `{actor}` is the Slack user who did it.
_HISTORY_LINES: dict[str, str] = {
    "edited": ":pencil2: {actor} edited the draft.",
    "regenerated": ":arrows_counterclockwise: {actor} asked for a new draft.",
    "assigned": ":bust_in_silhouette: {actor} made {assignee} the owner of this review.",
    "approved": ":white_check_mark: {actor} approved the reply.",
    "declined": ":no_entry_sign: {actor} declined the review.",
    "refused": ":no_entry: {actor} tried to decide on this review but is not an approver.",
    "posted": ":white_check_mark: {actor} marked the reply as posted.",
    "nudged": ":bell: Reminder: this review is still waiting for a reply.",
    "escalated": ":rotating_light: The reply deadline has passed.",
    "draft_failed": ":warning: The draft could not be written.",
    "published": ":mega: The reply was published.",
    "publish_failed": ":x: Publishing the reply failed.",
    "rating_changed": ":star: The customer changed the rating.",
    "review_changed": ":pencil: The customer changed the review.",
}
HISTORY_KINDS = frozenset(_HISTORY_LINES)
HISTORY_DETAIL_LIMIT = 1500


def build_history_message(
    kind: str, actor: str | None, detail: str | None, *, at: datetime, tz: tzinfo
) -> dict:
    """A short thread message recording one event on a review.

    `actor` is a Slack user id (None for the app's own doings). `detail` is free text shown
    quoted under the line (the regenerate instruction, the decline reason, an error), except
    for "assigned", where it is the new owner's user id.
    """
    template = _HISTORY_LINES.get(kind)
    if template is None:
        raise ValueError(f"unknown history kind {kind!r}; expected one of {sorted(HISTORY_KINDS)}")
    who = mention(actor) if actor else "reviewbot"
    if kind == "assigned":
        line = template.format(actor=who, assignee=mention(detail) if detail else "nobody")
        detail = None
    else:
        line = template.format(actor=who)
    line += f" _{local_time(at, tz)}_"
    text = line
    if detail:
        text += "\n" + quoted_excerpt(detail, HISTORY_DETAIL_LIMIT)
    return {"text": line, "blocks": [_section(text).to_dict()]}
