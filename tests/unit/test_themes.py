import pytest

from bot.triage.themes import THEME_LABELS, THEMES, keyword_themes


def test_every_theme_has_an_english_label() -> None:
    assert list(THEME_LABELS) == list(THEMES)
    assert THEME_LABELS["staff_service"] == "Staff and service"
    assert THEME_LABELS["app_website"] == "App or website"


@pytest.mark.parametrize(
    ("language", "text", "themes"),
    [
        ("sv", "Paketet kom aldrig och kundtjänst svarade inte.", ["delivery", "staff_service"]),
        ("sv", "Alldeles för dyrt och smutsigt på toaletten.", ["price", "cleanliness"]),
        ("nb", "Vi måtte vente i to timer, og prisen var altfor høy.", ["waiting_time", "price"]),
        ("nn", "Appen krasjar kvar gong eg prøver å logge inn.", ["app_website"]),
        ("da", "Jeg blev opkrævet to gange, og fakturaen er forkert.", ["billing"]),
        (
            "fi",
            "Toimitus kesti kolme viikkoa ja hinta oli kallis.",
            ["delivery", "waiting_time", "price"],
        ),
        (
            "en",
            "The invoice charged me twice and the website kept crashing.",
            ["app_website", "billing"],
        ),
        (
            "zh-Hant",
            "外送等了一個小時，店員態度很差。",
            ["delivery", "staff_service", "waiting_time"],
        ),
        ("zh-Hans", "房间很脏，价格还很贵。", ["price", "cleanliness"]),
        ("zh-Hans", "产品质量太差了，申请退款也没人理。", ["product_quality", "billing"]),
    ],
)
def test_keywords_per_language(language: str, text: str, themes: list[str]) -> None:
    assert keyword_themes(text, language) == themes


def test_themes_come_back_in_theme_order() -> None:
    found = keyword_themes("Dyrt, och leveransen var sen.", "sv")
    assert found == sorted(found, key=THEMES.index)
    assert found[0] == "delivery"


def test_nothing_recognised_is_other() -> None:
    assert keyword_themes("Hmm.", "sv") == ["other"]
    assert keyword_themes("", "zh-Hant") == ["other"]


def test_keywords_match_whole_words_only() -> None:
    # "kr" (kronor) must not match inside another word.
    assert "price" not in keyword_themes("Krukan var fin.", "sv")
