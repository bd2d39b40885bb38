import json

import pytest

from bot.triage.negativity import Thresholds, complaint_score, is_negative
from tests.support.shared_data import SHARED_DATA

DATA = SHARED_DATA

PRAISE = "Fantastisk service och supergod mat, rekommenderar verkligen!"
COMPLAINT = "Maten var inte bra och personalen var otrevlig."


@pytest.mark.parametrize("rating", [1, 2])
def test_low_ratings_are_negative_whatever_the_text(rating: int) -> None:
    assert is_negative(rating, PRAISE, "sv")
    assert is_negative(rating, "", "sv")


@pytest.mark.parametrize("rating", [4, 5])
def test_high_ratings_are_not_negative_whatever_the_text(rating: int) -> None:
    assert not is_negative(rating, COMPLAINT, "sv")


def test_three_stars_are_negative_when_the_text_complains() -> None:
    assert is_negative(3, COMPLAINT, "sv")
    assert not is_negative(3, PRAISE, "sv")
    assert not is_negative(3, "", "sv")


def test_without_a_rating_the_text_decides() -> None:
    assert is_negative(None, COMPLAINT, "sv")
    assert not is_negative(None, PRAISE, "sv")
    assert not is_negative(None, "", "sv")


def test_thresholds_are_settings() -> None:
    strict = Thresholds(negative_at_most=1, ambiguous_rating=2)
    assert not is_negative(2, PRAISE, "sv", strict)
    assert is_negative(2, COMPLAINT, "sv", strict)
    assert not is_negative(3, COMPLAINT, "sv", strict)
    assert not is_negative(None, COMPLAINT, "sv", Thresholds(complains_at=1.01))


@pytest.mark.parametrize(
    ("language", "complaint", "praise"),
    [
        (
            "sv",
            "Leveransen var försenad och ingen svarade. Rekommenderar inte.",
            "Snabb och trevlig!",
        ),
        ("nb", "Maten var ikke god, og servitøren var frekk.", "Veldig fornøyd, anbefales!"),
        ("nn", "Maten var ikkje god, og det var ei dårleg oppleving.", "Hyggeleg og flott stad."),
        ("da", "Maden var ikke god, og tjeneren var uhøflig.", "Dejlig mad og venlig personale."),
        (
            "fi",
            "Ruoka ei ollut hyvää ja palvelu oli tylyä.",
            "Erittäin hyvä ja ystävällinen palvelu.",
        ),
        ("en", "The food was not good and the staff were rude.", "Lovely place, friendly staff!"),
        ("zh-Hant", "東西不好吃，服務態度很差。", "很好吃，服務也很親切，推薦！"),
        ("zh-Hans", "外卖送得太慢了，菜都凉了。", "很好吃，送餐很快，满意！"),
    ],
)
def test_complaints_and_praise_per_language(language: str, complaint: str, praise: str) -> None:
    assert is_negative(None, complaint, language)
    assert not is_negative(None, praise, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sv", "Inga problem alls, bra service."),
        ("nb", "Ikke dårlig i det hele tatt!"),
        ("zh-Hans", "不好意思，这家真的不错。"),
        ("zh-Hant", "沒有問題，很好吃。"),
        ("zh-Hans", "不错不错不错"),
    ],
)
def test_negated_complaints_and_polite_phrases_are_not_complaints(language: str, text: str) -> None:
    assert not is_negative(None, text, language)


def test_a_negation_after_the_verb_negates_it() -> None:
    assert is_negative(None, "Rekommenderar inte.", "sv")
    assert is_negative(None, "Anbefaler ikke.", "nb")


def test_complaint_score_is_a_share() -> None:
    assert complaint_score("", "sv") == 0.0
    assert complaint_score("Dålig mat.", "sv") == 1.0
    assert complaint_score("Bra mat.", "sv") == 0.0
    assert complaint_score("Bra mat men dålig service.", "sv") == 0.5


def test_other_languages_use_the_english_lists() -> None:
    assert is_negative(None, "Service terrible, never again", "fr")
    assert not is_negative(None, "Das Essen war excellent", "de")


@pytest.mark.skipif(not (DATA / "sv.jsonl").exists(), reason="shared/data not available")
@pytest.mark.parametrize(("name", "language"), [("sv", "sv"), ("zh-Hant", "zh-Hant")])
def test_labelled_reviews_are_mostly_classified_right(name: str, language: str) -> None:
    with (DATA / f"{name}.jsonl").open(encoding="utf-8") as lines:
        reviews = [json.loads(line) for line in lines]
    labelled = [review for review in reviews if review["label"] in ("negative", "positive")]
    right = sum(
        is_negative(None, review["text"], language) == (review["label"] == "negative")
        for review in labelled
    )
    assert right / len(labelled) >= 0.8
