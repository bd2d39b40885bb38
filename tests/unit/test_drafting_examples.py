"""Approved replies as examples: the closest first, and never another customer's name or contact."""

from __future__ import annotations

from bot.drafting.examples import anonymised, closest_examples
from bot.drafting.schema import Example

SWEDISH = [
    Example("Personalen var otrevlig i kassan.", "reply-staff"),
    Example("Leveransen kom tre dagar för sent.", "reply-late-delivery"),
    Example("Priset har höjts igen, för dyrt.", "reply-price"),
    Example("Paketet kom för sent, leveransen var en katastrof.", "reply-late-parcel"),
]


def replies(examples: list[Example]) -> list[str]:
    return [example.reply_text for example in examples]


def test_the_closest_reviews_come_first():
    found = closest_examples("Min leverans kom två dagar för sent.", SWEDISH)
    assert set(replies(found[:2])) == {"reply-late-delivery", "reply-late-parcel"}
    assert sorted(replies(found)) == sorted(replies(SWEDISH))


def test_chinese_without_spaces_is_matched():
    candidates = [
        Example("房間很乾淨，但是早餐很難吃。", "reply-breakfast"),
        Example("櫃檯服務人員態度很差。", "reply-staff"),
    ]
    assert replies(closest_examples("服務人員的態度非常差", candidates))[0] == "reply-staff"


def test_ties_keep_the_callers_order():
    unrelated = [Example("aaaa", "first"), Example("bbbb", "second"), Example("cccc", "third")]
    assert replies(closest_examples("xyz", unrelated)) == ["first", "second", "third"]
    assert closest_examples("xyz", []) == []


def test_the_customers_name_is_replaced_as_written_and_as_greeted():
    example = Example(
        "Jag heter Anna Lindqvist och har handlat här i åratal. Lindqvists familj kommer inte tillbaka.",
        "Hej Anna!\n\nTack, Anna, för att du skrev. Annas besked har vi tagit emot.",
        author="Anna Lindqvist",
    )
    safe = anonymised(example, language="sv")
    assert safe.review_text == (
        "Jag heter [customer] och har handlat här i åratal. [customer] familj kommer inte tillbaka."
    )
    assert safe.reply_text == (
        "Hej [customer]!\n\nTack, [customer], för att du skrev. [customer] besked har vi tagit emot."
    )
    assert safe.author is None


def test_only_whole_names_are_replaced():
    example = Example(
        "Annika och Annabel var trevliga.", "Hej Anna! Hälsa Annika.", author="Anna S."
    )
    safe = anonymised(example, language="sv")
    # "S." is an initial, not a name to look for; other names that start alike stay.
    assert safe.review_text == "Annika och Annabel var trevliga."
    assert safe.reply_text == "Hej [customer]! Hälsa Annika."


def test_a_han_script_name_is_replaced_without_word_edges():
    example = Example("陳小姐：浴室很髒。", "陳小姐您好：\n\n謝謝您告訴我們。", author="陳小姐")
    safe = anonymised(example, language="zh-Hant")
    assert safe.review_text == "[customer]：浴室很髒。"
    assert safe.reply_text == "[customer]您好：\n\n謝謝您告訴我們。"


def test_a_handle_is_replaced_where_it_appears():
    example = Example(
        "matfan92 här: maten var kall.", "Hej!\n\nTack för att du skrev.", author="matfan92"
    )
    safe = anonymised(example, language="sv")
    assert safe.review_text == "[customer] här: maten var kall."
    assert safe.reply_text == "Hej!\n\nTack för att du skrev."


def test_e_mail_addresses_and_phone_numbers_are_replaced():
    example = Example(
        "Ring mig på 070-123 45 67 eller +46 8 123 456 78, eller maila kari@example.no. Order 12345.",
        "Skriv till oslo@cafelumi.example eller ring 22 33 44 55, så hjelper vi deg.",
        author=None,
    )
    review_text = anonymised(example, language="sv").review_text
    assert review_text == (
        "Ring mig på [contact] eller [contact], eller maila [contact]. Order 12345."
    )
    reply_text = anonymised(example, language="nb").reply_text
    assert reply_text == "Skriv till [contact] eller ring [contact], så hjelper vi deg."


def test_an_e_mail_in_chinese_text_keeps_the_words_around_it():
    example = Example("請寄信至chen@example.tw，謝謝。", "您好：\n\n請來信chen@example.tw。")
    safe = anonymised(example, language="zh-Hant")
    assert safe.review_text == "請寄信至[contact]，謝謝。"
    assert safe.reply_text == "您好：\n\n請來信[contact]。"
