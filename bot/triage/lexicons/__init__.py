"""Per-language word lists for complaint scoring and theme keywords, and how they match.

An entry is a word, a phrase ("aldrig igen") or, with a trailing "*", a word stem
("besvik*" matches besviken, besvikelse). Chinese has no spaces between words, so its
entries match as substrings and its negations are looked for in the characters just before.
"""

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import Literal

Kind = Literal["complaint", "praise", "negation"]

# Which module holds a language's lists. Bokmål and Nynorsk share one (a reviewer mixes their
# spellings freely), and so do both Chinese scripts, whose lists hold both forms of each word.
_MODULES = {
    "sv": "sv",
    "nb": "no",
    "nn": "no",
    "no": "no",
    "da": "da",
    "fi": "fi",
    "en": "en",
    "zh": "zh",
    "zh-Hant": "zh",
    "zh-Hans": "zh",
}
# Other languages get the English lists: English words are the most common borrowings in
# reviews written in any language, and a wrong language's lists would match by accident.
_FALLBACK_MODULE = "en"


@dataclass(frozen=True)
class Lexicon:
    complaint: tuple[str, ...]
    praise: tuple[str, ...]
    negations: tuple[str, ...]
    themes: dict[str, tuple[str, ...]]
    # Phrases that contain a listed word but mean neither (Chinese 不好意思 "excuse me").
    neutral: tuple[str, ...] = ()
    # How far back a negation still turns praise into complaint: words, or for Chinese,
    # characters.
    negation_window: int = 3
    # Swedish, Norwegian and Danish put the negation after the verb: "rekommenderar inte".
    negation_follows: bool = False
    spaced: bool = True
    _compiled: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False, repr=False)

    def sentiment_hits(self, text: str) -> list[Kind]:
        """Each complaint or praise word in the text, and each negation that negates none.

        A negation shortly before a word ("inte bra", "ei hyvä", "不好吃"), or right after it
        where the language puts it after the verb ("rekommenderar inte"), turns praise into
        complaint and complaint into praise. A negation left over says what did not happen.
        """
        text = normalized(text)
        entries = self.neutral + self.complaint + self.praise
        opinions = list(self._pattern("opinion", entries).finditer(text))
        negations = [
            negation
            for negation in self._pattern("negation", self.negations).finditer(text)
            if not any(_overlaps(negation, opinion) for opinion in opinions)
        ]
        used: set[int] = set()
        hits: list[Kind] = []
        previous_end = 0
        for opinion in opinions:
            word = opinion.group()
            if not self._pattern("neutral", self.neutral).fullmatch(word):
                is_complaint = self._pattern("complaint", self.complaint).fullmatch(word)
                negated = self._negation_of(opinion, negations, previous_end)
                if negated is not None:
                    used.add(negated)
                hits.append(
                    "complaint" if bool(is_complaint) != (negated is not None) else "praise"
                )
            previous_end = opinion.end()
        hits.extend("negation" for index in range(len(negations)) if index not in used)
        return hits

    def theme_matches(self, text: str, theme: str) -> bool:
        pattern = self._pattern(f"theme:{theme}", self.themes.get(theme, ()))
        return bool(pattern.search(normalized(text)))

    def _negation_of(
        self, opinion: re.Match[str], negations: list[re.Match[str]], previous_end: int
    ) -> int | None:
        """Index of the negation that applies to this opinion word, if any."""
        text = opinion.string
        for index, negation in enumerate(negations):
            if previous_end <= negation.start() and negation.end() <= opinion.start():
                between = text[negation.end() : opinion.start()]
                if not _CLAUSE_BREAK.search(between) and self._span(between) < self.negation_window:
                    return index
            if self.negation_follows and negation.start() >= opinion.end():
                if not text[opinion.end() : negation.start()].strip():
                    return index
        return None

    def _span(self, between: str) -> int:
        return len(_WORD.findall(between)) if self.spaced else len(between.strip())

    def _pattern(self, name: str, entries: tuple[str, ...]) -> re.Pattern[str]:
        # Compiled on first use and kept: the lists are fixed once the module is loaded.
        if name not in self._compiled:
            self._compiled[name] = compile_entries(entries, spaced=self.spaced)
        return self._compiled[name]


_WORD = re.compile(r"[\w']+")
_CLAUSE_BREAK = re.compile(r"[.,;:!?。，；：！？、]")
_NEVER = re.compile(r"(?!)")


def _overlaps(first: re.Match[str], second: re.Match[str]) -> bool:
    return first.start() < second.end() and second.start() < first.end()


def normalized(text: str) -> str:
    """The text as the lists are matched against it: lower case, one kind of apostrophe."""
    return text.lower().replace("\u2019", "'")


def compile_entries(entries: tuple[str, ...], *, spaced: bool) -> re.Pattern[str]:
    """One pattern for the entries (words, phrases, "stem*"), matched on `normalized` text."""
    if not entries:
        return _NEVER
    # Longest first, so a phrase wins over a word it starts with (不错 before 不).
    ordered = sorted({entry.lower() for entry in entries}, key=len, reverse=True)
    if not spaced:
        return re.compile("|".join(re.escape(entry) for entry in ordered))
    return re.compile("|".join(_spaced_entry(entry) for entry in ordered))


def _spaced_entry(entry: str) -> str:
    words = []
    for word in entry.split():
        stem = word.removesuffix("*")
        words.append(re.escape(stem) + (r"[\w']*" if word.endswith("*") else ""))
    return r"(?<![\w'])" + r"[\s,.!?-]+".join(words) + r"(?![\w'])"


def lists_name(language: str) -> str:
    """The name the lists of a language code go by ("nn" → "no"); others get English's."""
    return _MODULES.get(language, _FALLBACK_MODULE)


@cache
def lexicon_for(language: str) -> Lexicon:
    """The lists for a language code; languages without their own lists get English."""
    return import_module(f"{__name__}.{lists_name(language)}").LEXICON
