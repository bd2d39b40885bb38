"""Drafts without an LLM: per-language reply templates filled from the review and the profile.

A template must not read as a form letter: it greets by first name as the language's guide
says, quotes the customer's own words about the problem, names the theme only when triage is
sure of it, and takes its opening, quoting and body from alternatives chosen per review.
Asked again, it takes a wording none of the review's drafts has had, and says that an
instruction needs a model: a new version never repeats the last one as if it were new.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from string import Template

from bot.drafting.customer_words import complaint_phrases
from bot.drafting.guardrails import check_draft
from bot.drafting.guardrails.messages import messages
from bot.drafting.names import greeting_name
from bot.drafting.profile import BusinessProfile
from bot.drafting.prompts import PromptLibrary, ReplyTemplate
from bot.drafting.schema import DraftResult, Example, Finding, ReviewInput
from bot.drafting.signature import with_sign_off
from bot.triage.themes import THEMES

NEUTRAL_THEME = "other"
# Finding codes whose texts are in guardrails/messages/, in the team's language.
INSTRUCTION_NEEDS_MODEL = "instruction_needs_model"
NO_OTHER_WORDING = "no_other_wording"
# After these, the next sentence follows without a space (Chinese).
_FULL_WIDTH_ENDS = frozenset("。！？；：")


def sure_theme(themes: Sequence[str]) -> str:
    """The theme a reply may name: the only one keyword triage found, else the neutral one.

    Two themes ("we waited an hour and the food was cold") are a guess either way, and naming
    the wrong one ("the quality of the product" for a long wait) shows nobody read the review.
    """
    named = [theme for theme in dict.fromkeys(themes) if theme in THEMES and theme != NEUTRAL_THEME]
    return named[0] if len(named) == 1 else NEUTRAL_THEME


def variant_seed(review: ReviewInput) -> bytes:
    """Stable per review, so a redraw keeps its wording and two reviews rarely share it."""
    key = "\0".join((review.source, review.author or "", review.title or "", review.text))
    return hashlib.sha256(key.encode("utf-8")).digest()


def render_template(
    template: ReplyTemplate,
    *,
    customer: str | None,
    theme: str,
    quote: str | None,
    rating_only: bool,
    contact: str,
    brand: str,
    seed: bytes,
    turn: int = 0,
) -> str:
    """The draft: greeting, one paragraph of chosen alternatives, and the sign-off slot.

    `turn` counts the wordings to step past the seed's own, the body changing first, so
    each of the first `wording_count` turns reads differently from every other."""
    values = {
        "customer": customer or "",
        "theme": template.themes.get(theme, template.themes[NEUTRAL_THEME]),
        "quote": quote or "",
        "contact": contact,
    }
    openings = template.openings_without_text if rating_only else template.openings
    turn, body_turn = divmod(turn, len(template.bodies))
    opening_turn, quoting_turn = divmod(turn, len(template.quotings)) if quote else (turn, 0)
    sentences = [_pick(openings, seed, 0, opening_turn)]
    if quote:
        sentences.append(_pick(template.quotings, seed, 1, quoting_turn))
    sentences.append(_pick(template.bodies, seed, 2, body_turn))
    greeting = template.greeting_named if customer else template.greeting_anonymous
    # One substitution per part: the quote and the name are the customer's own text, so a
    # "$" or "${contact}" in them must stay as written, never be filled in turn.
    filled = [Template(part).safe_substitute(values).strip() for part in sentences]
    body = f"{Template(greeting).safe_substitute(values).strip()}\n\n{_joined(filled)}"
    return with_sign_off(body, template, brand=brand)


def wording_count(template: ReplyTemplate, *, quote: bool, rating_only: bool) -> int:
    """How many different wordings `render_template` has for a review."""
    openings = template.openings_without_text if rating_only else template.openings
    quotings = len(template.quotings) if quote else 1
    return len(openings) * quotings * len(template.bodies)


def _pick(options: Sequence[str], seed: bytes, part: int, turn: int) -> str:
    return options[(seed[part] + turn) % len(options)]


def _joined(sentences: Sequence[str]) -> str:
    text = ""
    for sentence in sentences:
        space = "" if not text or text[-1] in _FULL_WIDTH_ENDS else " "
        text = f"{text}{space}{sentence}"
    return text


class TemplateDrafter:
    """Same interface as LLMDrafter; the result says kind="template" so the card can label it."""

    def __init__(
        self,
        prompts: PromptLibrary,
        *,
        profile: BusinessProfile,
        detect_language: Callable[[str], str],
        team_language: str = "en",
    ) -> None:
        self._prompts = prompts
        self._profile = profile  # for a review that brings no brand's profile of its own
        self._detect_language = detect_language
        self._team_language = team_language

    def draft(
        self,
        review: ReviewInput,
        *,
        examples: Sequence[Example] = (),
        instruction: str | None = None,
    ) -> DraftResult:
        """Fill the review language's template in a wording the review's earlier drafts
        have not had. The responder signs through the slot at approval; examples and
        instructions need a model: accepted for the common interface, not used, and an
        instruction is answered with a finding that says so."""
        started = time.monotonic()
        profile = review.profile or self._profile
        template = self._prompts.template(review.language)
        words = "\n".join(part for part in (review.title, review.text) if part and part.strip())
        filled = partial(
            render_template,
            template,
            customer=greeting_name(review.author),
            theme=sure_theme(review.themes),
            rating_only=not words,
            contact=profile.contact_for(review.location),
            brand=profile.brand,
            seed=variant_seed(review),
        )

        earlier = set(review.earlier_drafts)
        turns = wording_count(template, quote=True, rating_only=not words)
        chosen = (self._quoted(partial(filled, turn=turn), words, review) for turn in range(turns))
        text = next((text for text in chosen if text not in earlier), None)
        say = messages(self._team_language)
        codes = [INSTRUCTION_NEEDS_MODEL] if instruction else []
        if text is None:
            text = self._quoted(filled, words, review)
            codes.append(NO_OTHER_WORDING)
        findings = [Finding(code, say(code)) for code in codes]
        findings.extend(self._check(text, review))
        return DraftResult(
            text=text,
            kind="template",
            reply_translation=None,
            review_translation=None,
            themes=list(review.themes) or [NEUTRAL_THEME],
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

    def _quoted(self, filled: Callable[..., str], words: str, review: ReviewInput) -> str:
        """The draft quoting the first of the customer's phrases that is safe to repeat."""
        # The customer's words are untrusted: a phrase that would bring a finding of its own
        # (an amount, a phone number, an instruction to the model) is not repeated back in
        # public. Judged as if the review did not contain it, since the checks accept what
        # the customer wrote themselves.
        unvouched = replace(review, title=None, text="")
        text = filled(quote=None)
        plain = self._check(text, unvouched)
        for phrase in complaint_phrases(words, review.language):
            quoted = filled(quote=phrase)
            if all(finding in plain for finding in self._check(quoted, unvouched)):
                return quoted
        return text

    def _check(self, text: str, review: ReviewInput) -> list[Finding]:
        return check_draft(
            text,
            review=review,
            profile=review.profile or self._profile,
            detect_language=self._detect_language,
            team_language=self._team_language,
        )
