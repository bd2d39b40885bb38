"""The draft's language, written standard and script against the review's.

The detector is restricted to the languages the deployment configured, so it reads a German
reply as Nynorsk: when it disagrees with the review, the draft's own frequent words get the
last say. Bokmål and Nynorsk are told apart word by word, so a Nynorsk reply with "ikke" in
it is caught even where the whole text still reads as Nynorsk.
"""

from __future__ import annotations

import re
from collections import Counter

import hanzidentifier

from bot.drafting.guardrails.context import UNDETERMINED, DraftContext
from bot.drafting.schema import Finding

NORWEGIAN = frozenset({"no", "nb", "nn"})
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
# Words evidence must weigh before it overrules the detector, and by how much it must lead.
_EVIDENCE = 3
_LEAD = 2
# The other standard's forms that make a reply that standard rather than a slip: at least
# this many, and this many times the reply's own.
_OTHER_STANDARD = 3
_OTHER_LEAD = 2
# A sentence is English when this many of its words are English markers.
_ENGLISH_WORDS = 3
_ENGLISH_SHARE = 0.4
_SHOWN = 80


def language(ctx: DraftContext) -> list[Finding]:
    """Whole-text language, else a Bokmål/Nynorsk mix, else English sentences inside."""
    expected = ctx.review.language
    if expected in UNDETERMINED:
        return []
    words = [w.casefold() for w in _WORD.findall(ctx.text)]
    forms = _other_forms(ctx, words)
    whole = _whole_text(ctx, expected, words, forms)
    if whole:
        return whole
    return _variant(ctx, expected, forms) or _english_sentence(ctx, expected)


def _same_language(expected: str, detected: str) -> bool:
    if expected == detected:
        return True
    if expected.startswith("zh") and detected.startswith("zh"):
        return True  # Traditional vs Simplified is the script check's business.
    return "no" in (expected, detected) and {expected, detected} <= NORWEGIAN


def _whole_text(
    ctx: DraftContext, expected: str, words: list[str], forms: dict[str, list[str]]
) -> list[Finding]:
    if expected in ("nb", "nn"):
        own = _own_forms(ctx, expected, words)
        for source, found in forms.items():
            clearly = len(found) >= _OTHER_STANDARD and len(found) >= _OTHER_LEAD * own
            if source in NORWEGIAN and clearly:
                return [_wrong_language(ctx, source, expected)]
    detected = ctx.detect_language(ctx.text)
    if detected in UNDETERMINED or _same_language(expected, detected):
        return []
    if ctx.terms is None:
        # No words to go by: a detector that reads the review itself the same way does not
        # know the language either, and the draft is most likely in the review's language.
        if ctx.detect_language(ctx.review_text) == detected:
            return []
        return [_wrong_language(ctx, detected, expected)]
    if _words_say(ctx, words, ctx.terms.family):
        return []
    return [_wrong_language(ctx, detected, expected)]


def _wrong_language(ctx: DraftContext, detected: str, expected: str) -> Finding:
    say = ctx.say
    message = say("language", detected=say.language(detected), expected=say.language(expected))
    return Finding("language", message)


def _words_say(ctx: DraftContext, words: list[str], family: str) -> bool:
    """Whether the language family's frequent words clearly dominate the text."""
    counts = _family_counts(ctx, words)
    own = counts.pop(family, 0)
    rival = max(counts.values(), default=0)
    return own >= _EVIDENCE and own >= _LEAD * rival


def _family_counts(ctx: DraftContext, words: list[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for family, markers in ctx.vocabulary.family_markers.items():
        counts[family] = sum(word in markers for word in words)
    return counts


def _other_forms(ctx: DraftContext, words: list[str]) -> dict[str, list[str]]:
    """Forms of another written standard (Bokmål in Nynorsk, Danish in Bokmål), by source."""
    if ctx.terms is None:
        return {}
    found = {}
    for source, forms in ctx.terms.other_forms.items():
        hits = list(dict.fromkeys(word for word in words if word in forms))
        if hits:
            found[source] = hits
    return found


def _own_forms(ctx: DraftContext, expected: str, words: list[str]) -> int:
    """How many words only `expected` writes so: the other standard's file lists them."""
    other = "nn" if expected == "nb" else "nb"
    terms = ctx.vocabulary.terms(other)
    forms = terms.other_forms.get(expected, {}) if terms else {}
    return sum(word in forms for word in words)


def _variant(ctx: DraftContext, expected: str, forms: dict[str, list[str]]) -> list[Finding]:
    if ctx.terms is None:
        return []
    findings = []
    for source, found in forms.items():
        replacements = ctx.terms.other_forms[source]
        words = ctx.say.join([f"{word} → {replacements[word]}" for word in found])
        message = ctx.say(
            "variant",
            other=ctx.say.language(source),
            expected=ctx.say.language(expected),
            words=words,
        )
        findings.append(Finding("variant", message))
    return findings


def _english_sentence(ctx: DraftContext, expected: str) -> list[Finding]:
    family = ctx.vocabulary.family(expected)
    if family == "en":
        return []
    english = ctx.vocabulary.family_markers.get("en", frozenset())
    own = ctx.vocabulary.family_markers.get(family, frozenset())
    for sentence in ctx.sentences:
        words = [w.casefold() for w in _WORD.findall(sentence) if _LATIN.match(w)]
        hits = sum(word in english for word in words)
        if hits < _ENGLISH_WORDS or hits < _ENGLISH_SHARE * len(words):
            continue
        if family == "zh":
            is_english = not _HAN.search(sentence)
        else:
            is_english = hits > _LEAD * sum(word in own for word in words)
        if is_english:
            message = ctx.say(
                "foreign_sentence", expected=ctx.say.language(expected), found=sentence[:_SHOWN]
            )
            return [Finding("language", message)]
    return []


def script(ctx: DraftContext) -> list[Finding]:
    language = ctx.review.language
    if language == "zh-Hant":
        wrong = [c for c in ctx.text if _simplified_only(c)]
        other = "zh-Hans"
    elif language == "zh-Hans":
        wrong = [c for c in ctx.text if _traditional_only(c)]
        other = "zh-Hant"
    else:
        return []
    if not wrong:
        return []
    message = ctx.say(
        "script",
        wrong=ctx.say.script(other),
        expected=ctx.say.language(language),
        chars="".join(dict.fromkeys(wrong)),
    )
    return [Finding("script", message)]


def _simplified_only(char: str) -> bool:
    return hanzidentifier.is_simplified(char) and not hanzidentifier.is_traditional(char)


def _traditional_only(char: str) -> bool:
    return hanzidentifier.is_traditional(char) and not hanzidentifier.is_simplified(char)
