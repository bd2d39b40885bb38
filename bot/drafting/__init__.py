"""The drafting engine: review in, checked draft out. Knows nothing of storage or Slack."""

from __future__ import annotations

from collections.abc import Callable

from bot.drafting.examples import closest_examples
from bot.drafting.guardrails import check_draft
from bot.drafting.llm import LLMDrafter, ProbeResult
from bot.drafting.llm_server import OutputMode, build_openai_client
from bot.drafting.profile import BusinessProfile, LocationProfile, ProfileError
from bot.drafting.prompts import PromptFileError, PromptLibrary, ReplyTemplate
from bot.drafting.schema import (
    Drafter,
    DraftingError,
    DraftOutput,
    DraftResult,
    Example,
    Finding,
    ReviewInput,
)
from bot.drafting.templates import TemplateDrafter
from bot.triage.themes import THEMES

__all__ = [
    "THEMES",
    "BusinessProfile",
    "DraftOutput",
    "DraftResult",
    "Drafter",
    "DraftingError",
    "Example",
    "Finding",
    "LLMDrafter",
    "LocationProfile",
    "OutputMode",
    "ProbeResult",
    "ProfileError",
    "PromptFileError",
    "PromptLibrary",
    "ReplyTemplate",
    "ReviewInput",
    "TemplateDrafter",
    "build_drafter",
    "build_openai_client",
    "check_draft",
    "closest_examples",
]


def build_drafter(
    *,
    api_key: str | None,
    base_url: str | None,
    model: str,
    timeout: float,
    max_retries: int,
    max_tokens: int,
    prompts: PromptLibrary,
    profile: BusinessProfile,
    team_language: str,
    detect_language: Callable[[str], str],
) -> Drafter:
    """The LLM drafter when an API key is configured, otherwise the template drafter."""
    if not api_key:
        return TemplateDrafter(
            prompts, profile=profile, detect_language=detect_language, team_language=team_language
        )
    client = build_openai_client(
        api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries
    )
    return LLMDrafter(
        client,
        model=model,
        max_tokens=max_tokens,
        prompts=prompts,
        profile=profile,
        team_language=team_language,
        detect_language=detect_language,
    )
