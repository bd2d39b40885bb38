"""The customer's own words about the problem, short enough to quote back in a reply.

A template cannot restate a complaint in its own words, but it can quote the customer: the
first sentence that complains (by the triage lexicons), or failing that one that names what
the review is about without praising it, cut at a word boundary so a quote stays a phrase.
"""

from __future__ import annotations

import re

from bot.triage.lexicons import lexicon_for
from bot.triage.negativity import Thresholds, complaint_score
from bot.triage.themes import keyword_themes

# Characters long enough for a phrase: words for spaced scripts, characters for Chinese.
SPACED_LIMIT = 80
HAN_LIMIT = 30
MIN_WORDS = 2
MIN_HAN_CHARACTERS = 4
# A sentence holding these is not quoted: quotation marks would nest inside the reply's own,
# and brackets or braces would read as a placeholder left to fill in.
UNQUOTABLE = frozenset('"“”„«»「」『』[]{}<>')

_SPACED_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
# Chinese reviews often end sentences with half-width marks too ("陈旧.建议"); a dot before a
# digit is a decimal point.
_HAN_SENTENCE_END = re.compile(r"(?<=[。！？!?；;…])|(?<=\.)(?!\d)|\n+")
_SPACED_CLAUSE_MARKS = ",;:–—"
_HAN_CLAUSE_MARKS = "，、；,; "
# Trimmed from both ends of a phrase: the reply's own punctuation follows the quote.
_EDGE_PUNCTUATION = ".!?…。！？～~,，、;；:：-–— "


def complaint_phrases(text: str, language: str, *, limit: int = 3) -> list[str]:
    """Up to `limit` phrases from the text, best first, in the order they were written.

    Best is a complaint about something the review is about ("maten var kall och personalen
    otrevlig"), then a complaint of any kind, then a mention of a theme without praise
    ("pakken kom aldri"). A phrase with no complaint word and no theme says too little
    quoted on its own.
    """
    lexicon = lexicon_for(language)
    splitter = _SPACED_SENTENCE_END if lexicon.spaced else _HAN_SENTENCE_END
    ranked: list[tuple[int, str]] = []
    for sentence in splitter.split(text):
        if UNQUOTABLE & set(sentence):
            continue
        phrase = _shortened(sentence, spaced=lexicon.spaced)
        if not _long_enough(phrase, spaced=lexicon.spaced):
            continue
        hits = lexicon.sentiment_hits(phrase)
        themed = keyword_themes(phrase, language) != ["other"]
        if "complaint" in hits and complaint_score(phrase, language) >= Thresholds().complains_at:
            ranked.append((0 if themed else 1, phrase))
        elif themed and "praise" not in hits:
            ranked.append((2, phrase))
    return [phrase for _, phrase in sorted(ranked, key=lambda item: item[0])][:limit]


def _long_enough(phrase: str, *, spaced: bool) -> bool:
    if spaced:
        return len(phrase.split()) >= MIN_WORDS
    return len(phrase) >= MIN_HAN_CHARACTERS


def _shortened(sentence: str, *, spaced: bool) -> str:
    """The sentence without punctuation at its ends, cut at a word or clause boundary."""
    phrase = " ".join(sentence.split()).strip(_EDGE_PUNCTUATION)
    limit = SPACED_LIMIT if spaced else HAN_LIMIT
    if len(phrase) <= limit:
        return phrase
    # Cut at the last clause mark in the second half, else at a word boundary (Chinese has no
    # spaces: at the limit).
    marks = _SPACED_CLAUSE_MARKS if spaced else _HAN_CLAUSE_MARKS
    clause = max(phrase.rfind(mark, 0, limit) for mark in marks)
    if clause >= limit // 2:
        cut = phrase[:clause]
    elif spaced:
        cut = phrase[: limit + 1].rsplit(" ", 1)[0]
    else:
        cut = phrase[:limit]
    return cut.rstrip(marks + " -") + ("…" if spaced else "……")
