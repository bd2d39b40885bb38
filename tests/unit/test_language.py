import json

import pytest

from bot.triage.language import LanguageDetector
from bot.triage.language_tags import DETECTABLE_LANGUAGES, chinese_script, normalize_language_tag
from tests.support.shared_data import SHARED_DATA

DATA = SHARED_DATA

NYNORSK = "Dette var ei skikkeleg dårleg oppleving, og eg kjem ikkje tilbake til denne butikken."
BOKMAL = "Vi ventet i over en time på bordet vårt, selv om vi hadde bestilt."
DANISH = "Jeg bestilte en ny sofa for tre uger siden, og den er stadig ikke kommet. Hvad sker der?"
TRADITIONAL = "這家餐廳的服務真的很差，我們等了一個小時才上菜。"
SIMPLIFIED = "这家餐厅的服务真的很差，我们等了一个小时才上菜。"


@pytest.fixture(scope="module")
def anywhere() -> LanguageDetector:
    return LanguageDetector()


@pytest.fixture(scope="module")
def norway() -> LanguageDetector:
    return LanguageDetector(
        countries=("NO",),
        default_language="nb",
        location_languages={"Bergen sentrum": "nn"},
    )


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("no", "nb"),
        ("nb-NO", "nb"),
        ("nob", "nb"),
        ("NB_no", "nb"),
        ("nn-NO", "nn"),
        ("sv-SE", "sv"),
        ("fi-FI", "fi"),
        ("da", "da"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-Hant-TW", "zh-Hant"),
        ("zh_hant", "zh-Hant"),
        ("zh-CN", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("zh", "zh"),
        ("en-GB", "en"),
        ("deu", "de"),
        (None, None),
        ("", None),
        ("xx", None),
        ("english", None),
        ("12", None),
        ("sv SE", None),
    ],
)
def test_normalize_language_tag(tag: str | None, expected: str | None) -> None:
    assert normalize_language_tag(tag) == expected


def test_the_tags_checked_are_the_languages_lingua_detects() -> None:
    from lingua import Language

    assert DETECTABLE_LANGUAGES == {
        language.iso_code_639_3.name.lower(): language.iso_code_639_1.name.lower()
        for language in Language.all()
    }


def test_hint_wins_over_the_text(anywhere: LanguageDetector) -> None:
    guess = anywhere.detect("Maten var kall och personalen otrevlig.", hint="fi-FI")
    assert (guess.code, guess.source, guess.assumed, guess.confidence) == ("fi", "hint", False, 1.0)


def test_zh_hint_still_gets_its_script_detected(anywhere: LanguageDetector) -> None:
    assert anywhere.detect(TRADITIONAL, hint="zh").code == "zh-Hant"
    assert anywhere.detect(SIMPLIFIED, hint="zh").code == "zh-Hans"
    assert anywhere.detect(SIMPLIFIED, hint="zh-TW").code == "zh-Hant"


def test_no_hint_means_bokmal_unless_clearly_nynorsk(anywhere: LanguageDetector) -> None:
    assert anywhere.detect(BOKMAL, hint="no").code == "nb"
    assert anywhere.detect(NYNORSK, hint="no").code == "nn"
    assert anywhere.detect("Bra", hint="no").code == "nb"
    assert anywhere.detect(NYNORSK, hint="nb").code == "nb"


def test_unknown_hint_is_ignored(anywhere: LanguageDetector) -> None:
    guess = anywhere.detect(BOKMAL, hint="klingon")
    assert (guess.code, guess.source) == ("nb", "detected")


@pytest.mark.parametrize("text", ["", "   ", "👍👍", "Ok", "Bra!", "10/10"])
def test_short_text_falls_back_to_the_location_language(
    norway: LanguageDetector, text: str
) -> None:
    guess = norway.detect(text, location="bergen SENTRUM")
    assert (guess.code, guess.source, guess.assumed) == ("nn", "location", True)


def test_short_text_without_known_location_gets_the_default(norway: LanguageDetector) -> None:
    guess = norway.detect("Ok", location="Tromsø")
    assert (guess.code, guess.source, guess.assumed) == ("nb", "default", True)


def test_text_no_language_is_sure_of_is_assumed() -> None:
    # Long enough to try, but "Normal pris" is written so in several of the languages.
    guess = LanguageDetector(default_language="sv").detect("Normal pris")
    assert (guess.code, guess.source, guess.assumed) == ("sv", "default", True)


def test_nynorsk_and_bokmal_are_told_apart(anywhere: LanguageDetector) -> None:
    assert anywhere.detect(NYNORSK).code == "nn"
    assert anywhere.detect("Kvifor tek det så lang tid å få pengane tilbake?").code == "nn"
    assert anywhere.detect(BOKMAL).code == "nb"
    assert anywhere.detect("Hvorfor tar det så lang tid å få pengene tilbake?").code == "nb"


@pytest.mark.parametrize(
    "text",
    [
        DANISH,
        "Personalet var søde, men værelset var beskidt og lugtede af røg.",
        "Pakken blev leveret til den forkerte adresse, og ingen svarer på mine mails.",
        "Hvorfor tager det så lang tid at få mine penge tilbage?",
    ],
)
def test_danish_stays_danish_when_the_business_serves_only_norway(
    norway: LanguageDetector, text: str
) -> None:
    guess = norway.detect(text)
    assert (guess.code, guess.assumed) == ("da", False)


def test_a_close_call_goes_to_the_market_the_business_serves(norway: LanguageDetector) -> None:
    # Lingua alone leans Danish here; for a business in Norway it is Norwegian.
    guess = norway.detect("Det er ikke godt nok.")
    assert (guess.code, guess.assumed) == ("nb", False)


def test_swedish_finnish_and_english_are_detected(anywhere: LanguageDetector) -> None:
    assert anywhere.detect("Vi fick vänta i över en timme på maten.").code == "sv"
    assert anywhere.detect("Tilaus saapui kaksi viikkoa myöhässä.").code == "fi"
    assert anywhere.detect("The parcel arrived two weeks late.").code == "en"


def test_traditional_and_simplified_are_told_apart(anywhere: LanguageDetector) -> None:
    assert chinese_script(TRADITIONAL) == "zh-Hant"
    assert chinese_script(SIMPLIFIED) == "zh-Hans"
    assert anywhere.detect(TRADITIONAL).code == "zh-Hant"
    assert anywhere.detect(SIMPLIFIED).code == "zh-Hans"


def test_mixed_script_goes_by_the_majority() -> None:
    # One simplified character (这) in an otherwise traditional text.
    assert chinese_script("这家餐廳的服務與環境都讓人失望") == "zh-Hant"


def test_script_neutral_chinese_follows_the_business() -> None:
    assert chinese_script("好吃") == "zh-Hans"
    assert chinese_script("好吃", ambiguous="zh-Hant") == "zh-Hant"
    assert LanguageDetector(countries=("TW",)).detect("很快，好吃").code == "zh-Hant"
    assert LanguageDetector(default_language="zh-HK").detect("好吃").code == "zh-Hant"
    assert LanguageDetector(countries=("CN",)).detect("好吃").code == "zh-Hans"


def test_configuration_errors_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown country"):
        LanguageDetector(countries=("XX",))
    with pytest.raises(ValueError, match="unknown language"):
        LanguageDetector(("sv", "elvish"))


@pytest.mark.skipif(not (DATA / "no.jsonl").exists(), reason="shared/data not available")
def test_norwegian_reviews_are_norwegian_for_a_business_in_norway(norway: LanguageDetector) -> None:
    with (DATA / "no.jsonl").open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in lines]
    codes = [norway.detect(text).code for text in texts]
    norwegian = sum(code in ("nb", "nn") for code in codes)
    assert norwegian / len(codes) >= 0.97


def test_a_long_review_is_told_by_its_opening(anywhere: LanguageDetector) -> None:
    from bot.triage.language import DETECTION_CHARS

    opening = (DANISH + " ") * (DETECTION_CHARS // len(DANISH) + 1)
    rest = "Palvelu oli todella huonoa ja ruoka kylmää. " * 500
    assert anywhere.detect(opening + rest).code == "da"
    assert anywhere.detect(rest).code == "fi"
