"""Urgency from keywords: legal threats, health and safety, discrimination, in every language
the triage lists cover, without flagging ordinary complaints."""

import json

import pytest

from bot.triage.urgency import find_urgency
from tests.support.shared_data import SHARED_DATA

URGENT = [
    ("sv", "Jag har kontaktat en advokat och kommer att stämma er.", "legal", "advokat"),
    ("sv", "Jag har gjort en polisanmälan mot er personal.", "legal", "polisanmälan"),
    ("sv", "Hela familjen blev matförgiftade efter middagen.", "health_safety", "matförgiftade"),
    ("sv", "Min son fick en allergisk reaktion trots att vi sa till.", "health_safety", None),
    ("sv", "Ren rasism från vakten i dörren.", "discrimination", "rasism"),
    ("sv", "Vi blev diskriminerade av personalen.", "discrimination", "diskriminerade"),
    ("nb", "Vi kommer til å saksøke dere og har tatt kontakt med advokat.", "legal", None),
    ("nb", "Jeg ble matforgiftet etter besøket.", "health_safety", "matforgiftet"),
    ("nn", "Eg fekk ein allergisk reaksjon av maten.", "health_safety", "allergisk reaksjon"),
    ("nn", "Dette var rein diskriminering.", "discrimination", "diskriminering"),
    ("da", "Vi har kontaktet en advokat.", "legal", "advokat"),
    ("da", "Jeg fik madforgiftning af jeres sushi.", "health_safety", "madforgiftning"),
    ("fi", "Otan yhteyttä asianajajaan ja vien asian oikeuteen.", "legal", "asianajajaan"),
    ("fi", "Sain ruokamyrkytyksen teidän kebabista.", "health_safety", "ruokamyrkytyksen"),
    ("fi", "Haastamme teidät oikeuteen.", "legal", "teidät oikeuteen"),
    ("fi", "Henkilökunta syrjii ulkomaalaisia.", "discrimination", "syrjii"),
    ("zh-Hans", "我已经找了律师，准备起诉你们。", "legal", "律师"),
    ("zh-Hans", "吃完以后全家食物中毒进了医院。", "health_safety", "食物中毒"),
    ("zh-Hans", "店员明显在歧视外地人。", "discrimination", "歧视"),
    ("zh-Hant", "我會請律師處理，法院見。", "legal", "律師"),
    ("zh-Hant", "吃完上吐下瀉，疑似食物中毒。", "health_safety", "上吐下瀉"),
    ("zh-Hant", "服務生歧視我們是外國人。", "discrimination", "歧視"),
    ("en", "My lawyer will be in touch. We will sue you.", "legal", "lawyer"),
    ("en", "Two of us got food poisoning.", "health_safety", "food poisoning"),
    ("en", "The bouncer was openly racist.", "discrimination", "racist"),
    # A language without its own lists gets the English ones.
    ("de", "Food poisoning after the buffet.", "health_safety", "Food poisoning"),
]

ORDINARY = [
    ("sv", "Mysig stämning men maten var kall och vi fick vänta en timme."),
    ("sv", "Det stämmer inte att vi fick rätt vara, fel storlek."),
    ("nb", "Retten var kald og servitøren var uhøflig."),
    ("nb", "Vi måtte melde dere om feilen tre ganger før noen svarte."),
    ("fi", "Ruoka oli kylmää ja palvelu hidasta."),
    ("fi", "Asiakkaalla on oikeus hyvitykseen, ja vetosin oikeuteeni turhaan."),
    ("sv", "Vi fick anmäla er närvaro i receptionen, men ingen kom."),
    ("zh-Hans", "房间的烟雾报警器一直响，服务员半小时才来。"),
    ("zh-Hant", "這家的滷肉飯會讓人中毒，可惜今天太鹹。"),
    ("zh-Hans", "很辣，希望不会拉肚子。"),
    ("zh-Hant", "就在法院旁邊，停車很不方便。"),
    ("en", "Sue at the counter was rude and the food court was filthy."),
    ("en", "Cold food, slow service, never again."),
]


@pytest.mark.parametrize(("language", "text", "category", "words"), URGENT)
def test_urgent_matters_are_found_with_the_customers_words(
    language: str, text: str, category: str, words: str | None
) -> None:
    urgency = find_urgency(text, language)
    assert urgency is not None
    assert urgency.category == category
    if words is not None:
        assert urgency.words == words


@pytest.mark.parametrize(("language", "text"), ORDINARY)
def test_ordinary_complaints_are_not_urgent(language: str, text: str) -> None:
    assert find_urgency(text, language) is None


def test_the_reason_names_the_matter_and_quotes_the_review() -> None:
    urgency = find_urgency("Vi har pratat med en Advokat om det här.", "sv")
    assert urgency is not None
    assert urgency.reason == "Legal threat: “Advokat”"


def test_health_comes_before_a_legal_threat_in_the_same_review() -> None:
    urgency = find_urgency("Food poisoning, and yes, my lawyer knows.", "en")
    assert urgency is not None
    assert urgency.category == "health_safety"


# Measured by bench/urgency_flags.py: 0.1-1.4% of each file is flagged, nearly all true
# legal or health matters on reading them. The bound catches a list that starts to match
# ordinary words ("stämning", 中毒) without pinning today's exact figures.
@pytest.mark.skipif(not (SHARED_DATA / "sv.jsonl").exists(), reason="shared/data not available")
@pytest.mark.parametrize(
    ("name", "language"),
    [("sv", "sv"), ("no", "nb"), ("fi", "fi"), ("zh-Hans", "zh-Hans"), ("zh-Hant", "zh-Hant")],
)
def test_real_reviews_are_rarely_flagged_and_praise_never(name: str, language: str) -> None:
    with (SHARED_DATA / f"{name}.jsonl").open(encoding="utf-8") as lines:
        reviews = [json.loads(line) for line in lines]
    flagged = [review for review in reviews if find_urgency(review["text"], language)]
    assert len(flagged) / len(reviews) <= 0.02
    assert not [review for review in flagged if review["label"] == "positive"]
