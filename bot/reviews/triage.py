"""Triage of one review: language and script, negative or not, themes and urgency from
keywords."""

from __future__ import annotations

from dataclasses import dataclass

from bot.triage.language import LanguageDetector
from bot.triage.negativity import Thresholds, is_negative
from bot.triage.themes import keyword_themes
from bot.triage.urgency import Urgency, find_urgency


@dataclass(frozen=True)
class TriageResult:
    language: str
    language_assumed: bool
    negative: bool
    themes: list[str]
    urgency: Urgency | None = None


class Triage:
    def __init__(self, detector: LanguageDetector, thresholds: Thresholds) -> None:
        self._detector = detector
        self._thresholds = thresholds

    def warm(self) -> None:
        """Load the language models before the first review needs them."""
        self._detector.warm()

    def assess(
        self,
        *,
        text: str,
        title: str | None = None,
        rating: int | None = None,
        language_hint: str | None = None,
        location: str | None = None,
    ) -> TriageResult:
        full_text = _full_text(text, title)
        guess = self._detector.detect(full_text, hint=language_hint, location=location)
        return TriageResult(
            language=guess.code,
            language_assumed=guess.assumed,
            negative=is_negative(rating, full_text, guess.code, self._thresholds),
            themes=keyword_themes(full_text, guess.code),
            urgency=find_urgency(full_text, guess.code),
        )

    def urgency(self, *, text: str, title: str | None, language: str) -> Urgency | None:
        """What makes the review urgent by its keywords; a model's verdict adds to this."""
        return find_urgency(_full_text(text, title), language)

    def detect_language(self, text: str) -> str:
        """For the draft guardrails: "und" when the text is too short to tell."""
        guess = self._detector.detect(text)
        return "und" if guess.assumed else guess.code


def _full_text(text: str, title: str | None) -> str:
    # The title is what the customer said too: "Pakken kom aldri" decides as much as the body.
    return f"{title}\n{text}" if title else text
