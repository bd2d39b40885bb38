"""One draft under check, with what every check needs to know about its review and profile."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from price_parser import Price

from bot.drafting.guardrails.messages import Messages
from bot.drafting.guardrails.vocabulary import NUMBER, DraftPatterns, LanguageTerms, Vocabulary
from bot.drafting.profile import BusinessProfile
from bot.drafting.schema import ReviewInput

UNDETERMINED = frozenset({"", "und", "unknown", "xx"})
# Sentence ends; Chinese full stops need no space after them.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])|\n+")
_NUMBER = re.compile(NUMBER)


@dataclass(frozen=True)
class DraftContext:
    text: str
    review: ReviewInput
    profile: BusinessProfile
    detect_language: Callable[[str], str]
    say: Messages
    vocabulary: Vocabulary

    @cached_property
    def terms(self) -> LanguageTerms | None:
        """The review language's term file, if it has one."""
        return self.vocabulary.terms(self.review.language)

    @cached_property
    def patterns(self) -> DraftPatterns:
        return self.vocabulary.draft_patterns(self.review.language)

    @cached_property
    def review_text(self) -> str:
        return f"{self.review.title or ''}\n{self.review.text}"

    @cached_property
    def instruction_matches(self) -> list[re.Match[str]]:
        return list(self.vocabulary.instructions.finditer(self.review_text))

    @cached_property
    def review_vouches(self) -> bool:
        """Whether what the review contains (an amount, a link, a phone number) makes it fine
        in the draft. A review that gives the model instructions vouches for nothing."""
        return not self.instruction_matches

    @cached_property
    def sentences(self) -> list[str]:
        return [s.strip() for s in _SENTENCE_BREAK.split(self.text) if s and s.strip()]

    @cached_property
    def profile_numbers(self) -> set[float]:
        numbers = set(parse_numbers(self.profile.compensation))
        if self.profile.max_compensation_amount is not None:
            numbers.add(self.profile.max_compensation_amount)
        return numbers

    @cached_property
    def review_numbers(self) -> set[float]:
        return set(parse_numbers(self.review_text)) if self.review_vouches else set()

    @property
    def contact(self) -> str:
        return self.profile.contact_for(self.review.location)


def parse_numbers(text: str) -> list[float]:
    return [value for m in _NUMBER.finditer(text) if (value := parse_number(m.group())) is not None]


def parse_number(raw: str) -> float | None:
    """ "1 280" → 1280, "1.200" → 1200, "4,90" → 4.9, as price-parser reads prices."""
    return Price.fromstring(raw).amount_float
