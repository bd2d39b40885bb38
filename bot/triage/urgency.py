"""Whether a review needs a lead today, from keywords: a legal threat, a health or safety
risk, discrimination. The model judges urgency too when one is configured; these lists are
what still flags a lawyer or a food poisoning without one.

The words are in lexicons/urgent/<lists>.yml, one file per set of triage lists (Bokmål and
Nynorsk share one, and so do both Chinese scripts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot.triage.lexicons import compile_entries, lexicon_for, lists_name, normalized

TERMS_DIR = Path(__file__).parent / "lexicons" / "urgent"

# In the order a card names them when a review has more than one.
URGENCY_LABELS: dict[str, str] = {
    "health_safety": "Health or safety",
    "legal": "Legal threat",
    "discrimination": "Discrimination",
}
REASON_WORDS_LIMIT = 60


@dataclass(frozen=True)
class Urgency:
    category: str  # a key of URGENCY_LABELS
    words: str  # as the customer wrote them

    @property
    def reason(self) -> str:
        """What the card says: "Legal threat: “advokat”"."""
        return f"{URGENCY_LABELS[self.category]}: “{self.words[:REASON_WORDS_LIMIT]}”"


@dataclass(frozen=True)
class _UrgentTerms:
    patterns: dict[str, re.Pattern[str]]
    neutral: re.Pattern[str]


@cache
def _terms(name: str, *, spaced: bool) -> _UrgentTerms:
    data = yaml.safe_load((TERMS_DIR / f"{name}.yml").read_text(encoding="utf-8"))
    neutral = tuple(str(entry) for entry in data.get("neutral") or ())
    patterns = {
        # Neutral phrases take part in every search, so a longer harmless word (报警器) is
        # matched instead of the entry it contains (报警).
        category: compile_entries(
            neutral + tuple(str(entry) for entry in data[category]), spaced=spaced
        )
        for category in URGENCY_LABELS
    }
    return _UrgentTerms(patterns, compile_entries(neutral, spaced=spaced))


def find_urgency(text: str, language: str) -> Urgency | None:
    """The first urgent matter the text names, in URGENCY_LABELS order; None for none."""
    terms = _terms(lists_name(language), spaced=lexicon_for(language).spaced)
    lowered = normalized(text)
    for category, pattern in terms.patterns.items():
        for match in pattern.finditer(lowered):
            if not terms.neutral.fullmatch(match.group()):
                # The customer's own spelling, where lower-casing kept every index.
                same = len(lowered) == len(text)
                words = text[match.start() : match.end()] if same else match.group()
                return Urgency(category, words)
    return None
