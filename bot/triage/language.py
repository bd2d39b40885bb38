"""Which language, and for Chinese which script, a review is written in.

Detection is lingua restricted to the configured languages, corrected by what the deployment
knows: the source's own language field wins outright, the countries the business serves act
as priors, and a short or unclear text falls back to the location's or the business's
language (and says so, so the card can show "assumed").
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.triage.language_tags import HANS, HANT, chinese_script, normalize_language_tag
from bot.triage.lexicons import scandinavian_spelling as spelling

if TYPE_CHECKING:
    import lingua

DEFAULT_LANGUAGES = ("sv", "nb", "nn", "da", "fi", "zh", "en")

# Languages spoken by a country's customers, as far as reviews go. Finland is officially
# bilingual, and Singapore writes Simplified Chinese as well as English.
COUNTRY_LANGUAGES: dict[str, tuple[str, ...]] = {
    "SE": ("sv",),
    "NO": ("nb", "nn"),
    "DK": ("da",),
    "FI": ("fi", "sv"),
    "AX": ("sv",),
    "IS": ("is",),
    "EE": ("et",),
    "DE": ("de",),
    "AT": ("de",),
    "CH": ("de", "fr", "it"),
    "NL": ("nl",),
    "BE": ("nl", "fr"),
    "FR": ("fr",),
    "ES": ("es",),
    "IT": ("it",),
    "PL": ("pl",),
    "GB": ("en",),
    "IE": ("en",),
    "US": ("en",),
    "CA": ("en", "fr"),
    "AU": ("en",),
    "NZ": ("en",),
    "CN": ("zh",),
    "SG": ("zh", "en"),
    "MY": ("zh", "ms", "en"),
    "TW": ("zh",),
    "HK": ("zh", "en"),
    "MO": ("zh",),
}
_HANT_COUNTRIES = frozenset({"TW", "HK", "MO"})
_HANS_COUNTRIES = frozenset({"CN", "SG", "MY"})

# A language that none of the served countries speaks is this much less likely a priori. It
# is deliberately mild: it settles the many near-ties between Danish and Norwegian in favour
# of the market the business is in, but a text that lingua (with the spelling evidence below)
# finds clearly Danish still comes out Danish even for a business that serves only Norway.
UNSERVED_LANGUAGE_WEIGHT = 0.3
# Visitors write English everywhere, so English is never treated as unserved.
ALWAYS_SERVED = frozenset({"en"})
# One spelling only the other side uses makes that side this many times less likely.
SPELLING_EVIDENCE_FACTOR = 4.0
_MAX_SPELLING_EVIDENCE = 5
# Bokmål and Nynorsk are pooled before the confidence check: the reply is Norwegian either
# way, and lingua often splits a plainly Norwegian text between the two.
_FAMILY = {"nb": "no", "nn": "no"}
# A source that says only "no" (Norwegian) almost always means Bokmål, the standard some 85-90%
# of Norwegians write; Nynorsk must then win the nb/nn split this clearly.
_NYNORSK_SHARE_OVER_NO_HINT = 0.75
# A Han character carries about as much as a short word does in the Nordic languages.
_HAN_LETTER_WEIGHT = 4

_WORD = re.compile(r"\w+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@dataclass(frozen=True)
class LanguageGuess:
    """code: our language code ("sv", "nb", "zh-Hant", ...); source: "hint", "detected",
    "location" or "default"; assumed: not from the source nor a confident detection, so the
    card says the language was assumed; confidence: 1.0 for a hint, 0.0 when assumed."""

    code: str
    source: str
    assumed: bool
    confidence: float


class LanguageDetector:
    """Detects a review's language for one deployment (its languages, markets and defaults)."""

    def __init__(
        self,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        *,
        default_language: str = "en",
        location_languages: Mapping[str, str] | None = None,
        countries: Sequence[str] = (),
        min_chars: int = 5,
        min_confidence: float = 0.5,
    ) -> None:
        codes = {_required_tag(code) for code in languages}
        lingua_codes = {"zh" if code in (HANT, HANS) else code for code in codes}
        self._default_language = _required_tag(default_language)
        self._location_languages = {
            location.casefold(): _required_tag(code)
            for location, code in (location_languages or {}).items()
        }
        self._weights = _language_weights(lingua_codes, countries)
        self._ambiguous_script = _preferred_script(
            [self._default_language, *self._location_languages.values()], countries
        )
        self._min_chars = min_chars
        self._min_confidence = min_confidence
        self._lingua_codes = lingua_codes
        self._lingua: lingua.LanguageDetector | None = None
        self._loading = threading.Lock()

    def warm(self) -> None:
        """Load the language models now: they take about a second and some 200 MB, which a
        process that triages pays at start rather than on its first review, and a process that
        never triages (web) never pays."""
        self._models()

    def _models(self) -> lingua.LanguageDetector:
        if self._lingua is not None:
            return self._lingua
        with self._loading:
            if self._lingua is None:
                from lingua import LanguageDetectorBuilder

                self._lingua = (
                    LanguageDetectorBuilder.from_languages(
                        *(_lingua_language(c) for c in self._lingua_codes)
                    )
                    .with_preloaded_language_models()
                    .build()
                )
            return self._lingua

    def detect(
        self, text: str, *, hint: str | None = None, location: str | None = None
    ) -> LanguageGuess:
        hinted = normalize_language_tag(hint)
        if hinted is not None:
            return LanguageGuess(self._from_hint(hinted, hint or "", text), "hint", False, 1.0)
        if _letter_count(text) < self._min_chars:
            return self._fallback(text, location)
        scores = self._scores(_opening(text))
        if not any(scores.values()):
            return self._fallback(text, location)
        family_scores: dict[str, float] = {}
        for code, score in scores.items():
            family = _FAMILY.get(code, code)
            family_scores[family] = family_scores.get(family, 0.0) + score
        family = max(family_scores, key=family_scores.__getitem__)
        confidence = family_scores[family]
        if confidence < self._min_confidence:
            return self._fallback(text, location)
        members = [code for code in scores if _FAMILY.get(code, code) == family]
        code = max(members, key=scores.__getitem__)
        return LanguageGuess(self._with_script(code, text), "detected", False, confidence)

    def _scores(self, text: str) -> dict[str, float]:
        """Lingua's confidences times the spelling evidence and the market priors, summing to 1."""
        scores = {
            value.language.iso_code_639_1.name.lower(): value.value
            for value in self._models().compute_language_confidence_values(text)
        }
        for code, factor in _spelling_factors(text).items():
            if code in scores:
                scores[code] *= factor
        weighted = {code: score * self._weights[code] for code, score in scores.items()}
        total = sum(weighted.values())
        return {code: score / total for code, score in weighted.items()} if total else weighted

    def _from_hint(self, hinted: str, raw_hint: str, text: str) -> str:
        if hinted == "zh":
            return self._with_script(hinted, text)
        if _iso_primary(raw_hint) in ("no", "nor") and self._clearly_nynorsk(text):
            return "nn"
        return hinted

    def _clearly_nynorsk(self, text: str) -> bool:
        if _letter_count(text) < self._min_chars or "nn" not in self._weights:
            return False
        scores = self._scores(text)
        norwegian = scores.get("nb", 0.0) + scores["nn"]
        return norwegian > 0 and scores["nn"] / norwegian >= _NYNORSK_SHARE_OVER_NO_HINT

    def _fallback(self, text: str, location: str | None) -> LanguageGuess:
        located = self._location_languages.get(location.casefold()) if location else None
        code = located or self._default_language
        source = "location" if located else "default"
        return LanguageGuess(self._with_script(code, text), source, True, 0.0)

    def _with_script(self, code: str, text: str) -> str:
        if code != "zh":
            return code
        return chinese_script(text, ambiguous=self._ambiguous_script)


def _required_tag(tag: str) -> str:
    code = normalize_language_tag(tag)
    if code is None:
        raise ValueError(f"unknown language code {tag!r}")
    return code


def _iso_primary(tag: str) -> str:
    return tag.strip().lower().replace("_", "-").split("-")[0]


def _lingua_language(code: str) -> lingua.Language:
    from lingua import IsoCode639_1, Language

    return Language.from_iso_code_639_1(IsoCode639_1.from_str(code))


def _language_weights(codes: set[str], countries: Sequence[str]) -> dict[str, float]:
    """Prior weight per language: 1 where a served country speaks it, a fraction elsewhere.

    With no countries configured nothing is known, and every language weighs the same.
    """
    served: set[str] = set(ALWAYS_SERVED)
    for country in countries:
        try:
            served.update(COUNTRY_LANGUAGES[country.upper()])
        except KeyError:
            raise ValueError(
                f"unknown country {country!r}; known: {', '.join(sorted(COUNTRY_LANGUAGES))}"
            ) from None
    if not countries:
        return dict.fromkeys(codes, 1.0)
    return {code: 1.0 if code in served else UNSERVED_LANGUAGE_WEIGHT for code in codes}


def _preferred_script(configured: Sequence[str], countries: Sequence[str]) -> str:
    """The script for Chinese text that reads the same in both scripts.

    The business's own settings decide first, then its markets; with nothing to go on,
    Simplified, which far more readers use.
    """
    for code in configured:
        if code in (HANT, HANS):
            return code
    served = {country.upper() for country in countries}
    if served & _HANT_COUNTRIES and not served & _HANS_COUNTRIES:
        return HANT
    return HANS


def _spelling_factors(text: str) -> dict[str, float]:
    """Likelihood factors from words that only Danish, Norwegian, Bokmål or Nynorsk spell so."""
    words = [word.lower() for word in _WORD.findall(text)]
    danish = sum(
        word in spelling.DANISH_NOT_NORWEGIAN or bool(spelling.DANISH_SUFFIX.match(word))
        for word in words
    )
    norwegian = sum(
        word in spelling.NORWEGIAN_NOT_DANISH or bool(spelling.NORWEGIAN_SUFFIX.match(word))
        for word in words
    )
    nynorsk = sum(word in spelling.NYNORSK_NOT_BOKMAL for word in words)
    bokmal = sum(word in spelling.BOKMAL_NOT_NYNORSK for word in words)

    def against(count: int) -> float:
        return SPELLING_EVIDENCE_FACTOR ** -min(count, _MAX_SPELLING_EVIDENCE)

    return {
        "da": against(norwegian),
        "nb": against(danish) * against(nynorsk),
        "nn": against(danish) * against(bokmal),
    }


# Lingua's time grows with the text (seconds for one 100,000-character word, holding the GIL
# and so the HTTP server), while its answer is settled long before: the opening decides.
DETECTION_CHARS = 2_000


def _opening(text: str) -> str:
    """The first DETECTION_CHARS characters, cut at a space where there is one."""
    if len(text) <= DETECTION_CHARS:
        return text
    cut = text.rfind(" ", DETECTION_CHARS // 2, DETECTION_CHARS)
    return text[: cut if cut != -1 else DETECTION_CHARS]


def _letter_count(text: str) -> int:
    han = len(_HAN.findall(text))
    letters = sum(char.isalpha() for char in text)
    return letters - han + han * _HAN_LETTER_WEIGHT
