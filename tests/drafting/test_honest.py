"""Without a model the card says what needs one: no empty translation, no identical "new"
version, and urgency still comes from the keywords."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.blocks import ids
from bot.blocks.card import build_card
from bot.blocks.card_view import CardDraft
from bot.drafting.profile import BusinessProfile
from bot.drafting.prompts import PromptLibrary
from bot.drafting.schema import ReviewInput
from bot.drafting.templates import TemplateDrafter, wording_count
from tests.support.blocks import assert_message_within_limits, make_view, visible_texts
from tests.support.workflow import (
    NEGATIVE_REVIEW,
    card_text,
    decisions,
    drafts,
    eventually,
    instruction_values,
    open_modal,
    post_review,
    review,
    start,
    view_submission,
)

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
POISONED = {
    **NEGATIVE_REVIEW,
    "external_id": "g-poison",
    "title": "Matförgiftade",
    "text": "Hela familjen blev matförgiftade efter middagen. Jag har kontaktat en advokat.",
}
MODEL_ANSWER = {
    "reply": "Hej Anna! Vi beklagar verkligen.",
    "review_translation": "The whole family got food poisoning after dinner.",
    "reply_translation": "Hi Anna! We are truly sorry.",
    "themes": ["product_quality"],
    "feedback_kind": "factual",
    "priority": "normal",
    "urgent_reason": "",
}


def test_a_food_poisoning_with_a_lawyer_is_urgent_and_the_card_says_what_needs_a_model(
    app_factory, fake_slack
):
    app = start(app_factory)  # no OPENAI_API_KEY
    review_id = post_review(app, fake_slack, POISONED)

    stored = review(app, review_id)
    assert stored.priority == "urgent"
    assert stored.urgent_reason == "Health or safety: “Matförgiftade”"
    text = card_text(fake_slack, review_id)
    assert "URGENT" in text
    assert "*Urgent:* Health or safety: “Matförgiftade”" in text
    # Where the translation would be, and on the draft: what a model would add.
    assert "Translation into English (en) needs a language model (`OPENAI_API_KEY`)" in text
    assert "from a template" in text
    assert "A reply written for this very review needs a language model" in text


def test_an_ordinary_complaint_without_a_model_is_normal_by_keywords_only(app_factory, fake_slack):
    app = start(app_factory)
    review_id = post_review(app, fake_slack)

    assert review(app, review_id).priority == "normal"
    assert "Priority: normal (from keywords only)" in card_text(fake_slack, review_id)


def test_a_review_in_the_teams_language_is_not_told_it_lacks_a_translation(app_factory, fake_slack):
    app = start(app_factory, team_language="sv")
    review_id = post_review(app, fake_slack)

    assert "Translation into" not in card_text(fake_slack, review_id)


def test_regenerate_without_a_model_gives_another_wording_and_says_the_instruction_needs_one(
    app_factory, fake_slack
):
    app = start(app_factory)
    review_id = post_review(app, fake_slack)
    [first] = drafts(app, review_id)

    modal = open_modal(app, fake_slack, review_id, ids.ACTION_REGENERATE)
    instruction = next(b for b in modal["blocks"] if b.get("block_id") == ids.BLOCK_INSTRUCTION)
    assert "cannot follow an instruction" in instruction["hint"]["text"]
    submit = view_submission(modal, instruction_values("Kortare, och bjud på kaffe"))
    assert app.send_interaction(submit).status_code == 200

    eventually(lambda: len(drafts(app, review_id)) == 2, what="the second draft")
    app.wait_for_status(review_id, "pending")
    second = drafts(app, review_id)[-1]
    assert second.kind == "template"
    assert second.text != first.text
    assert "instruction_needs_model" in [finding["code"] for finding in second.findings]
    eventually(
        lambda: (
            "version 2" in card_text(fake_slack, review_id)
            and "The instruction was not followed" in card_text(fake_slack, review_id)
        ),
        what="the second version on the card, saying the instruction was not followed",
    )
    assert decisions(app, review_id, "regenerated")


def test_a_model_that_reads_no_urgency_does_not_overrule_the_keywords(
    app_factory, fake_slack, fake_openai
):
    fake_openai.respond_with(lambda request: MODEL_ANSWER)
    app = start(app_factory, openai_api_key="test", openai_base_url=fake_openai.base_url)
    review_id = post_review(app, fake_slack, POISONED)

    stored = review(app, review_id)
    assert drafts(app, review_id)[0].kind == "llm"
    assert stored.priority == "urgent"
    assert stored.urgent_reason == "Health or safety: “Matförgiftade”"
    text = card_text(fake_slack, review_id)
    assert "needs a language model" not in text
    assert "Priority: *urgent*" in text


ASKED = ReviewInput(
    source="google",
    rating=1,
    title=None,
    text="Maten var kall och personalen otrevlig.",
    author="Anna Svensson",
    language="sv",
    location=None,
    length_limit=None,
)


def _drafter(team_language: str = "en") -> TemplateDrafter:
    profile = BusinessProfile(brand="Café Lumi", signoff="Café Lumi", contact="hej@lumi.example")
    return TemplateDrafter(
        PromptLibrary(PROMPTS),
        profile=profile,
        detect_language=lambda _: "sv",
        team_language=team_language,
    )


def test_the_unfollowed_instruction_is_said_in_the_teams_language() -> None:
    result = _drafter("sv").draft(ASKED, instruction="Kortare")
    [said] = [f.message for f in result.findings if f.code == "instruction_needs_model"]
    assert said.startswith("Instruktionen följdes inte: det kräver en språkmodell")
    assert not [f for f in _drafter("sv").draft(ASKED).findings if "instruction" in f.code]


def test_every_wording_is_used_before_one_repeats_and_then_the_draft_says_so() -> None:
    drafter = _drafter()
    asked = ASKED
    template = PromptLibrary(PROMPTS).template("sv")
    earlier: list[str] = []
    for _ in range(wording_count(template, quote=True, rating_only=False)):
        result = drafter.draft(ReviewInput(**{**vars(asked), "earlier_drafts": tuple(earlier)}))
        assert result.text not in earlier
        assert "no_other_wording" not in [finding.code for finding in result.findings]
        earlier.append(result.text)

    repeated = drafter.draft(ReviewInput(**{**vars(asked), "earlier_drafts": tuple(earlier)}))
    assert repeated.text in earlier
    assert "no_other_wording" in [finding.code for finding in repeated.findings]


# ---- The card as drawn from its view (pure Block Kit) ----


def _drawn(**changes) -> str:
    card = build_card(make_view(**changes), tz=ZoneInfo("Europe/Stockholm"))
    assert_message_within_limits(card)
    return "\n".join(visible_texts(card))


def test_a_persons_edit_of_a_template_keeps_the_translation_note_but_not_the_template_one():
    template = CardDraft(version=1, text="Hej Anna!", translation=None, kind="template")
    edited = replace(template, version=2, kind="human")
    view = {"language": "sv", "team_language": "en", "review_translation": None}

    assert "A reply written for this very review" in _drawn(
        **view, draft=template, without_model=True
    )
    shown = _drawn(**view, draft=edited, without_model=True)
    assert "Translation into English (en) needs a language model" in shown
    assert "A reply written for this very review" not in shown


def test_with_a_model_the_card_makes_no_such_notes():
    shown = _drawn(language="sv", team_language="en", review_translation=None, without_model=False)
    assert "needs a language model" not in shown
    assert "from keywords only" not in shown
