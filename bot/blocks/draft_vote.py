"""The 👍 / 👎 under a draft on the card. A vote is counted in the team's draft quality and
shown to nobody: the card carries no names and no counts, only the two buttons."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
)

from bot.blocks import ids

VOTE_BLOCK_ID = "draft_vote"
VOTED_KINDS = ("llm", "template")  # a person's own version is not a draft to judge
PROMPT = "_Is this draft good?_ Your 👍 or 👎 counts in the team's draft quality; nobody sees who."


def vote_blocks(review_id: int, draft_id: int | None, kind: str) -> list[Block]:
    """The buttons for a draft the model or a template wrote; nothing for any other."""
    if draft_id is None or kind not in VOTED_KINDS:
        return []
    value = ids.encode_draft_ref(review_id, draft_id)
    return [
        ContextBlock(elements=[MarkdownTextObject(text=PROMPT)]),
        ActionsBlock(
            block_id=VOTE_BLOCK_ID,
            elements=[
                ButtonElement(text="👍", action_id=ids.ACTION_VOTE_UP, value=value),
                ButtonElement(text="👎", action_id=ids.ACTION_VOTE_DOWN, value=value),
            ],
        ),
    ]
