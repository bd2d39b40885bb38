"""Identifiers shared by the Block Kit builders and the Slack listeners, and the codec for
the review reference every button value and modal carries."""

import re

# Buttons on the review card (action_id).
ACTION_APPROVE = "review_approve"
ACTION_EDIT = "review_edit"
ACTION_REGENERATE = "review_regenerate"
ACTION_DECLINE = "review_decline"
ACTION_ASSIGN = "review_assign"
ACTION_RETRY_DRAFT = "review_retry_draft"
ACTION_RETRY_PUBLISH = "review_retry_publish"
ACTION_MARK_POSTED = "review_mark_posted"
# A link button: Slack still sends a block_actions payload, which only needs an ack.
ACTION_OPEN_REVIEW = "review_open"
# 👍 / 👎 on the draft shown; the value names the draft (`encode_draft_ref`), not a card version.
ACTION_VOTE_UP = "draft_vote_up"
ACTION_VOTE_DOWN = "draft_vote_down"

# Modals (callback_id).
CALLBACK_EDIT = "review_edit_modal"
CALLBACK_REGENERATE = "review_regenerate_modal"
CALLBACK_DECLINE = "review_decline_modal"
CALLBACK_ASSIGN = "review_assign_modal"

# Modal inputs: block_id and action_id, as they key `view.state.values`.
BLOCK_REPLY_TEXT = "reply_text"
INPUT_REPLY_TEXT = "reply_text_input"
BLOCK_EDIT_MODE = "edit_mode"
INPUT_EDIT_MODE = "edit_mode_input"
BLOCK_INSTRUCTION = "instruction"
INPUT_INSTRUCTION = "instruction_input"
BLOCK_DECLINE_REASON = "decline_reason"
INPUT_DECLINE_REASON = "decline_reason_input"
BLOCK_DECLINE_NOTE = "decline_note"
INPUT_DECLINE_NOTE = "decline_note_input"
BLOCK_ASSIGNEE = "assignee"
INPUT_ASSIGNEE = "assignee_input"

# Values of the edit modal's radio buttons.
EDIT_MODE_APPROVE = "approve"
EDIT_MODE_SAVE = "save"

_REF = re.compile(r"([0-9]{1,18}):([0-9]{1,9})")
_DRAFT_REF = re.compile(r"([0-9]{1,18}):d([0-9]{1,18})")


def encode_ref(review_id: int, card_version: int) -> str:
    """The review and the card version a button or modal belongs to, e.g. "42:3"."""
    if review_id < 0 or card_version < 0:
        raise ValueError(f"negative review id or card version: {review_id}, {card_version}")
    return f"{review_id}:{card_version}"


def decode_ref(value: object) -> tuple[int, int]:
    """(review_id, card_version) from `encode_ref`'s output; ValueError on anything else."""
    match = _REF.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not a review reference: {value!r}")
    return int(match.group(1)), int(match.group(2))


# The responder's own signature (App Home).
ACTION_SET_SIGNATURE = "home_set_signature"
CALLBACK_SIGNATURE = "signature_modal"
BLOCK_SIGNATURE = "signature"
INPUT_SIGNATURE = "signature_text"


def encode_draft_ref(review_id: int, draft_id: int) -> str:
    """The review and the draft a vote is about, e.g. "42:d17": a vote stays valid for the
    draft it was cast on, however the card has changed since."""
    if review_id < 0 or draft_id < 0:
        raise ValueError(f"negative review or draft id: {review_id}, {draft_id}")
    return f"{review_id}:d{draft_id}"


def decode_draft_ref(value: str) -> tuple[int, int]:
    """(review_id, draft_id) from `encode_draft_ref`'s output; ValueError on anything else."""
    match = _DRAFT_REF.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not a draft reference: {value!r}")
    return int(match.group(1)), int(match.group(2))
