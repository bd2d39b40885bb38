"""What one draft asks of the model, and the signed draft its answer becomes.

The app, not the model, signs a reply: the model is told the platform's limit less the
sign-off, and the sign-off is appended to what it wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from bot.drafting.examples import anonymised
from bot.drafting.guardrails import check_draft
from bot.drafting.llm_answer import Completion
from bot.drafting.profile import BusinessProfile
from bot.drafting.prompts import PromptLibrary, needs_translation
from bot.drafting.schema import (
    DraftOutput,
    DraftResult,
    Example,
    ReviewInput,
    TranslatedDraftOutput,
    output_model,
)
from bot.drafting.signature import with_sign_off

Messages = list[dict[str, str]]


@dataclass(frozen=True)
class DraftRequest:
    """What one draft asks of the model: the output model, and the messages for either mode."""

    output_type: type[DraftOutput]
    _build: Callable[..., Messages]

    def messages(self, *, schema_in_prompt: bool = False) -> Messages:
        """`schema_in_prompt` for a server whose JSON mode is sent no schema."""
        return self._build(schema_in_prompt=schema_in_prompt)


def draft_request(
    prompts: PromptLibrary,
    review: ReviewInput,
    *,
    profile: BusinessProfile,
    team_language: str,
    examples: Sequence[Example] = (),
    instruction: str | None = None,
) -> DraftRequest:
    """The prompt and output model a draft of `review` is asked for."""
    template = prompts.template(review.language)
    # The app appends the sign-off, so the model may write what the platform leaves of it.
    sign_off_length = len(with_sign_off("", template, brand=profile.brand))
    limit = review.length_limit - sign_off_length if review.length_limit else None
    translate = needs_translation(review.language, team_language)
    return DraftRequest(
        output_model(translate=translate),
        partial(
            prompts.build_messages,
            review,
            profile=profile,
            team_language=team_language,
            # Other customers' names and contact details never reach the model.
            examples=[anonymised(example, language=review.language) for example in examples],
            instruction=instruction,
            length_limit=limit,
        ),
    )


def signed_result(
    completion: Completion,
    review: ReviewInput,
    *,
    prompts: PromptLibrary,
    profile: BusinessProfile,
    latency_ms: int,
    detect_language: Callable[[str], str],
    team_language: str,
) -> DraftResult:
    """The model's answer as a draft: signed, with its triage and what the guardrails found."""
    output = completion.output
    urgent = output.priority == "urgent"
    text = with_sign_off(
        output.reply.strip(), prompts.template(review.language), brand=profile.brand
    )
    review_translation, reply_translation = (
        (output.review_translation, output.reply_translation)
        if isinstance(output, TranslatedDraftOutput)
        else (None, None)
    )
    return DraftResult(
        text=text,
        kind="llm",
        reply_translation=reply_translation,
        review_translation=review_translation,
        themes=list(output.themes),
        feedback_kind=output.feedback_kind,
        priority=output.priority,
        urgent_reason=(output.urgent_reason or None) if urgent else None,
        needs_lead=urgent,
        model=completion.model,
        prompt_version=prompts.prompt_version,
        tokens_in=completion.tokens_in,
        tokens_out=completion.tokens_out,
        latency_ms=latency_ms,
        findings=check_draft(
            text,
            review=review,
            profile=profile,
            detect_language=detect_language,
            team_language=team_language,
        ),
    )
