"""Whether a review is negative: the rating decides, and the text where the rating cannot."""

from dataclasses import dataclass

from bot.triage.lexicons import lexicon_for

# A negation that negates no listed word ("they did not call back", "没人来") is weaker
# evidence than a complaint word, but reviews that say what did not happen mostly complain.
LONE_NEGATION_WEIGHT = 0.5


@dataclass(frozen=True)
class Thresholds:
    negative_at_most: int = 2  # ratings <= this are negative
    ambiguous_rating: int = 3  # this rating is negative when the text complains
    # complaint_score at or above this counts as "the text complains". At 0.5 a text that
    # complains as much as it praises is negative: a mixed review still deserves an answer.
    complains_at: float = 0.5


def complaint_score(text: str, language: str) -> float:
    """Share of the opinion words in the text that complain, 0..1; 0 when there are none.

    Opinion words come from the language's lexicon; a praise word after a negation ("inte
    bra", "ei hyvä", "不好吃") counts as a complaint and a negated complaint as praise.
    """
    weights = {"complaint": 1.0, "praise": 0.0, "negation": LONE_NEGATION_WEIGHT}
    hits = lexicon_for(language).sentiment_hits(text)
    evidence = sum(LONE_NEGATION_WEIGHT if kind == "negation" else 1.0 for kind in hits)
    return sum(weights[kind] for kind in hits) / evidence if evidence else 0.0


def is_negative(
    rating: int | None, text: str, language: str, thresholds: Thresholds = Thresholds()
) -> bool:
    if rating is not None and rating <= thresholds.negative_at_most:
        return True
    if rating is not None and rating != thresholds.ambiguous_rating:
        return False
    return complaint_score(text, language) >= thresholds.complains_at
