"""Choosing the approved replies closest to a new review."""

from __future__ import annotations

from bot.drafting.examples import closest_examples
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
    found = closest_examples("Min leverans kom två dagar för sent.", SWEDISH, k=2)
    assert set(replies(found)) == {"reply-late-delivery", "reply-late-parcel"}


def test_chinese_without_spaces_is_matched():
    candidates = [
        Example("房間很乾淨，但是早餐很難吃。", "reply-breakfast"),
        Example("櫃檯服務人員態度很差。", "reply-staff"),
    ]
    assert replies(closest_examples("服務人員的態度非常差", candidates, k=1)) == ["reply-staff"]


def test_k_limits_and_ties_keep_the_callers_order():
    unrelated = [Example("aaaa", "first"), Example("bbbb", "second"), Example("cccc", "third")]
    assert replies(closest_examples("xyz", unrelated, k=2)) == ["first", "second"]
    assert closest_examples("xyz", unrelated, k=0) == []
    assert closest_examples("xyz", [], k=3) == []
