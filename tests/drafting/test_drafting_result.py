"""What a drafted reply comes back as: signed by the app, with translations only when needed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.drafting import (
    BusinessProfile,
    LLMDrafter,
    PromptLibrary,
    ReviewInput,
    build_openai_client,
)
from tests.fakes.openai_api import FakeOpenAI
from tests.support.llm import MAX_TOKENS

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
PROFILE = BusinessProfile(
    brand="Café Lumi",
    signoff="Teamet på Café Lumi",
    contact="kundservice@cafelumi.example",
    compensation="A voucher worth at most 150 kr.",
)
REPLIES = {
    "sv": "Hej Anna!\n\nTack för att du skrev. Vi beklagar att kaffet var kallt. "
    "Hör av dig till kundservice@cafelumi.example, så återkommer vi till dig.",
    "zh-Hant": "陳小姐您好：\n\n謝謝您告訴我們。咖啡是冷的，非常抱歉。"
    "歡迎透過kundservice@cafelumi.example與我們聯繫。",
}


def answer(language: str = "sv", **changes: object) -> dict:
    content: dict[str, object] = {
        "reply": REPLIES[language],
        "review_translation": "The coffee was cold.",
        "reply_translation": "Hi Anna! Thanks for writing.",
        "themes": ["product_quality"],
        "feedback_kind": "factual",
        "priority": "normal",
        "urgent_reason": "",
    }
    content.update(changes)
    return content


def review(language: str = "sv", **changes: object) -> ReviewInput:
    fields: dict[str, object] = {
        "source": "google",
        "rating": 1,
        "title": None,
        "text": "咖啡是冷的。" if language.startswith("zh") else "Kaffet var kallt.",
        "author": "陳小姐" if language.startswith("zh") else "Anna Lindqvist",
        "language": language,
        "location": None,
        "length_limit": 350,
    }
    fields.update(changes)
    return ReviewInput(**fields)  # type: ignore[arg-type]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def drafter(fake: FakeOpenAI, *, team_language: str = "en", language: str = "sv") -> LLMDrafter:
    client = build_openai_client(
        api_key="sk-test", base_url=fake.base_url, timeout=10.0, max_retries=0
    )
    return LLMDrafter(
        client,
        model="fake-model",
        max_tokens=MAX_TOKENS,
        prompts=PromptLibrary(PROMPTS),
        profile=PROFILE,
        team_language=team_language,
        detect_language=lambda _: language,
    )


def test_the_reply_ends_in_the_languages_sign_off_with_the_responders_slot(fake):
    fake.respond_with(lambda request: answer())
    result = drafter(fake).draft(review())
    assert result.text == REPLIES["sv"] + "\n\nVänliga hälsningar\n[your name]\nCafé Lumi"
    # The slot is the app's own, not a placeholder the model left.
    assert result.findings == []


def test_a_chinese_reply_is_signed_brand_first(fake):
    fake.respond_with(lambda request: answer("zh-Hant"))
    result = drafter(fake, language="zh-Hant").draft(review("zh-Hant"))
    assert result.text.endswith("\n\n期待有機會再為您服務。\nCafé Lumi [your name] 敬上")


def test_a_signed_reply_over_the_platforms_limit_is_flagged(fake):
    # The model was given the limit less the sign-off; a reply that ignores it shows.
    fake.respond_with(lambda request: answer(reply="Hej Anna! " + "Förlåt. " * 40))
    result = drafter(fake).draft(review(length_limit=350))
    assert len(result.text) > 350
    assert "length" in {finding.code for finding in result.findings}


def test_a_review_in_the_teams_language_gets_no_translations(fake):
    # Sent anyway by a model that did not follow the schema, they are dropped, not a failure.
    fake.respond_with(lambda request: answer())
    result = drafter(fake, team_language="sv").draft(review())
    assert (result.review_translation, result.reply_translation) == (None, None)
    request = fake.requests()[0]
    schema = request["response_format"]["json_schema"]
    assert schema["name"] == "DraftOutput"
    assert "review_translation" not in schema["schema"]["properties"]


def test_a_review_the_team_does_not_read_comes_with_both_translations(fake):
    fake.respond_with(lambda request: answer())
    result = drafter(fake, team_language="en").draft(review())
    assert result.review_translation == "The coffee was cold."
    assert result.reply_translation == "Hi Anna! Thanks for writing."


@pytest.mark.parametrize(
    ("kind", "asked"), [("deepseek", {"type": "json_object"}), ("text-only", None)]
)
def test_without_json_schema_the_keys_are_in_the_prompt_and_with_it_they_are_not(kind, asked):
    with FakeOpenAI(kind=kind) as fake:
        fake.respond_with(lambda request: answer())
        drafter(fake).draft(review())
        structured, *without_schema = fake.requests()
    assert "JSON object" not in structured["messages"][0]["content"]
    assert without_schema[-1].get("response_format") == asked
    for request in without_schema:
        assert "Answer with one JSON object and nothing else" in request["messages"][0]["content"]
