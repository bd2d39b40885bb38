"""The words the checks look for, read once from the term files in terms/ (one per language)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

TERMS_DIR = Path(__file__).with_name("terms")
REMEDY_KINDS = ("refund", "voucher", "discount", "free_item", "replacement", "compensation")

# An amount as written in replies: "1 280", "1.200", "NT$1,280", "4,90", "349".
NUMBER = r"\d{1,3}(?:[ \u00a0.,]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d{1,2})?(?!\d)"


@dataclass(frozen=True)
class LanguageTerms:
    """What one language's term file says beyond the patterns every draft is searched for."""

    code: str
    family: str
    region: str | None
    markers: frozenset[str]
    first_name_only: bool
    formal_greetings: tuple[str, ...]
    titles: tuple[str, ...]
    generic_greetings: tuple[str, ...]
    # Source standard → {its form: this language's form}, e.g. Bokmål forms in Nynorsk.
    other_forms: dict[str, dict[str, str]]


@dataclass(frozen=True)
class DraftPatterns:
    """What a draft in one language is searched for, compiled."""

    remedies: dict[str, re.Pattern[str]]
    treats: re.Pattern[str]
    promises: re.Pattern[str]
    arguing: re.Pattern[str]
    meta: re.Pattern[str]


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """Every term file. A review is searched for instructions in every language; a draft for
    the patterns of its review's language family and English (an English refund in a Swedish
    reply is still a refund), or of every language when the review's has no term file. Keeping
    the languages apart matters: Danish "du burde have kunnet" is no Norwegian blame."""

    languages: dict[str, LanguageTerms]
    family_markers: dict[str, frozenset[str]]
    files: dict[str, dict[str, Any]]
    instructions: re.Pattern[str]
    placeholders: re.Pattern[str]
    amount: re.Pattern[str]
    percent_units: re.Pattern[str]

    def terms(self, code: str) -> LanguageTerms | None:
        return self.languages.get(code)

    def family(self, code: str) -> str:
        """ "nb", "nn" and "no" are Norwegian; both Chinese scripts are Chinese."""
        terms = self.languages.get(code)
        if terms:
            return terms.family
        if code.startswith("zh"):
            return "zh"
        return code

    def draft_patterns(self, language: str) -> DraftPatterns:
        family = self.family(language)
        codes = [code for code, terms in self.languages.items() if terms.family in (family, "en")]
        if family not in self.family_markers:
            codes = list(self.languages)
        return _draft_patterns(self, ("common", *sorted(codes)))


@cache
def vocabulary() -> Vocabulary:
    """Read and compile the term files; the first check of a process pays for it, once."""
    files = {path.stem: _load(path) for path in sorted(TERMS_DIR.glob("*.yml"))}
    languages = {
        code: _language_terms(code, data) for code, data in files.items() if code != "common"
    }
    family_markers: dict[str, frozenset[str]] = {}
    for terms in languages.values():
        family_markers[terms.family] = family_markers.get(terms.family, frozenset()) | terms.markers
    everything = list(files.values())

    def gathered(key: str) -> list[str]:
        return [pattern for data in everything for pattern in data.get(key, ())]

    percent = gathered("percent")
    return Vocabulary(
        languages=languages,
        family_markers=family_markers,
        files=files,
        instructions=_union(gathered("instructions")),
        placeholders=_union(gathered("placeholders")),
        amount=_amount_pattern(
            gathered("currency_before"), [*gathered("currency_after"), *percent]
        ),
        percent_units=re.compile(_alternatives(percent), re.IGNORECASE),
    )


@cache
def _draft_patterns(vocab: Vocabulary, codes: tuple[str, ...]) -> DraftPatterns:
    chosen = [vocab.files[code] for code in codes]

    def gathered(key: str) -> list[str]:
        return [pattern for data in chosen for pattern in data.get(key, ())]

    return DraftPatterns(
        remedies={
            kind: _union(pattern for data in chosen for pattern in _remedies(data, kind))
            for kind in REMEDY_KINDS
        },
        treats=_union(gathered("treats")),
        promises=_union(gathered("promises")),
        arguing=_union(gathered("arguing")),
        meta=_union(gathered("meta")),
    )


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} must be a mapping")
    return data


def _language_terms(code: str, data: dict[str, Any]) -> LanguageTerms:
    greeting = data.get("greeting") or {}
    return LanguageTerms(
        code=code,
        family=str(data.get("family", code)),
        region=data.get("region"),
        markers=frozenset(word.casefold() for word in data.get("markers", ())),
        first_name_only=bool(greeting.get("first_name_only", False)),
        formal_greetings=tuple(greeting.get("formal", ())),
        titles=tuple(greeting.get("titles", ())),
        generic_greetings=tuple(greeting.get("generic", ())),
        other_forms={
            source: {form.casefold(): own for form, own in forms.items()}
            for source, forms in (data.get("other_forms") or {}).items()
        },
    )


def _remedies(data: dict[str, Any], kind: str) -> list[str]:
    return list((data.get("remedies") or {}).get(kind, ()))


def _union(patterns: Iterable[str]) -> re.Pattern[str]:
    joined = "|".join(f"(?:{pattern})" for pattern in patterns)
    return re.compile(joined or r"(?!)", re.IGNORECASE)


def _alternatives(patterns: list[str]) -> str:
    return "|".join(f"(?:{pattern})" for pattern in patterns)


def _amount_pattern(before: list[str], after: list[str]) -> re.Pattern[str]:
    # The unit must end the word ("kr" but not "kronor" cut short, "euroa" not "euro"+"a");
    # Han characters may follow, as in 200元的折價券.
    return re.compile(
        f"(?<![A-Za-z])(?:{_alternatives(before)})\\s?(?P<before>{NUMBER})"
        f"|(?<![\\d.,])(?P<after>{NUMBER})\\s?(?P<unit>{_alternatives(after)})(?![A-Za-zÀ-ÿ])",
        re.IGNORECASE,
    )
