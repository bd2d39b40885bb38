"""The responder's signature: how App Home shows it, and the modal that changes it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.mrkdwn import escape_mrkdwn, mrkdwn_text
from bot.drafting.signature import SIGNATURE_MAX


def signature_blocks(*, signs_as: str, own: bool) -> list[Block]:
    """`signs_as`: what a reply this person approves is signed with; `own`: set by them."""
    where = "your own signature" if own else "your Slack name; set your own if you prefer"
    return [
        SectionBlock(
            text=mrkdwn_text(
                f"*Your signature:* {escape_mrkdwn(signs_as)}\n"
                f"Replies you approve are signed with this ({where})."
            ),
            accessory=ButtonElement(
                text="Change", action_id=ids.ACTION_SET_SIGNATURE, value="signature"
            ),
        )
    ]


def build_signature_modal(current: str | None) -> dict:
    return View(
        type="modal",
        callback_id=ids.CALLBACK_SIGNATURE,
        title="Your signature",
        submit="Save",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=ids.BLOCK_SIGNATURE,
                label="Sign replies you approve as",
                hint="Leave empty to sign with your Slack name.",
                optional=True,
                element=PlainTextInputElement(
                    action_id=ids.INPUT_SIGNATURE,
                    initial_value=current or None,
                    max_length=SIGNATURE_MAX,
                    placeholder="e.g. Anna",
                ),
            )
        ],
    ).to_dict()


def read_signature_submission(values: Mapping[str, Any]) -> str | None:
    try:
        value = values[ids.BLOCK_SIGNATURE][ids.INPUT_SIGNATURE].get("value")
    except (KeyError, TypeError) as error:
        raise ValueError(f"the submission has no {ids.BLOCK_SIGNATURE}") from error
    return value.strip() or None if isinstance(value, str) else None
