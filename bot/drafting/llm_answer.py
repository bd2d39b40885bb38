"""Reading a chat completion into the draft it was asked for, whichever output mode it used."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pydantic
from openai.types.chat import ChatCompletion

from bot.drafting.schema import DraftingError, DraftOutput

_JSON = json.JSONDecoder()


@dataclass(frozen=True)
class Completion:
    output: DraftOutput
    model: str
    tokens_in: int | None
    tokens_out: int | None


class InvalidOutput(Exception):
    """The model answered, but not with a DraftOutput."""


class ProseAnswer(InvalidOutput):
    """The answer held no JSON object at all: the server may have ignored response_format."""


def read_answer(response: ChatCompletion, output_type: type[DraftOutput]) -> Completion:
    """The answer validated as `output_type`, the draft with or without its translations."""
    choice = response.choices[0] if response.choices else None
    if choice is None or choice.message is None:
        raise DraftingError("the AI service answered without a draft (no choices)")
    if choice.finish_reason == "length":
        raise DraftingError(
            "the AI service's answer was cut off: it reached OPENAI_MAX_TOKENS before the end"
        )
    if choice.finish_reason == "content_filter":
        raise DraftingError("the AI service's content filter blocked the draft")
    if choice.message.refusal:
        raise DraftingError(f"the AI service refused to draft a reply: {choice.message.refusal}")
    content = choice.message.content or ""
    found = json_object_in(content)
    if found is None:
        raise ProseAnswer(content.strip() or "(empty)")
    try:
        output = output_type.model_validate_json(found)
    except pydantic.ValidationError as exc:
        raise InvalidOutput(_summarise(exc)) from exc
    usage = response.usage
    return Completion(
        output,
        response.model,
        usage.prompt_tokens if usage else None,
        usage.completion_tokens if usage else None,
    )


def json_object_in(content: str) -> str | None:
    """The first whole JSON object in an answer, without the ``` fences or prose around it."""
    start = content.find("{")
    while start != -1:
        try:
            _, end = _JSON.raw_decode(content, start)
        except ValueError:
            start = content.find("{", start + 1)
        else:
            return content[start:end]
    return None


def _summarise(exc: pydantic.ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "the answer"
    return f"{where}: {first['msg']}"
