"""Drafts without an LLM, from the reply templates in prompts/templates/."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.drafting.profile import BusinessProfile, LocationProfile
from bot.drafting.prompts import PromptFileError, PromptLibrary
from bot.drafting.schema import ReviewInput
from bot.drafting.templates import TemplateDrafter
from bot.triage.themes import THEMES

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
FIRST_CLASS = ("sv", "nb", "nn", "fi", "zh-Hant", "zh-Hans")

PROFILE = BusinessProfile(
    brand="Café Lumi",
    signoff="Teamet på Café Lumi",
    contact="kundservice@cafelumi.example",
    locations={"Oslo sentrum": LocationProfile(contact="oslo@cafelumi.example")},
)


def review(language: str, **changes: object) -> ReviewInput:
    fields: dict[str, object] = {
        "source": "google",
        "rating": 1,
        "title": None,
        "text": "…",
        "author": "Kari Nordmann",
        "language": language,
        "location": None,
        "length_limit": None,
        "theme_hint": "delivery",
    }
    fields.update(changes)
    return ReviewInput(**fields)  # type: ignore[arg-type]


def drafter(root: Path, detected: str | None = None) -> TemplateDrafter:
    def detect(text: str) -> str:
        return detected or "und"

    return TemplateDrafter(PromptLibrary(root), profile=PROFILE, detect_language=detect)


@pytest.fixture
def tmp_prompts(tmp_path: Path) -> Path:
    (tmp_path / "system.md").write_text("${brand}", encoding="utf-8")
    (tmp_path / "templates").mkdir()
    template = {
        "greeting_named": "Hi ${customer},",
        "greeting_anonymous": "Hi,",
        "body": "Thank you for telling us about ${theme}. Please write to ${contact}.",
        "signoff": "Best regards,\n${responder}\n${brand}",
        "themes": {theme: f"the {theme.replace('_', ' ')}" for theme in THEMES},
    }
    (tmp_path / "templates" / "en.yml").write_text(yaml.safe_dump(template), encoding="utf-8")
    return tmp_path


def test_a_template_draft_is_filled_and_labelled(tmp_prompts):
    result = drafter(tmp_prompts).draft(review("en"))
    assert result.text == (
        "Hi Kari Nordmann,\n\nThank you for telling us about the delivery. "
        "Please write to kundservice@cafelumi.example.\n\nBest regards,\n[your name]\nCafé Lumi"
    )
    assert result.kind == "template"
    assert (result.reply_translation, result.review_translation) == (None, None)
    assert (result.priority, result.needs_lead, result.model) == ("normal", False, None)
    assert result.themes == ["delivery"]
    assert result.prompt_version == PromptLibrary(tmp_prompts).prompt_version


def test_anonymous_review_without_theme_and_without_responder(tmp_prompts):
    result = drafter(tmp_prompts).draft(review("en", author="  ", theme_hint=None))
    assert result.text.startswith("Hi,\n\nThank you for telling us about the other.")
    # The approver's name goes in the slot; without one, the brand's sign-off does.
    assert result.text.endswith("[your name]\nCafé Lumi")
    assert result.themes == ["other"]


def test_the_location_contact_is_offered(tmp_prompts):
    result = drafter(tmp_prompts).draft(review("en", location="Oslo sentrum"))
    assert "oslo@cafelumi.example" in result.text


def test_a_language_without_template_falls_back_to_english_and_says_so(tmp_prompts):
    result = drafter(tmp_prompts, detected="en").draft(review("de"))
    assert result.text.startswith("Hi Kari Nordmann,")
    assert [f.code for f in result.findings] == ["language"]


def test_a_template_missing_a_theme_is_refused(tmp_prompts):
    path = tmp_prompts / "templates" / "en.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["themes"]["billing"]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(PromptFileError, match="every theme"):
        drafter(tmp_prompts).draft(review("en"))


def _real_templates() -> Path:
    if not all((PROMPTS / "templates" / f"{code}.yml").is_file() for code in FIRST_CLASS):
        pytest.skip("prompts/templates/ is not complete yet")
    return PROMPTS


@pytest.mark.parametrize("language", FIRST_CLASS)
def test_first_class_templates_pass_their_own_guardrails(language):
    root = _real_templates()
    template = PromptLibrary(root).template(language)
    result = drafter(root, detected=language).draft(review(language, location="Oslo sentrum"))
    assert template.language == language
    for expected in ("Kari Nordmann", "oslo@cafelumi.example", "Café Lumi", "[your name]"):
        assert expected in result.text
    assert template.themes["delivery"] in result.text
    assert "${" not in result.text
    assert result.findings == []
