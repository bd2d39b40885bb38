"""Drafts without an LLM: per-language reply templates filled from the review and the profile."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from string import Template

from bot.drafting.guardrails import check_draft
from bot.drafting.profile import BusinessProfile
from bot.drafting.prompts import PromptLibrary, ReplyTemplate
from bot.drafting.schema import DraftResult, Example, ReviewInput
from bot.drafting.signature import SIGNATURE_SLOT
from bot.triage.themes import THEMES


def render_template(
    template: ReplyTemplate,
    *,
    customer: str | None,
    theme: str,
    profile: BusinessProfile,
    contact: str,
    responder: str | None,
) -> str:
    values = {
        "customer": customer or "",
        "theme": template.themes.get(theme, template.themes["other"]),
        "brand": profile.brand,
        "contact": contact,
        "responder": responder or profile.signoff,
    }
    greeting = template.greeting_named if customer else template.greeting_anonymous
    parts = (greeting, template.body, template.signoff)
    # safe_substitute: a "$" in a customer's name or brand must not break the draft.
    return "\n\n".join(Template(part).safe_substitute(values).strip() for part in parts)


class TemplateDrafter:
    """Same interface as LLMDrafter; the result says kind="template" so the card can label it."""

    def __init__(
        self,
        prompts: PromptLibrary,
        *,
        profile: BusinessProfile,
        detect_language: Callable[[str], str],
    ) -> None:
        self._prompts = prompts
        self._profile = profile
        self._detect_language = detect_language

    def draft(
        self,
        review: ReviewInput,
        *,
        examples: Sequence[Example] = (),
        instruction: str | None = None,
    ) -> DraftResult:
        """Fill the review language's template; examples and instructions need a model, so
        they are accepted for the common interface and not used."""
        started = time.monotonic()
        theme = review.theme_hint if review.theme_hint in THEMES else "other"
        text = render_template(
            self._prompts.template(review.language),
            customer=(review.author or "").strip() or None,
            theme=theme,
            profile=self._profile,
            contact=self._profile.contact_for(review.location),
            responder=SIGNATURE_SLOT,
        )
        findings = check_draft(
            text, review=review, profile=self._profile, detect_language=self._detect_language
        )
        return DraftResult(
            text=text,
            kind="template",
            reply_translation=None,
            review_translation=None,
            themes=[theme],
            feedback_kind=None,
            priority="normal",
            urgent_reason=None,
            needs_lead=False,
            model=None,
            prompt_version=self._prompts.prompt_version,
            tokens_in=None,
            tokens_out=None,
            latency_ms=round((time.monotonic() - started) * 1000),
            findings=findings,
        )
