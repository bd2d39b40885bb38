"""Each brand's reviews are drafted in its own voice: its profile writes the prompt and the
template, the guardrails check the draft against it, the examples are its own approved replies,
and a regenerated draft or an unnamed approver's signature keep to it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.blocks import ids
from tests.support.harness import AppHarness
from tests.support.kpi import add_approved_reply
from tests.support.routes import write_routes
from tests.support.workflow import (
    block_action,
    decisions,
    drafts,
    edit_values,
    eventually,
    instruction_values,
    queued_card,
    view_submission,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LUMI_PROFILE = """\
brand: Café Lumi
voice: Warm like a barista who knows the regulars.
contact: hej@lumi.example
compensation: A coffee and a pastry on the house when we were at fault.
compensation_kinds: [voucher, free_item]
allowed_links: [https://lumi.example/meny]
locations: {}
"""
NORR_PROFILE = """\
brand: Norr Hotell
voice: Calm and courteous, like a hotel reception at night.
signoff: Receptionen på Norr
contact: info@norr.example
compensation: Nothing is offered in a public reply; the reception settles it by phone.
compensation_kinds: []
allowed_links: [https://norr.example/kontakt]
locations:
  Kiruna:
    contact: kiruna@norr.example
"""
# What lumi's profile alone holds: none of it may reach a prompt or pass the checks for norr.
LUMI_ONLY = (
    "Café Lumi",
    "hej@lumi.example",
    "lumi.example/meny",
    "barista",
    "pastry",
    "kundservice@cafelumi.example",
)
NORR_REVIEW = {
    "source": "google",
    "external_id": "norr-1",
    "rating": 1,
    "text": "Rummet var kallt och frukosten var slut när vi kom ner.",
    "author": "Erik Lund",
    "language": "sv",
    "location": "Kiruna",
    "brand": "norr",
    "created_at": "2026-11-20T08:03:00+01:00",
}
LUMI_REVIEW = {
    **NORR_REVIEW,
    "external_id": "lumi-1",
    "text": "Kaffet var kallt och ingen i kassan brydde sig.",
    "location": None,
    "brand": "lumi",
}
# The model answers every review as if it wrote for lumi: its address, its link, its voucher.
LUMI_REPLY = (
    "Hej Erik! Förlåt att det blev så. Skriv till hej@lumi.example eller läs "
    "https://lumi.example/meny, så bjuder vi på ett presentkort."
)
NO_NAME = "U0NONAME"


def answer(reply: str = LUMI_REPLY) -> dict:
    return {
        "reply": reply,
        "review_translation": "It was cold.",
        "reply_translation": "Hi Erik! Sorry.",
        "themes": ["product_quality"],
        "feedback_kind": "factual",
        "priority": "normal",
        "urgent_reason": "",
    }


@pytest.fixture
def serve(fake_slack, fake_openai, database_url, tmp_path) -> Iterator[Callable[..., AppHarness]]:
    """The app with two brands on each database; `model=True` drafts with the fake OpenAI."""
    routes = write_routes(tmp_path)
    (tmp_path / "business.lumi.yml").write_text(LUMI_PROFILE, encoding="utf-8")
    (tmp_path / "business.norr.yml").write_text(NORR_PROFILE, encoding="utf-8")
    started: list[AppHarness] = []

    def start(*, model: bool) -> AppHarness:
        llm = {"openai_api_key": "sk-test", "openai_base_url": fake_openai.base_url}
        app = AppHarness.start(
            fake_slack=fake_slack,
            database_url=database_url,
            routes_file=routes,
            openai_max_retries=1,
            openai_timeout=2,
            **(llm if model else {}),
        )
        started.append(app)
        return app

    yield start
    for app in started:
        app.stop()


def post(app: AppHarness, review: dict) -> int:
    response = app.post_reviews(review)
    assert response.status_code == 202, response.text
    review_id = response.json()["reviews"][0]["id"]
    app.wait_for_status(review_id, "pending")
    return review_id


def request_for(fake_openai, review: dict) -> dict:
    """The last request to the model that drafts `review`."""
    asked = [
        r for r in fake_openai.requests() if review["text"] in json.dumps(r, ensure_ascii=False)
    ]
    return asked[-1]


def system_prompt(request: dict) -> str:
    return request["messages"][0]["content"]


def user_message(request: dict) -> str:
    return request["messages"][-1]["content"]


def card(app: AppHarness, fake_slack, review_id: int, *, showing: str) -> dict:
    """The review's card, in whichever channel it went to, once it shows `showing`."""

    def shown() -> dict | None:
        if (stored := queued_card(app, review_id)) is None:
            return None
        for message in fake_slack.messages(stored.channel):
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("review_id") == review_id and showing in blocks_text(message):
                return message
        return None

    return eventually(shown, what=f"the card of {review_id} showing {showing!r}")


def blocks_text(message: dict) -> str:
    return json.dumps(message.get("blocks") or [], ensure_ascii=False)


def open_modal(app: AppHarness, fake_slack, message: dict, action_id: str, user: str) -> dict:
    before = len(fake_slack.ok_calls("views.open"))
    assert app.send_interaction(block_action(message, action_id, user=user)).status_code == 200
    return fake_slack.wait_for("views.open", before + 1)[-1].args["view"]


def codes(app: AppHarness, review_id: int) -> set[str]:
    return {finding["code"] for finding in drafts(app, review_id)[-1].findings}


def test_the_model_writes_for_the_reviews_brand_and_another_brands_address_is_flagged(
    serve, fake_openai, fake_slack
):
    fake_openai.respond_with(lambda request: answer())
    app = serve(model=True)
    norr_id, lumi_id = post(app, NORR_REVIEW), post(app, LUMI_REVIEW)

    norr_request = request_for(fake_openai, NORR_REVIEW)
    system = system_prompt(norr_request)
    for norr in (
        "Norr Hotell",
        "kiruna@norr.example",  # the contact of the review's location
        "https://norr.example/kontakt",
        "like a hotel reception at night",
        "the reception settles it by phone",
    ):
        assert norr in system
    asked = json.dumps(norr_request, ensure_ascii=False)
    assert [leak for leak in LUMI_ONLY if leak in asked] == []
    lumi_system = system_prompt(request_for(fake_openai, LUMI_REVIEW))
    assert "hej@lumi.example" in lumi_system and "norr" not in lumi_system.casefold()

    # The same words are lumi's own on lumi's card, and three findings on norr's.
    assert codes(app, lumi_id) & {"contact", "link", "compensation"} == set()
    assert {"contact", "link", "compensation"} <= codes(app, norr_id)
    shown = blocks_text(card(app, fake_slack, norr_id, showing="hej@lumi.example"))
    assert "Contains the e-mail address hej@lumi.example" in shown
    assert "Use kiruna@norr.example." in shown
    assert "Contains the link https://lumi.example/meny" in shown
    assert "Offers a voucher" in shown
    assert drafts(app, norr_id)[-1].text.endswith("\n[your name]\nNorr Hotell")


def test_a_regenerated_draft_is_written_and_checked_with_the_brands_profile(
    serve, fake_openai, fake_slack
):
    fake_openai.respond_with(lambda request: answer("Hej Erik! Förlåt, hör av dig till oss."))
    app = serve(model=True)
    review_id = post(app, NORR_REVIEW)
    message = card(app, fake_slack, review_id, showing="hör av dig till oss")

    fake_openai.respond_with(lambda request: answer())
    modal = open_modal(app, fake_slack, message, ids.ACTION_REGENERATE, user="U0ANNA")
    app.send_interaction(view_submission(modal, instruction_values("Nämn vår adress")))
    eventually(lambda: len(drafts(app, review_id)) == 2, what="the regenerated draft")
    app.wait_for_status(review_id, "pending")

    last = fake_openai.requests()[-1]
    assert "Nämn vår adress" in user_message(last)
    assert "kiruna@norr.example" in system_prompt(last)
    assert [leak for leak in LUMI_ONLY if leak in json.dumps(last, ensure_ascii=False)] == []
    assert {"contact", "link", "compensation"} <= codes(app, review_id)
    card(app, fake_slack, review_id, showing="Contains the e-mail address hej@lumi.example")


def test_without_a_model_the_template_names_the_brands_contact_and_signs_with_its_sign_off(
    serve, fake_slack
):
    app = serve(model=False)
    fake_slack.users[NO_NAME] = {"id": NO_NAME, "name": "", "real_name": "", "tz": "UTC"}
    review_id = post(app, NORR_REVIEW)

    [draft] = drafts(app, review_id)
    assert draft.kind == "template"
    assert "kiruna@norr.example" in draft.text
    assert draft.text.endswith("Vänliga hälsningar\n[your name]\nNorr Hotell")
    assert [leak for leak in LUMI_ONLY if leak in draft.text] == []
    assert codes(app, review_id) & {"contact", "link", "compensation"} == set()
    message = card(app, fake_slack, review_id, showing="kiruna@norr.example")
    assert "Norr Hotell" in blocks_text(message)

    # Slack names nobody for this approver: norr's own sign-off fills the slot, in the Edit
    # modal as in the reply approved.
    modal = open_modal(app, fake_slack, message, ids.ACTION_EDIT, user=NO_NAME)
    prefilled = next(b for b in modal["blocks"] if b.get("block_id") == ids.BLOCK_REPLY_TEXT)
    signed = draft.text.replace("[your name]", "Receptionen på Norr")
    assert prefilled["element"]["initial_value"] == signed
    app.send_interaction(view_submission(modal, edit_values(draft.text, approve_now=True)))
    app.wait_for_status(review_id, "approved")
    [approval] = decisions(app, review_id, "approved")
    assert approval.final_text == signed


def test_the_model_learns_only_from_approved_replies_of_the_reviews_brand(serve, fake_openai):
    fake_openai.respond_with(lambda request: answer("Hej Erik! Förlåt."))
    app = serve(model=True)
    for brand, reply in (("lumi", "Lumis svar."), ("norr", "Norrs svar."), (None, "Basens svar.")):
        add_approved_reply(
            app.services.engine,
            f"approved-{brand}",
            text="Det var kallt och ingen brydde sig.",
            reply=reply,
            brand=brand,
            at=NOW,
        )
    unbranded: dict[str, Any] = {
        **NORR_REVIEW,
        "external_id": "none-1",
        "text": "Det var kallt i entrén och ingen brydde sig.",
        "location": "Göteborg",
        "brand": None,
    }
    post(app, NORR_REVIEW)
    post(app, unbranded)

    def examples(review: dict) -> str:
        return user_message(request_for(fake_openai, review)).split("<review>")[0]

    assert "Norrs svar." in examples(NORR_REVIEW)
    assert "Lumis svar." not in examples(NORR_REVIEW) and "Basens svar." not in examples(
        NORR_REVIEW
    )
    assert "Basens svar." in examples(unbranded)
    assert "Lumis svar." not in examples(unbranded) and "Norrs svar." not in examples(unbranded)
    # A review of no brand is written with the base profile (BUSINESS_PROFILE).
    assert "kundservice@cafelumi.example" in system_prompt(request_for(fake_openai, unbranded))
