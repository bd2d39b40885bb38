"""Edit, regenerate, decline and assign: a button opens a modal, its submission changes the
review, the card is redrawn and the thread says what happened."""

from __future__ import annotations

import json

from bot.blocks import ids
from tests.support.harness import REVIEWS_CHANNEL
from tests.support.workflow import (
    ANNA,
    BJORN,
    assign_values,
    block_action,
    card_message,
    card_text,
    decisions,
    decline_values,
    drafts,
    edit_values,
    eventually,
    instruction_values,
    name_person,
    open_modal,
    post_review,
    review,
    start,
    view_submission,
)

EDITED = (
    "Hej Anna! Förlåt för den kalla maten och väntan. Hör av dig till oss, så bjuder vi på kaffe."
)


def thread_texts(fake_slack, review_id: int) -> list[str]:
    card = card_message(fake_slack, review_id)
    return [m["text"] for m in fake_slack.thread(REVIEWS_CHANNEL, card["ts"])]


def test_edit_and_approve_sends_the_persons_text_and_keeps_what_the_model_wrote(
    app_factory, fake_slack
):
    app = start(app_factory)
    name_person(fake_slack, ANNA, "Anna", "Anna Berg")
    review_id = post_review(app, fake_slack)
    [model_draft] = drafts(app, review_id)

    modal = open_modal(app, fake_slack, review_id, ids.ACTION_EDIT)
    assert modal["callback_id"] == ids.CALLBACK_EDIT
    prefilled = next(b for b in modal["blocks"] if b.get("block_id") == ids.BLOCK_REPLY_TEXT)
    # The draft as the editor would send it: their name already in the signature.
    assert prefilled["element"]["initial_value"] == model_draft.text.replace("[your name]", "Anna")

    submit = view_submission(modal, edit_values(EDITED, approve_now=True))
    assert app.send_interaction(submit).status_code == 200

    app.wait_for_status(review_id, "approved")
    [decision] = decisions(app, review_id, "approved")
    human = drafts(app, review_id)[-1]
    assert (human.kind, human.version, human.text) == ("human", 2, EDITED)
    assert (decision.final_text, decision.edited, decision.draft_id) == (EDITED, True, human.id)
    assert decision.detail["model_text"] == model_draft.text
    assert f"+{EDITED}" in decision.detail["diff"]
    eventually(lambda: "edited before approval" in card_text(fake_slack, review_id))
    assert "bjuder vi på kaffe" in card_text(fake_slack, review_id)


def test_edit_saved_as_a_draft_waits_for_approval_and_is_what_gets_approved(
    app_factory, fake_slack
):
    app = start(app_factory)
    review_id = post_review(app, fake_slack)

    modal = open_modal(app, fake_slack, review_id, ids.ACTION_EDIT, user=BJORN)
    app.send_interaction(view_submission(modal, edit_values(EDITED, approve_now=False), user=BJORN))

    eventually(lambda: len(drafts(app, review_id)) == 2, what="the saved draft")
    assert review(app, review_id).status == "pending"
    [edit] = decisions(app, review_id, "edited")
    assert edit.actor == BJORN and edit.detail["model_text"] == drafts(app, review_id)[0].text
    eventually(
        lambda: "bjuder vi på kaffe" in card_text(fake_slack, review_id), what="the saved draft"
    )
    eventually(lambda: any("edited the draft" in t for t in thread_texts(fake_slack, review_id)))

    app.send_interaction(block_action(card_message(fake_slack, review_id), ids.ACTION_APPROVE))
    app.wait_for_status(review_id, "approved")
    [approval] = decisions(app, review_id, "approved")
    assert approval.final_text == EDITED and approval.edited is True


def test_regenerate_shows_drafting_at_once_and_the_instruction_reaches_the_model(
    app_factory, fake_slack, fake_openai
):
    replies = iter(
        [
            "Hello, and sorry the delivery was late.",  # the output-mode probe at start
            "Hej Anna, förlåt för väntan.",
            "Hej Anna! Kort och formellt: vi ber om ursäkt.",
        ]
    )
    fake_openai.respond_with(
        lambda request: {
            "reply": next(replies),
            "review_translation": "The food was cold and we waited an hour.",
            "reply_translation": "Hi Anna, sorry.",
            "themes": ["waiting_time"],
            "feedback_kind": "factual",
            "priority": "normal",
            "urgent_reason": "",
        }
    )
    app = start(app_factory, openai_api_key="test", openai_base_url=fake_openai.base_url)
    review_id = post_review(app, fake_slack)
    assert drafts(app, review_id)[0].kind == "llm"
    updates_before = len(fake_slack.ok_calls("chat.update"))

    modal = open_modal(app, fake_slack, review_id, ids.ACTION_REGENERATE)
    submit = view_submission(modal, instruction_values("Kortare och mer formellt, tack"))
    assert app.send_interaction(submit).status_code == 200

    # First redraw: drafting; then the new draft.
    first = fake_slack.wait_for("chat.update", updates_before + 1)[updates_before]
    assert "Writing a new draft" in json.dumps(first.args["blocks"], ensure_ascii=False)
    eventually(lambda: len(drafts(app, review_id)) == 2, what="the second draft")
    app.wait_for_status(review_id, "pending")
    second = drafts(app, review_id)[-1]
    assert second.instruction == "Kortare och mer formellt, tack"
    last_prompt = json.dumps(fake_openai.requests()[-1]["messages"], ensure_ascii=False)
    assert "Kortare och mer formellt, tack" in last_prompt
    eventually(lambda: "Kort och formellt" in card_text(fake_slack, review_id))
    [regenerated] = decisions(app, review_id, "regenerated")
    assert regenerated.detail == {"instruction": "Kortare och mer formellt, tack"}
    assert any("asked for a new draft" in t for t in thread_texts(fake_slack, review_id))


def test_decline_records_the_reason_and_note(app_factory, fake_slack):
    app = start(app_factory)
    review_id = post_review(app, fake_slack)

    modal = open_modal(app, fake_slack, review_id, ids.ACTION_DECLINE)
    app.send_interaction(view_submission(modal, decline_values("spam_or_fake", "Never a guest")))

    declined = app.wait_for_status(review_id, "declined")
    assert declined.decided_at is not None
    [decision] = decisions(app, review_id, "declined")
    assert (decision.actor, decision.reason, decision.detail) == (
        ANNA,
        "spam_or_fake",
        {"note": "Never a guest"},
    )
    eventually(lambda: "Declined" in card_text(fake_slack, review_id), what="declined card")
    assert "Spam or fake: Never a guest" in card_text(fake_slack, review_id)
    eventually(lambda: any("declined" in t for t in thread_texts(fake_slack, review_id)))


def test_a_decline_without_a_reason_is_answered_in_the_modal(app_factory, fake_slack):
    app = start(app_factory)
    review_id = post_review(app, fake_slack)
    modal = open_modal(app, fake_slack, review_id, ids.ACTION_DECLINE)

    values = decline_values("spam_or_fake", None)
    values[ids.BLOCK_DECLINE_REASON][ids.INPUT_DECLINE_REASON]["selected_option"] = None
    response = app.send_interaction(view_submission(modal, values))

    assert response.json()["response_action"] == "errors"
    assert ids.BLOCK_DECLINE_REASON in response.json()["errors"]
    assert review(app, review_id).status == "pending"


def test_assign_sets_the_owner_and_says_so_in_the_thread(app_factory, fake_slack):
    app = start(app_factory)
    review_id = post_review(app, fake_slack)

    modal = open_modal(app, fake_slack, review_id, ids.ACTION_ASSIGN)
    app.send_interaction(view_submission(modal, assign_values(BJORN)))

    eventually(lambda: review(app, review_id).assignee == BJORN, what="the assignee")
    eventually(lambda: f"Owner: <@{BJORN}>" in card_text(fake_slack, review_id))
    [assigned] = decisions(app, review_id, "assigned")
    assert (assigned.actor, assigned.detail) == (ANNA, {"assignee": BJORN})
    eventually(
        lambda: any(f"made <@{BJORN}> the owner" in t for t in thread_texts(fake_slack, review_id))
    )
