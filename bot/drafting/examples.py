"""Choosing which approved replies to show the model as examples of the team's voice."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from bot.drafting.schema import Example

# Character n-grams need no tokenizer, so the same measure works for Finnish compounds
# and for Chinese, which has no spaces between words.
NGRAM_SIZES = (2, 3)
_SPACE = re.compile(r"\s+")


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


def closest_examples(review_text: str, candidates: Sequence[Example], k: int = 3) -> list[Example]:
    """The k candidates whose reviews read most like this one, most similar first.

    Ties keep the candidates' order, so a caller passing newest first gets the newest.
    """
    if k <= 0:
        return []
    target = _ngrams(review_text)
    scored = [
        (_cosine(target, _ngrams(example.review_text)), index, example)
        for index, example in enumerate(candidates)
    ]
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [example for _, _, example in scored[:k]]
