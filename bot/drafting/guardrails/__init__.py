"""Checks every draft before a person sees it; findings travel with the draft to the card.

Each module holds one kind of check; the words they look for are in terms/<language>.yml and
what they say in messages/<team language>.yml.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.drafting.guardrails import (
    amounts,
    contacts,
    form,
    greeting,
    injection,
    language,
    remedies,
    tone,
)
from bot.drafting.guardrails.context import DraftContext
from bot.drafting.guardrails.messages import messages
from bot.drafting.guardrails.vocabulary import vocabulary
from bot.drafting.profile import BusinessProfile
from bot.drafting.schema import Finding, ReviewInput

__all__ = ["check_draft"]

_CHECKS = (
    form.placeholders,
    form.markdown,
    greeting.customer_name,
    language.language,
    language.script,
    form.length,
    contacts.contacts,
    contacts.links,
    amounts.amounts,
    remedies.compensation,
    remedies.promises,
    tone.arguing,
)


def check_draft(
    text: str,
    *,
    review: ReviewInput,
    profile: BusinessProfile,
    detect_language: Callable[[str], str],
    team_language: str = "en",
) -> list[Finding]:
    """Everything in a draft a person should look at before it is published, each finding
    saying what to change in `team_language`. `detect_language` is the deployment's detector
    (built once); it answers "und" for a text too short to tell."""
    say = messages(team_language)
    if not text.strip():
        return [Finding("empty", say("empty"))]
    ctx = DraftContext(
        text=text,
        review=review,
        profile=profile,
        detect_language=detect_language,
        say=say,
        vocabulary=vocabulary(),
    )
    findings = [finding for check in _CHECKS for finding in check(ctx)]
    return [*findings, *injection.injection(ctx, findings)]
