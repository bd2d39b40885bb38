"""Block Kit limits as Slack enforces them, so oversize or misspelt blocks fail in tests.

`validate_blocks` and `validate_view` return Slack-style messages
(`[ERROR] <rule> [json-pointer:/blocks/0/text/text]`), empty when the payload is valid.
The limits are one table per object type; the walker below only interprets the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})

Kind = Literal["str", "text", "texts", "element", "elements", "options", "confirm", "any"]


@dataclass(frozen=True)
class Limit:
    """One field rule: `max_len` bounds a string or a text object's text, `max_items` a list."""

    field: str
    kind: Kind
    max_len: int | None = None
    max_items: int | None = None
    required: bool = False
    plain: bool = False  # text object must be plain_text
    allowed: frozenset[str] | None = None  # element types accepted in this slot


_SELECTS = frozenset(
    f"{prefix}{kind}_select"
    for prefix in ("", "multi_")
    for kind in ("static", "external", "users", "conversations", "channels")
)
_CHOICES = _SELECTS | {"checkboxes", "radio_buttons", "datepicker", "timepicker", "datetimepicker"}
_INPUT_ELEMENTS = _CHOICES | {
    "plain_text_input",
    "email_text_input",
    "url_text_input",
    "number_input",
    "rich_text_input",
    "file_input",
}
_ACTION_ELEMENTS = _CHOICES | {"button", "overflow", "workflow_button"}
_ACCESSORY_ELEMENTS = _ACTION_ELEMENTS | {"image"}
_CONTEXT_ELEMENTS = TEXT_TYPES | {"image"}

_BLOCK_ID = Limit("block_id", "str", max_len=255)
_ACTION_ID = Limit("action_id", "str", max_len=255)
_CONFIRM = Limit("confirm", "confirm")
_PLACEHOLDER = Limit("placeholder", "text", max_len=150, plain=True)


_SELECT = (
    _ACTION_ID,
    _CONFIRM,
    _PLACEHOLDER,
    Limit("options", "options", max_items=100),
    Limit("option_groups", "any", max_items=100),
)


BLOCK_RULES: dict[str, tuple[Limit, ...]] = {
    "section": (
        _BLOCK_ID,
        Limit("text", "text", max_len=3000),
        Limit("fields", "texts", max_len=2000, max_items=10),
        Limit("accessory", "element", allowed=_ACCESSORY_ELEMENTS),
    ),
    "header": (_BLOCK_ID, Limit("text", "text", max_len=150, required=True, plain=True)),
    "divider": (_BLOCK_ID,),
    "context": (
        _BLOCK_ID,
        Limit("elements", "elements", max_items=10, required=True, allowed=_CONTEXT_ELEMENTS),
    ),
    "actions": (
        _BLOCK_ID,
        Limit("elements", "elements", max_items=25, required=True, allowed=_ACTION_ELEMENTS),
    ),
    "input": (
        _BLOCK_ID,
        Limit("label", "text", max_len=2000, required=True, plain=True),
        Limit("hint", "text", max_len=2000, plain=True),
        Limit("element", "element", required=True, allowed=_INPUT_ELEMENTS),
    ),
    "image": (
        _BLOCK_ID,
        Limit("image_url", "str", max_len=3000),
        Limit("alt_text", "str", max_len=2000, required=True),
        Limit("title", "text", max_len=2000, plain=True),
    ),
    "markdown": (_BLOCK_ID, Limit("text", "str", max_len=12000, required=True)),
    "rich_text": (_BLOCK_ID, Limit("elements", "any", required=True)),
    "file": (_BLOCK_ID, Limit("external_id", "str", required=True)),
    "video": (
        _BLOCK_ID,
        Limit("alt_text", "str", required=True),
        Limit("title", "text", max_len=200, required=True, plain=True),
        Limit("video_url", "str", required=True),
        Limit("thumbnail_url", "str", required=True),
    ),
}

ELEMENT_RULES: dict[str, tuple[Limit, ...]] = {
    "button": (
        _ACTION_ID,
        _CONFIRM,
        Limit("text", "text", max_len=75, required=True, plain=True),
        Limit("value", "str", max_len=2000),
        Limit("url", "str", max_len=3000),
    ),
    "workflow_button": (_ACTION_ID, Limit("text", "text", max_len=75, required=True, plain=True)),
    "overflow": (_ACTION_ID, _CONFIRM, Limit("options", "options", max_items=5, required=True)),
    "checkboxes": (_ACTION_ID, _CONFIRM, Limit("options", "options", max_items=10, required=True)),
    "radio_buttons": (
        _ACTION_ID,
        _CONFIRM,
        Limit("options", "options", max_items=10, required=True),
    ),
    "datepicker": (_ACTION_ID, _CONFIRM, _PLACEHOLDER),
    "timepicker": (_ACTION_ID, _CONFIRM, _PLACEHOLDER),
    "datetimepicker": (_ACTION_ID, _CONFIRM),
    "plain_text_input": (_ACTION_ID, _PLACEHOLDER, Limit("initial_value", "str", max_len=3000)),
    "email_text_input": (_ACTION_ID, _PLACEHOLDER),
    "url_text_input": (_ACTION_ID, _PLACEHOLDER),
    "number_input": (_ACTION_ID, _PLACEHOLDER),
    "rich_text_input": (_ACTION_ID, _PLACEHOLDER),
    "file_input": (_ACTION_ID,),
    "image": (
        Limit("image_url", "str", max_len=3000),
        Limit("alt_text", "str", max_len=2000, required=True),
    ),
    **dict.fromkeys(_SELECTS, _SELECT),
}

OPTION_RULES: tuple[Limit, ...] = (
    Limit("text", "text", max_len=75, required=True),
    Limit("value", "str", max_len=150),
    Limit("description", "text", max_len=75),
)
CONFIRM_RULES: tuple[Limit, ...] = (
    Limit("title", "text", max_len=100, required=True, plain=True),
    Limit("text", "text", max_len=300, required=True),
    Limit("confirm", "text", max_len=30, required=True, plain=True),
    Limit("deny", "text", max_len=30, required=True, plain=True),
)
_VIEW_COMMON = (
    Limit("private_metadata", "str", max_len=3000),
    Limit("callback_id", "str", max_len=255),
    Limit("external_id", "str", max_len=255),
)
VIEW_RULES: dict[str, tuple[Limit, ...]] = {
    "modal": (
        Limit("title", "text", max_len=24, required=True, plain=True),
        Limit("submit", "text", max_len=24, plain=True),
        Limit("close", "text", max_len=24, plain=True),
        *_VIEW_COMMON,
    ),
    "home": _VIEW_COMMON,
}


def validate_blocks(
    blocks: Any, *, max_blocks: int = MESSAGE_MAX_BLOCKS, pointer: str = "/blocks"
) -> list[str]:
    """Check a message's (or, with max_blocks=100, a view's) `blocks` array."""
    errors: list[str] = []
    if not isinstance(blocks, list):
        return [_error("must be an array", pointer)]
    if len(blocks) > max_blocks:
        errors.append(_error(f"no more than {max_blocks} items allowed", pointer))
    seen_block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        at = f"{pointer}/{index}"
        _check_typed(block, BLOCK_RULES, None, at, errors)
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id is not None:
            if block_id in seen_block_ids:
                errors.append(_error(f"duplicate block_id {block_id!r}", f"{at}/block_id"))
            seen_block_ids.add(block_id)
        if isinstance(block, dict) and block.get("type") == "section":
            if "text" not in block and "fields" not in block:
                errors.append(_error("a section needs text or fields", at))
    return errors


def validate_view(view: Any, *, expected_type: str | None = None) -> list[str]:
    """Check a view object for views.open/update/push (modal) or views.publish (home)."""
    if not isinstance(view, dict) or view.get("type") not in VIEW_RULES:
        return [_error("failed to match all allowed schemas (type must be modal or home)", "/view")]
    if expected_type is not None and view["type"] != expected_type:
        return [_error(f"view type must be {expected_type}", "/view/type")]
    errors: list[str] = []
    _check_fields(view, VIEW_RULES[view["type"]], "/view", errors)
    blocks = view.get("blocks")
    if blocks is None:
        errors.append(_error("missing required field: blocks", "/view"))
        return errors
    errors.extend(validate_blocks(blocks, max_blocks=VIEW_MAX_BLOCKS, pointer="/view/blocks"))
    has_input = isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "input" for b in blocks
    )
    if view["type"] == "modal" and has_input and "submit" not in view:
        errors.append(_error("submit is required when the view has input blocks", "/view"))
    return errors


def _error(rule: str, pointer: str) -> str:
    return f"[ERROR] {rule} [json-pointer:{pointer}]"


def _check_typed(
    obj: Any,
    table: dict[str, tuple[Limit, ...]],
    allowed: frozenset[str] | None,
    at: str,
    errors: list[str],
) -> None:
    if not isinstance(obj, dict):
        errors.append(_error("must be an object", at))
        return
    kind = obj.get("type")
    if allowed is not None and kind not in allowed:
        errors.append(_error(f"unsupported type {kind!r} here", f"{at}/type"))
        return
    if kind in TEXT_TYPES:
        _check_text(obj, at, errors, max_len=3000, plain=False)
    elif kind in table:
        _check_fields(obj, table[kind], at, errors)
    else:
        errors.append(_error(f"unsupported type {kind!r}", f"{at}/type"))


def _check_fields(obj: dict, rules: tuple[Limit, ...], at: str, errors: list[str]) -> None:
    for limit in rules:
        here = f"{at}/{limit.field}"
        value = obj.get(limit.field)
        if value is None:
            if limit.required:
                errors.append(_error(f"missing required field: {limit.field}", at))
            continue
        if limit.max_items is not None and isinstance(value, list) and len(value) > limit.max_items:
            errors.append(_error(f"no more than {limit.max_items} items allowed", here))
        _check_value(value, limit, here, errors)


def _check_value(value: Any, limit: Limit, here: str, errors: list[str]) -> None:
    match limit.kind:
        case "str":
            if not isinstance(value, str):
                errors.append(_error("must be a string", here))
            elif limit.max_len is not None and len(value) > limit.max_len:
                errors.append(_error(f"must be less than {limit.max_len + 1} characters", here))
        case "text":
            _check_text(value, here, errors, max_len=limit.max_len, plain=limit.plain)
        case "texts":
            for i, item in enumerate(_as_list(value, here, errors)):
                _check_text(item, f"{here}/{i}", errors, max_len=limit.max_len, plain=limit.plain)
        case "element":
            _check_typed(value, ELEMENT_RULES, limit.allowed, here, errors)
        case "elements":
            seen_action_ids: set[str] = set()
            for i, element in enumerate(_as_list(value, here, errors)):
                _check_typed(element, ELEMENT_RULES, limit.allowed, f"{here}/{i}", errors)
                action_id = element.get("action_id") if isinstance(element, dict) else None
                if action_id is not None:
                    if action_id in seen_action_ids:
                        errors.append(
                            _error(f"duplicate action_id {action_id!r}", f"{here}/{i}/action_id")
                        )
                    seen_action_ids.add(action_id)
        case "options":
            for i, option in enumerate(_as_list(value, here, errors)):
                _check_object(option, OPTION_RULES, f"{here}/{i}", errors)
        case "confirm":
            _check_object(value, CONFIRM_RULES, here, errors)
        case "any":
            pass


def _check_object(obj: Any, rules: tuple[Limit, ...], at: str, errors: list[str]) -> None:
    if isinstance(obj, dict):
        _check_fields(obj, rules, at, errors)
    else:
        errors.append(_error("must be an object", at))


def _as_list(value: Any, here: str, errors: list[str]) -> list:
    if isinstance(value, list):
        return value
    errors.append(_error("must be an array", here))
    return []


def _check_text(obj: Any, at: str, errors: list[str], *, max_len: int | None, plain: bool) -> None:
    if not isinstance(obj, dict) or obj.get("type") not in TEXT_TYPES:
        errors.append(_error("must be a text object (plain_text or mrkdwn)", at))
        return
    if plain and obj["type"] != "plain_text":
        errors.append(_error("must be plain_text", f"{at}/type"))
    if obj["type"] == "plain_text" and "verbatim" in obj:
        errors.append(_error("verbatim is only allowed on mrkdwn text", f"{at}/verbatim"))
    if obj["type"] == "mrkdwn" and "emoji" in obj:
        errors.append(_error("emoji is only allowed on plain_text", f"{at}/emoji"))
    text = obj.get("text")
    if not isinstance(text, str):
        errors.append(_error("missing required field: text", at))
    elif not text:
        errors.append(_error("must be more than 0 characters", f"{at}/text"))
    elif max_len is not None and len(text) > max_len:
        errors.append(_error(f"must be less than {max_len + 1} characters", f"{at}/text"))
