"""The LLM drafter wired to a local fake OpenAI-compatible server, and what it is asked."""

from __future__ import annotations

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

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
API_KEY = "sk-test-secret-key"
MAX_TOKENS = 1000

PROFILE = BusinessProfile(
    brand="Café Lumi",
    signoff="Teamet på Café Lumi",
    contact="kundservice@cafelumi.example",
    compensation="A voucher worth at most 150 kr.",
    compensation_kinds=["voucher"],
    max_compensation_amount=150,
    currency="SEK",
)

GOOD_REPLY = (
    "Hej Anna!\n\nTack för att du skrev. Vi beklagar verkligen att kaffet var kallt. Hör av dig "
    "till kundservice@cafelumi.example så reder vi ut det."
)
# The app signs the model's reply with the language's sign-off and the responder's slot.
SIGNED = GOOD_REPLY + "\n\nVänliga hälsningar\n[your name]\nCafé Lumi"


def answer(**changes: object) -> dict:
    content: dict[str, object] = {
        "reply": GOOD_REPLY,
        "review_translation": "The coffee was cold.",
        "reply_translation": "Hi Anna! Thanks for writing. We're sorry the coffee was cold.",
        "themes": ["product_quality"],
        "feedback_kind": "factual",
        "priority": "normal",
        "urgent_reason": "",
    }
    content.update(changes)
    return content


def review(text: str = "Kaffet var kallt.", language: str = "sv", **changes: object) -> ReviewInput:
    fields: dict[str, object] = {
        "source": "google",
        "rating": 1,
        "title": "Besviken",
        "text": text,
        "author": "Anna",
        "language": language,
        "location": None,
        "length_limit": None,
    }
    fields.update(changes)
    return ReviewInput(**fields)  # type: ignore[arg-type]


def prompt_library() -> PromptLibrary:
    if not (PROMPTS / "languages" / "generic.md").is_file():
        pytest.skip("prompts/languages/ is not written yet")
    return PromptLibrary(PROMPTS)


def make_drafter(
    fake: FakeOpenAI,
    library: PromptLibrary,
    *,
    timeout: float = 10.0,
    max_retries: int = 0,
    max_tokens: int = MAX_TOKENS,
    model: str = "fake-model",
    detected: str = "sv",
    team_language: str = "en",
) -> LLMDrafter:
    """Retries are off unless a test is about them, so no test waits through a back-off."""
    client = build_openai_client(
        api_key=API_KEY, base_url=fake.base_url, timeout=timeout, max_retries=max_retries
    )
    return LLMDrafter(
        client,
        model=model,
        max_tokens=max_tokens,
        prompts=library,
        profile=PROFILE,
        team_language=team_language,
        detect_language=lambda _: detected,
    )


def formats(fake: FakeOpenAI) -> list[str]:
    """The response_format type of each request the fake received ("text" for none)."""
    return [(r.get("response_format") or {}).get("type", "text") for r in fake.requests()]
