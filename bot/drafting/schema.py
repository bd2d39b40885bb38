"""The data the drafting engine takes in and hands back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.drafting.profile import BusinessProfile
from bot.triage.themes import Theme

MAX_THEMES = 3


def _shape_only(schema: dict[str, Any]) -> None:
    # The schema goes to the model with every request: pydantic's titles only repeat the keys,
    # and the class docstring is for programmers.
    schema.pop("title", None)
    schema.pop("description", None)
    for field in schema.get("properties", {}).values():
        field.pop("title", None)


class DraftOutput(BaseModel):
    """A drafted public reply to one customer review, with its triage.

    The prompt (prompts/system.md) says what each field means; the schema only fixes the shape.
    Unknown keys are ignored: a model that adds translations nobody asked for has still
    written a usable draft.
    """

    model_config = ConfigDict(extra="ignore", json_schema_extra=_shape_only)

    reply: str
    themes: list[Theme] = Field(min_length=1, max_length=MAX_THEMES)
    feedback_kind: Literal["factual", "opinion", "emotional"]
    priority: Literal["normal", "urgent"]
    urgent_reason: str

    @field_validator("themes", mode="before")
    @classmethod
    def _dedupe_and_cap(cls, value: object) -> object:
        # A model that repeats a theme or names four should not cost the team a draft.
        if isinstance(value, list):
            return list(dict.fromkeys(value))[:MAX_THEMES]
        return value


class TranslatedDraftOutput(DraftOutput):
    """A draft for a review the team does not read: the review and the reply in its language."""

    review_translation: str
    reply_translation: str


def output_model(*, translate: bool) -> type[DraftOutput]:
    """What the model is asked to return; translations only for a team that needs them."""
    return TranslatedDraftOutput if translate else DraftOutput


@dataclass(frozen=True)
class ReviewInput:
    """What the engine needs to know about a review."""

    source: str
    rating: int | None
    title: str | None
    text: str
    author: str | None
    language: str
    location: str | None
    length_limit: int | None
    # The themes keyword triage found; a template names one only when it is the only one.
    themes: tuple[str, ...] = ()
    # The review's drafts so far: a template's new draft takes a wording none of them has.
    earlier_drafts: tuple[str, ...] = ()
    # The profile of the review's brand: its voice, contact, compensation and links write the
    # draft and check it. None: the drafter's own (BUSINESS_PROFILE).
    profile: BusinessProfile | None = None


@dataclass(frozen=True)
class Example:
    """An earlier review and the reply the team approved for it, as stored.

    `author` is the other customer's name as the review gave it; the prompt replaces it (and
    any contact details) with placeholders before the model sees the example.
    """

    review_text: str
    reply_text: str
    author: str | None = None


@dataclass(frozen=True)
class Finding:
    """Something a person should look at before the draft is published."""

    code: str
    message: str


@dataclass(frozen=True)
class DraftResult:
    text: str
    kind: Literal["llm", "template"]
    reply_translation: str | None
    review_translation: str | None
    themes: list[str]
    feedback_kind: str | None
    priority: str
    urgent_reason: str | None
    needs_lead: bool
    model: str | None
    prompt_version: str
    tokens_in: int | None
    tokens_out: int | None
    latency_ms: int
    findings: list[Finding]


class DraftingError(Exception):
    """Drafting failed; `reason` is shown to the team on the card."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Drafter(Protocol):
    """What the review pipeline calls; LLMDrafter and TemplateDrafter both fit.

    `examples` are approved replies, most relevant first; the prompt shows as many as its
    token budget holds. Drafts end in the language's sign-off with the responder's slot, so
    no responder is needed here.
    """

    def draft(
        self,
        review: ReviewInput,
        *,
        examples: Sequence[Example] = (),
        instruction: str | None = None,
    ) -> DraftResult: ...
