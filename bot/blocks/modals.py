"""The modals opened from the review card's buttons, and readers for what they submit."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.card import review_heading
from bot.blocks.card_state import findings_text
from bot.blocks.card_view import CardView, review_body
from bot.blocks.labels import language_label
from bot.blocks.mrkdwn import is_user_id, labelled_quote, mrkdwn_text, quoted_excerpt
from bot.drafting.signature import fill_signature
from bot.vocabulary import DECLINE_REASONS, LANGUAGE_NAMES, SOURCE_NAMES

# Slack refuses a plain_text_input whose initial_value or max_length exceeds this.
SLACK_INPUT_LIMIT = 3000
NOTE_LIMIT = 500
INSTRUCTION_LIMIT = 1000
REVIEW_EXCERPT_LIMIT = 1200
TRANSLATION_EXCERPT_LIMIT = 1000
DRAFT_EXCERPT_LIMIT = 1500


@dataclass(frozen=True)
class EditSubmission:
    text: str
    approve_now: bool


@dataclass(frozen=True)
class DeclineSubmission:
    reason: str  # a key of DECLINE_REASONS
    note: str | None


def _modal(
    view: CardView, *, callback_id: str, title: str, submit: str, blocks: list[Block]
) -> dict:
    return View(
        type="modal",
        callback_id=callback_id,
        title=title,
        submit=submit,
        close="Cancel",
        private_metadata=ids.encode_ref(view.review_id, view.card_version),
        blocks=blocks,
    ).to_dict()


def _review_blocks(view: CardView) -> list[Block]:
    """What the review says, short, so the modal can be used without scrolling the channel."""
    body = review_body(view)
    text = quoted_excerpt(body, REVIEW_EXCERPT_LIMIT) if body else "_No text._"
    if view.review_translation:
        team = language_label(view.team_language)
        text += "\n" + labelled_quote(
            f"*In {team}:*", view.review_translation, TRANSLATION_EXCERPT_LIMIT
        )
    return [
        ContextBlock(elements=[mrkdwn_text(review_heading(view))]),
        SectionBlock(text=mrkdwn_text(text)),
    ]


def _length_hint(view: CardView, length_limit: int | None) -> str:
    # A hint is plain_text, where mrkdwn escaping does not apply: only our own words go in.
    platform = SOURCE_NAMES.get(view.source, "The platform")
    if length_limit is None:
        return f"This box holds up to {SLACK_INPUT_LIMIT:,} characters."
    if length_limit > SLACK_INPUT_LIMIT:
        return (
            f"{platform} allows up to {length_limit:,} characters; "
            f"this box holds at most {SLACK_INPUT_LIMIT:,}."
        )
    return f"{platform} allows up to {length_limit:,} characters."


def _reply_label(view: CardView) -> str:
    language = LANGUAGE_NAMES.get(view.language)
    return f"Reply in {language}" if language else "Reply"


def build_edit_modal(view: CardView, *, signature: str, length_limit: int | None = None) -> dict:
    """Edit the draft (or write one by hand when drafting failed), then approve it at once
    or keep it as the new draft. `signature`: the editor's, filled into the draft's slot;
    `length_limit` is the platform's reply length limit."""
    draft = view.draft
    blocks: list[Block] = [*_review_blocks(view), DividerBlock()]
    if draft and draft.translation:
        team = language_label(view.team_language)
        blocks.append(
            SectionBlock(
                text=mrkdwn_text(
                    labelled_quote(
                        f"*The current draft in {team}:*", draft.translation, DRAFT_EXCERPT_LIMIT
                    )
                )
            )
        )
    if draft and draft.findings:
        blocks.append(SectionBlock(text=mrkdwn_text(findings_text(draft.findings))))
    initial = fill_signature(draft.text, signature, fallback=signature) if draft else ""
    max_length = min(length_limit or SLACK_INPUT_LIMIT, SLACK_INPUT_LIMIT)
    blocks.append(
        InputBlock(
            block_id=ids.BLOCK_REPLY_TEXT,
            label=_reply_label(view),
            hint=_length_hint(view, length_limit),
            element=PlainTextInputElement(
                action_id=ids.INPUT_REPLY_TEXT,
                multiline=True,
                initial_value=initial[:SLACK_INPUT_LIMIT] or None,
                max_length=max_length,
            ),
        )
    )
    if len(initial) > SLACK_INPUT_LIMIT:
        blocks.append(
            ContextBlock(
                elements=[
                    mrkdwn_text(
                        f":warning: The draft has {len(initial):,} characters, more than a Slack "
                        f"text box holds; only the first {SLACK_INPUT_LIMIT:,} are in the box. "
                        "Check the end before saving."
                    )
                ]
            )
        )
    approve = Option(value=ids.EDIT_MODE_APPROVE, label="Approve this reply now")
    save = Option(value=ids.EDIT_MODE_SAVE, label="Save it as the new draft")
    blocks.append(
        InputBlock(
            block_id=ids.BLOCK_EDIT_MODE,
            label="When I save",
            element=RadioButtonsElement(
                action_id=ids.INPUT_EDIT_MODE, options=[approve, save], initial_option=approve
            ),
        )
    )
    return _modal(
        view, callback_id=ids.CALLBACK_EDIT, title="Edit reply", submit="Save", blocks=blocks
    )


def build_regenerate_modal(view: CardView) -> dict:
    """Ask for a new draft, with an optional instruction for the model."""
    blocks: list[Block] = [*_review_blocks(view), DividerBlock()]
    if view.draft:
        blocks.append(
            SectionBlock(
                text=mrkdwn_text(
                    labelled_quote("*Current draft:*", view.draft.text, DRAFT_EXCERPT_LIMIT)
                )
            )
        )
    blocks.append(
        InputBlock(
            block_id=ids.BLOCK_INSTRUCTION,
            label="What should change?",
            optional=True,
            hint=(
                "No language model is configured (OPENAI_API_KEY): the new draft is another "
                "wording of the template and cannot follow an instruction."
                if view.without_model
                else "Leave empty for a fresh attempt."
            ),
            element=PlainTextInputElement(
                action_id=ids.INPUT_INSTRUCTION,
                multiline=True,
                max_length=INSTRUCTION_LIMIT,
                placeholder="e.g. shorter, more formal, offer a table for two next week",
            ),
        )
    )
    return _modal(
        view,
        callback_id=ids.CALLBACK_REGENERATE,
        title="Regenerate draft",
        submit="Write new draft",
        blocks=blocks,
    )


def build_decline_modal(view: CardView) -> dict:
    """Decline to answer the review, with a reason and an optional note."""
    options = [Option(value=code, label=label) for code, label in DECLINE_REASONS.items()]
    blocks: list[Block] = [
        *_review_blocks(view),
        DividerBlock(),
        InputBlock(
            block_id=ids.BLOCK_DECLINE_REASON,
            label="Why not reply?",
            element=RadioButtonsElement(action_id=ids.INPUT_DECLINE_REASON, options=options),
        ),
        InputBlock(
            block_id=ids.BLOCK_DECLINE_NOTE,
            label="Note",
            optional=True,
            element=PlainTextInputElement(
                action_id=ids.INPUT_DECLINE_NOTE, multiline=True, max_length=NOTE_LIMIT
            ),
        ),
    ]
    return _modal(
        view,
        callback_id=ids.CALLBACK_DECLINE,
        title="Decline review",
        submit="Decline",
        blocks=blocks,
    )


def build_assign_modal(view: CardView) -> dict:
    """Pick the team member who owns the review."""
    blocks: list[Block] = [
        *_review_blocks(view),
        InputBlock(
            block_id=ids.BLOCK_ASSIGNEE,
            label="Owner",
            element=UserSelectElement(
                action_id=ids.INPUT_ASSIGNEE,
                placeholder="Choose a person",
                initial_user=view.assignee if view.assignee and is_user_id(view.assignee) else None,
            ),
        ),
    ]
    return _modal(
        view, callback_id=ids.CALLBACK_ASSIGN, title="Assign review", submit="Assign", blocks=blocks
    )


def _input(values: Mapping[str, Any], block_id: str, action_id: str) -> Mapping[str, Any]:
    try:
        return values[block_id][action_id]
    except (KeyError, TypeError) as error:
        raise ValueError(f"the submission has no {block_id}.{action_id}") from error


def _text(values: Mapping[str, Any], block_id: str, action_id: str) -> str | None:
    value = _input(values, block_id, action_id).get("value")
    return (value.strip() or None) if isinstance(value, str) else None


def _choice(values: Mapping[str, Any], block_id: str, action_id: str) -> str | None:
    selected = _input(values, block_id, action_id).get("selected_option") or {}
    return selected.get("value")


def read_edit_submission(values: Mapping[str, Any]) -> EditSubmission:
    """What the edit modal submitted; `values` is `view["state"]["values"]`."""
    text = _text(values, ids.BLOCK_REPLY_TEXT, ids.INPUT_REPLY_TEXT)
    if text is None:
        raise ValueError("the reply is empty")
    mode = _choice(values, ids.BLOCK_EDIT_MODE, ids.INPUT_EDIT_MODE)
    return EditSubmission(text=text, approve_now=mode != ids.EDIT_MODE_SAVE)


def read_regenerate_submission(values: Mapping[str, Any]) -> str | None:
    """The instruction for the next draft, or None for a fresh attempt."""
    return _text(values, ids.BLOCK_INSTRUCTION, ids.INPUT_INSTRUCTION)


def read_decline_submission(values: Mapping[str, Any]) -> DeclineSubmission:
    reason = _choice(values, ids.BLOCK_DECLINE_REASON, ids.INPUT_DECLINE_REASON)
    if reason not in DECLINE_REASONS:
        raise ValueError(f"unknown decline reason {reason!r}")
    return DeclineSubmission(
        reason=reason, note=_text(values, ids.BLOCK_DECLINE_NOTE, ids.INPUT_DECLINE_NOTE)
    )


def read_assign_submission(values: Mapping[str, Any]) -> str:
    """The Slack user id of the new owner."""
    user = _input(values, ids.BLOCK_ASSIGNEE, ids.INPUT_ASSIGNEE).get("selected_user")
    if not user:
        raise ValueError("no owner was chosen")
    return user
