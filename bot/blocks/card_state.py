"""The part of the review card that follows the review's state: the draft or the decision
below the divider, and the buttons to act on it."""

from collections.abc import Callable
from datetime import tzinfo

from slack_sdk.models.blocks import Block, ButtonElement, LinkButtonElement, SectionBlock

from bot.blocks import ids
from bot.blocks.card_view import CardDecision, CardFinding, CardView
from bot.blocks.draft_vote import vote_blocks
from bot.blocks.format import local_time
from bot.blocks.labels import decline_reason_label, language_label, source_label
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

# A reply longer than this many sections is not something anyone approves from a card.
MAX_REPLY_SECTIONS = 4
TRANSLATION_LIMIT = 2000
ERROR_LIMIT = 1000
FINDINGS_SHOWN = 10


def findings_text(findings: tuple[CardFinding, ...]) -> str:
    lines = [
        f"• {shorten_escaped(f.message, 240)[0]} `{shorten_escaped(f.code, 40)[0]}`"
        for f in findings[:FINDINGS_SHOWN]
    ]
    if len(findings) > FINDINGS_SHOWN:
        lines.append(f"• …and {len(findings) - FINDINGS_SHOWN} more")
    return ":warning: *Checks on this draft:*\n" + "\n".join(lines)


def _button(text: str, action_id: str, view: CardView, style: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=text,
        action_id=action_id,
        value=ids.encode_ref(view.review_id, view.card_version),
        style=style,
    )


def _reply_sections(text: str) -> list[SectionBlock]:
    chunks = review_text_chunks(text)
    sections = [section(quote_mrkdwn(chunk)) for chunk in chunks[:MAX_REPLY_SECTIONS]]
    if len(chunks) > MAX_REPLY_SECTIONS:
        sections.append(
            section(f"_{ELLIPSIS} {len(text):,} characters in all; only the start is shown._")
        )
    return sections or [section("> ")]


NEEDS_MODEL = "needs a language model (`OPENAI_API_KEY`)"
TEMPLATE_NOTE = (
    f":information_source: A reply written for this very review {NEEDS_MODEL}; until then, "
    "use *Edit* to add a sentence about what happened. *Regenerate* gives another of the "
    "template's wordings but cannot follow an instruction."
)


_DRAFT_ORIGINS = {
    "llm": "written by the model",
    "template": "from a template",
    "human": "edited by a person",
}


def _draft_blocks(view: CardView) -> list[Block]:
    draft = view.draft
    if draft is None:
        return [section("_No draft yet._")]
    origin = _DRAFT_ORIGINS.get(draft.kind, "from a template")
    blocks: list[Block] = [section(f"*Draft reply* · version {draft.version} · {origin}")]
    if draft.kind == "template":
        blocks.append(context(TEMPLATE_NOTE))
    if view.draft_outdated:
        blocks.append(
            section(
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
            section(labelled_quote(f"*The draft in {team}:*", draft.translation, TRANSLATION_LIMIT))
        )
    if draft.findings:
        blocks.append(section(findings_text(draft.findings)))
    return blocks


def _drafting_blocks(view: CardView, tz: tzinfo) -> list[Block]:
    words = "Writing a new draft" if view.draft else "Writing a draft"
    since = f" since {local_time(view.waiting_since, tz)}" if view.waiting_since else ""
    fills = "from the template" if view.without_model else "when the AI service answers"
    return [
        section(
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
    return [section(":+1: *Positive review*: it counts in the KPIs; no reply is needed.")]


def _draft_failed_blocks(view: CardView, tz: tzinfo) -> list[Block]:
    reason = shorten_escaped(view.draft_error or "unknown error", ERROR_LIMIT)[0]
    return [
        section(
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
        section(line),
        section(label),
        *_reply_sections(final_text),
        section(_publish_status(view)),
    ]


def _declined_blocks(view: CardView, tz: tzinfo) -> list[Block]:
    decision = _decision(view)
    line = (
        f":no_entry_sign: *Declined* by {mention(decision.actor)} · {local_time(decision.at, tz)}"
    )
    if decision.reason:
        line += f"\nReason: {decline_reason_label(decision.reason)}"
    return [section(line)]


STATE_BLOCKS: dict[str, Callable[[CardView, tzinfo], list[Block]]] = {
    "drafting": _drafting_blocks,
    "pending": _pending_blocks,
    "draft_failed": _draft_failed_blocks,
    "approved": _approved_blocks,
    "declined": _declined_blocks,
    "positive": _positive_blocks,
}


def _then_decline_or_assign(view: CardView, *first: ButtonElement) -> list[ButtonElement]:
    """`first`, then the buttons every undecided review has."""
    return [
        *first,
        _button("Decline", ids.ACTION_DECLINE, view),
        _button("Assign", ids.ACTION_ASSIGN, view),
    ]


def actions(view: CardView) -> list[ButtonElement]:
    if view.erased and view.state in ("pending", "draft_failed"):
        # Nothing is left to answer; declining takes the review off the queue.
        return _then_decline_or_assign(view)
    if view.state == "pending" and view.draft_outdated:
        return _then_decline_or_assign(
            view,
            _button("Regenerate", ids.ACTION_REGENERATE, view, style="primary"),
            _button("Edit", ids.ACTION_EDIT, view),
        )
    if view.state == "pending":
        return _then_decline_or_assign(
            view,
            _button("Approve", ids.ACTION_APPROVE, view, style="primary"),
            _button("Edit", ids.ACTION_EDIT, view),
            _button("Regenerate", ids.ACTION_REGENERATE, view),
        )
    if view.state == "draft_failed":
        return _then_decline_or_assign(
            view,
            _button("Try again", ids.ACTION_RETRY_DRAFT, view, style="primary"),
            _button("Write by hand", ids.ACTION_EDIT, view),
        )
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
