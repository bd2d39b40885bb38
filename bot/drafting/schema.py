"""The data the drafting engine takes in and hands back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.triage.themes import Theme

MAX_THEMES = 3


class DraftOutput(BaseModel):
    """A drafted public reply to one customer review, with translations and triage."""

    model_config = ConfigDict(extra="forbid")

    reply: str = Field(description="The public reply, in the review's language and script.")
    review_translation: str = Field(description="The review translated into the team language.")
    reply_translation: str = Field(description="The reply translated into the team language.")
    themes: list[Theme] = Field(min_length=1, max_length=MAX_THEMES)
    feedback_kind: Literal["factual", "opinion", "emotional"]
    priority: Literal["normal", "urgent"]
    urgent_reason: str = Field(description='Why the review is urgent; "" when normal.')

    @field_validator("themes", mode="before")
    @classmethod
    def _dedupe_and_cap(cls, value: object) -> object:
        # A model that repeats a theme or names four should not cost the team a draft.
        if isinstance(value, list):
            return list(dict.fromkeys(value))[:MAX_THEMES]
        return value


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


@dataclass(frozen=True)
class Example:
    """An earlier review and the reply the team approved for it."""

    review_text: str
    reply_text: str


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
    """What the review pipeline calls; LLMDrafter and TemplateDrafter both fit."""

    def draft(
        self,
        review: ReviewInput,
        *,
        responder: str | None = None,
        examples: Sequence[Example] = (),
        instruction: str | None = None,
    ) -> DraftResult: ...
