"""Approved replies the model learns from come from the review's own brand only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.db import session_scope
from storage.examples import approved_replies
from tests.support.kpi import add_approved_reply

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_a_brand_gets_its_own_approved_replies_and_no_brand_gets_those_of_no_brand(engine):
    for external_id, brand, reply, age in (
        ("lumi-old", "lumi", "Hej från Lumi!", 3),
        ("norr", "norr", "Hej från Norr!", 2),
        ("base", None, "Hej från oss!", 1),
        ("lumi-new", "lumi", "Hej igen från Lumi!", 0),
    ):
        add_approved_reply(
            engine, external_id, text="Kallt.", reply=reply, brand=brand, at=NOW - timedelta(age)
        )

    def replies(brand: str | None) -> list[str]:
        with session_scope(engine) as session:
            found = approved_replies(
                session, language="sv", brand=brand, exclude_review_id=0, limit=10
            )
        return [row.reply_text for row in found]

    assert replies("lumi") == ["Hej igen från Lumi!", "Hej från Lumi!"]
    assert replies("norr") == ["Hej från Norr!"]
    assert replies(None) == ["Hej från oss!"]
    assert replies("ghost") == []
