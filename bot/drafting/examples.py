"""Approved replies shown to the model as examples of the team's voice: which, and how safely.

An example is another customer's review and the reply the team approved for it. Before the
model sees one, the customer's name and any contact details are replaced by placeholders, so
the model neither learns nor repeats who wrote it, and the examples shown are capped by the
tokens they cost rather than by how many there are.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import phonenumbers

from bot.drafting.guardrails.contacts import EMAIL
from bot.drafting.names import greeting_name
from bot.drafting.schema import Example

CUSTOMER_PLACEHOLDER = "[customer]"
CONTACT_PLACEHOLDER = "[contact]"

# Character n-grams need no tokenizer, so the same measure works for Finnish compounds
# and for Chinese, which has no spaces between words.
NGRAM_SIZES = (2, 3)
_SPACE = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Where a phone number without a country code is read as local.
_PHONE_REGIONS = {
    "sv": "SE",
    "nb": "NO",
    "nn": "NO",
    "no": "NO",
    "fi": "FI",
    "da": "DK",
    "de": "DE",
    "en": "GB",
    "zh-Hant": "TW",
    "zh-Hans": "CN",
}
# A name part shorter than this ("S." in "Anna S.") would match ordinary words.
_MIN_NAME_PART = 2


def _ngrams(text: str) -> Counter[str]:
    normalised = _SPACE.sub(" ", text.casefold()).strip()
    grams: Counter[str] = Counter()
    for size in NGRAM_SIZES:
        grams.update(normalised[i : i + size] for i in range(len(normalised) - size + 1))
    return grams


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(count * b[gram] for gram, count in a.items() if gram in b)
    norm = math.sqrt(sum(c * c for c in a.values())) * math.sqrt(sum(c * c for c in b.values()))
    return dot / norm


def closest_examples(review_text: str, candidates: Sequence[Example]) -> list[Example]:
    """The candidates ranked by how much their reviews read like this one, most similar first.

    Ties keep the candidates' order, so a caller passing newest first gets the newest.
    """
    target = _ngrams(review_text)
    scored = [
        (_cosine(target, _ngrams(example.review_text)), index, example)
        for index, example in enumerate(candidates)
    ]
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [example for _, _, example in scored]


def _names(author: str | None) -> list[str]:
    """The forms of the author's name a review or reply may carry, longest first."""
    full = " ".join((author or "").split())
    if not full:
        return []
    forms = {full}
    greeted = greeting_name(full)
    if greeted:
        forms.add(greeted)
    if not _HAN.search(full):
        forms.update(
            part
            for part in (p.strip(",.;:!?") for p in full.split(" "))
            if len(part) >= _MIN_NAME_PART and part[0].isupper()
        )
    return sorted(forms, key=len, reverse=True)


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = []
    for name in names:
        if _HAN.search(name):
            # Han characters are word characters: no word edge separates 陳小姐 from 您好.
            alternatives.append(re.escape(name))
        else:
            # The name as a whole word, with a Nordic or English genitive: "Annas", "Anna's".
            alternatives.append(rf"(?<!\w){re.escape(name)}(?:'?s)?(?!\w)")
    return re.compile("|".join(alternatives)) if alternatives else None


def _without_phones(text: str, language: str) -> str:
    region = _PHONE_REGIONS.get(language, _PHONE_REGIONS.get(language.split("-")[0]))
    matches = list(phonenumbers.PhoneNumberMatcher(text, region))
    for match in reversed(matches):
        text = text[: match.start] + CONTACT_PLACEHOLDER + text[match.end :]
    return text


def _scrub(text: str, names: re.Pattern[str] | None, language: str) -> str:
    if names is not None:
        text = names.sub(CUSTOMER_PLACEHOLDER, text)
    return _without_phones(EMAIL.sub(CONTACT_PLACEHOLDER, text), language)


def anonymised(example: Example, *, language: str) -> Example:
    """The example with its customer's name and every e-mail address and phone number replaced.

    The business's own contact goes too: the example may be from another location, and the
    prompt says what [contact] stands for.
    """
    names = _name_pattern(_names(example.author))
    return Example(
        review_text=_scrub(example.review_text, names, language),
        reply_text=_scrub(example.reply_text, names, language),
    )
