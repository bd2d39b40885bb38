"""The customer follow-up question in a card's thread: its buttons and what a click leaves."""

from __future__ import annotations

from datetime import datetime, tzinfo

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock

from bot.blocks.format import local_time
from bot.blocks.mrkdwn import mention, mrkdwn_text

ACTION_FOLLOWED_UP = "followup_done"
ACTION_NOT_NEEDED = "followup_not_needed"
BLOCK_FOLLOW_UP = "follow_up"

OUTCOMES: dict[str, str] = {
    ACTION_FOLLOWED_UP: "done",
    ACTION_NOT_NEEDED: "not_needed",
}
_OUTCOME_WORDS = {
    "done": ":white_check_mark: {actor} followed up with the customer.",
    "not_needed": ":heavy_minus_sign: {actor} marked the follow-up as not needed.",
}


def encode_review(review_id: int) -> str:
    return str(review_id)


def decode_review(value: str) -> int:
    """The review id a follow-up button carries; ValueError on anything else."""
    if not isinstance(value, str) or not value.isdigit() or len(value) > 18:
        raise ValueError(f"not a review id: {value!r}")
    return int(value)


def build_follow_up_question(review_id: int, *, replied_at: datetime, tz: tzinfo) -> dict:
    line = (
        f":telephone_receiver: We replied to this review on {local_time(replied_at, tz)}. "
        "Has the customer been followed up?"
    )
    value = encode_review(review_id)
    return {
        "text": line,
        "blocks": [
            SectionBlock(text=mrkdwn_text(line)).to_dict(),
            ActionsBlock(
                block_id=BLOCK_FOLLOW_UP,
                elements=[
                    ButtonElement(
                        text="Done", action_id=ACTION_FOLLOWED_UP, value=value, style="primary"
                    ),
                    ButtonElement(text="Not needed", action_id=ACTION_NOT_NEEDED, value=value),
                ],
            ).to_dict(),
        ],
    }


def build_follow_up_answered(outcome: str, actor: str, *, at: datetime, tz: tzinfo) -> dict:
    """The question once answered: who said what, and no buttons left to click."""
    line = _OUTCOME_WORDS[outcome].format(actor=mention(actor)) + f" _{local_time(at, tz)}_"
    return {"text": line, "blocks": [SectionBlock(text=mrkdwn_text(line)).to_dict()]}
