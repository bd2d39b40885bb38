"""For the Block Kit tests: Slack's limits as plain assertions, a walker over every text a
user sees, and a review card view to start from."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.blocks.card_view import CardDecision, CardDraft, CardFinding, CardView

MESSAGE_TEXT_MAX = 40_000
TEXT_TYPES = {"plain_text", "mrkdwn"}


def _problems_in_text_objects(node: Any, at: str, out: list[str]) -> None:
    if isinstance(node, dict):
        if node.get("type") in TEXT_TYPES:
            text = node.get("text")
            if not isinstance(text, str) or not text:
                out.append(f"{at}: empty text object")
            elif len(text) > 3000:
                out.append(f"{at}: text object of {len(text)} characters")
        for key, value in node.items():
            _problems_in_text_objects(value, f"{at}/{key}", out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _problems_in_text_objects(value, f"{at}/{i}", out)


def _text_len(obj: dict | None) -> int:
    return len(obj["text"]) if obj else 0


def _block_problems(blocks: list[dict], max_blocks: int) -> list[str]:
    out: list[str] = []
    if not 0 < len(blocks) <= max_blocks:
        out.append(f"{len(blocks)} blocks, at most {max_blocks}")
    block_ids: list[str] = []
    action_ids: list[str] = []
    for i, block in enumerate(blocks):
        kind = block["type"]
        if "block_id" in block:
            block_ids.append(block["block_id"])
            if len(block["block_id"]) > 255:
                out.append(f"block {i}: block_id too long")
        if kind == "header":
            if block["text"]["type"] != "plain_text" or _text_len(block["text"]) > 150:
                out.append(f"block {i}: header over 150 characters or not plain_text")
        elif kind == "section":
            if _text_len(block.get("text")) > 3000:
                out.append(f"block {i}: section text {_text_len(block['text'])} characters")
            fields = block.get("fields", [])
            if len(fields) > 10 or any(_text_len(f) > 2000 for f in fields):
                out.append(f"block {i}: section fields over the limits")
        elif kind == "context":
            if not 0 < len(block["elements"]) <= 10:
                out.append(f"block {i}: context with {len(block['elements'])} elements")
        elif kind == "actions":
            for element in block["elements"]:
                action_ids.append(element["action_id"])
                if element["type"] == "button":
                    if _text_len(element["text"]) > 75 or len(element.get("value", "")) > 2000:
                        out.append(f"block {i}: button text or value too long")
        elif kind == "input":
            element = block["element"]
            action_ids.append(element["action_id"])
            if len(element.get("initial_value", "")) > 3000:
                out.append(f"block {i}: initial_value over 3000 characters")
            if element.get("max_length", 0) > 3000:
                out.append(f"block {i}: max_length over 3000")
        elif kind != "divider":
            out.append(f"block {i}: unexpected block type {kind}")
    for ident in action_ids:
        if len(ident) > 255:
            out.append(f"action_id {ident!r} too long")
    if len(set(block_ids)) != len(block_ids) or len(set(action_ids)) != len(action_ids):
        out.append(f"duplicate ids: {block_ids} {action_ids}")
    _problems_in_text_objects(blocks, "blocks", out)
    return out


def assert_message_within_limits(message: dict) -> None:
    """A chat.postMessage / chat.update payload Slack would accept."""
    problems = _block_problems(message["blocks"], max_blocks=50)
    text = message["text"]
    if not text or len(text) > MESSAGE_TEXT_MAX:
        problems.append(f"message text of {len(text)} characters")
    assert not problems, problems


def assert_view_within_limits(view: dict) -> None:
    """A views.open modal Slack would accept."""
    problems = _block_problems(view["blocks"], max_blocks=100)
    for key in ("title", "submit", "close"):
        if key in view and not 0 < _text_len(view[key]) <= 24:
            problems.append(f"view {key} is {view[key]['text']!r}")
    if len(view.get("private_metadata", "")) > 3000:
        problems.append("private_metadata over 3000 characters")
    assert not problems, problems


def visible_texts(payload: Any) -> Iterator[str]:
    """Every string Slack renders: text objects anywhere, and a message's fallback `text`."""
    if isinstance(payload, dict):
        if isinstance(payload.get("text"), str):
            yield payload["text"]
        for value in payload.values():
            if isinstance(value, dict | list):
                yield from visible_texts(value)
    elif isinstance(payload, list):
        for value in payload:
            yield from visible_texts(value)


HOSTILE = ("<!channel>", "<@U123>", "<https://evil|click>")
HOSTILE_TEXT = " ".join(HOSTILE) + " & *Approved by the boss*"


def make_view(**changes) -> CardView:
    view = CardView(
        review_id=42,
        card_version=3,
        source="google",
        rating=1,
        title="Kald kaffi",
        text="Kaffien var kald og personalet sur.",
        author="Kari Nordmann",
        location="Oslo sentrum",
        url="https://maps.example.com/review?id=1&lang=nn",
        created_at=datetime(2026, 11, 20, 17, 3, tzinfo=UTC),
        language="nn",
        language_assumed=False,
        review_translation="The coffee was cold and the staff grumpy.",
        team_language="en",
        themes=("temperature", "staff"),
        priority="normal",
        urgent_reason=None,
        lead_contacts=("U0LEAD01",),
        state="pending",
        draft=CardDraft(
            version=2,
            text="Hei Kari, takk for at du sa ifrå.",
            translation="Hi Kari, thanks for telling us.",
            kind="llm",
            findings=(CardFinding("promise", "Promises a refund the policy does not allow"),),
        ),
        draft_error=None,
        assignee=None,
        decision=None,
    )
    return replace(view, **changes)


def huge_view(state: str, publish_state: str = "none") -> CardView:
    """Every untrusted field long and full of characters that grow when escaped."""
    big = "a & <b>\n" * 3000
    decision = CardDecision(
        action="declined" if state == "declined" else "approved",
        actor=big,
        at=datetime(2026, 1, 1, tzinfo=UTC),
        final_text=big,
        reason=big,
    )
    return make_view(
        state=state,
        publish_state=publish_state,
        source=big,
        title=big,
        text=big,
        author=big,
        location=big,
        url="https://example.com/" + "a" * 5000,
        language=big,
        team_language=big,
        review_translation=big,
        themes=(big,) * 30,
        priority="urgent",
        urgent_reason=big,
        lead_contacts=(big,) * 50,
        assignee=big,
        draft=CardDraft(
            version=1,
            text=big,
            translation=big,
            kind="template",
            findings=tuple(CardFinding(big, big) for _ in range(30)),
        ),
        draft_error=big,
        publish_error=big,
        decision=decision if state in {"approved", "declined"} else None,
    )
