"""The modals opened from the card, and reading back what a user submits in them."""

from dataclasses import replace
from functools import partial

import pytest

from bot.blocks import ids
from bot.blocks.card_view import CardDraft
from bot.blocks.modals import (
    DeclineSubmission,
    EditSubmission,
    build_assign_modal,
    build_decline_modal,
    build_edit_modal,
    build_regenerate_modal,
    read_assign_submission,
    read_decline_submission,
    read_edit_submission,
    read_regenerate_submission,
)
from tests.support.blocks import (
    HOSTILE,
    HOSTILE_TEXT,
    assert_view_within_limits,
    huge_view,
    make_view,
    visible_texts,
)

BUILDERS = [
    (partial(build_edit_modal, signature="Erik"), ids.CALLBACK_EDIT),
    (build_regenerate_modal, ids.CALLBACK_REGENERATE),
    (build_decline_modal, ids.CALLBACK_DECLINE),
    (build_assign_modal, ids.CALLBACK_ASSIGN),
]


def inputs(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def shown(view: dict) -> str:
    return "\n".join(visible_texts(view))


@pytest.mark.parametrize(("build", "callback_id"), BUILDERS)
def test_each_modal_carries_the_review_and_card_version(build, callback_id) -> None:
    modal = build(make_view(review_id=7, card_version=12))

    assert_view_within_limits(modal)
    assert modal["type"] == "modal"
    assert modal["callback_id"] == callback_id
    assert ids.decode_ref(modal["private_metadata"]) == (7, 12)
    assert "Kaffien var kald og personalet sur." in shown(modal)


@pytest.mark.parametrize(("build", "callback_id"), BUILDERS)
def test_modals_escape_everything_from_the_customer_and_the_model(build, callback_id) -> None:
    view = make_view(
        title=HOSTILE_TEXT,
        text=HOSTILE_TEXT,
        author=HOSTILE_TEXT,
        location=HOSTILE_TEXT,
        source=HOSTILE_TEXT,
        review_translation=HOSTILE_TEXT,
        draft=CardDraft(version=1, text=HOSTILE_TEXT, translation=HOSTILE_TEXT, kind="llm"),
        assignee="<!channel>",
    )
    modal = build(view)

    assert_view_within_limits(modal)
    for raw in HOSTILE:
        assert raw not in shown(modal)
    assert "&lt;!channel&gt;" in shown(modal)


@pytest.mark.parametrize(("build", "callback_id"), BUILDERS)
def test_modals_stay_within_limits_when_every_field_is_huge(build, callback_id) -> None:
    assert_view_within_limits(build(huge_view("pending")))
    assert_view_within_limits(build(huge_view("draft_failed")))


def test_edit_modal_is_prefilled_with_the_draft_beside_its_translation() -> None:
    modal = build_edit_modal(make_view(), signature="Erik", length_limit=350)

    box = inputs(modal)[ids.BLOCK_REPLY_TEXT]
    assert box["element"]["initial_value"] == "Hei Kari, takk for at du sa ifrå."
    assert box["element"]["max_length"] == 350
    assert box["element"]["multiline"] is True
    assert box["label"]["text"] == "Reply in Norwegian Nynorsk"
    assert box["hint"]["text"] == "Google allows up to 350 characters."
    assert "*The current draft in English (en):*\n> Hi Kari, thanks for telling us." in shown(modal)
    assert "Promises a refund the policy does not allow" in shown(modal)
    mode = inputs(modal)[ids.BLOCK_EDIT_MODE]["element"]
    assert [o["value"] for o in mode["options"]] == [ids.EDIT_MODE_APPROVE, ids.EDIT_MODE_SAVE]
    assert mode["initial_option"]["value"] == ids.EDIT_MODE_APPROVE


def test_edit_modal_fills_the_drafts_signature_slot_with_the_editors_name() -> None:
    view = make_view()
    slotted = replace(view.draft, text="Hei Kari, takk for at du sa ifrå.\n\nHelsing\n[your name]")
    modal = build_edit_modal(replace(view, draft=slotted), signature="Erik Lind")

    box = inputs(modal)[ids.BLOCK_REPLY_TEXT]
    assert (
        box["element"]["initial_value"] == "Hei Kari, takk for at du sa ifrå.\n\nHelsing\nErik Lind"
    )


def test_edit_modal_caps_the_box_at_slacks_limit_and_says_what_the_platform_allows() -> None:
    modal = build_edit_modal(make_view(), signature="Erik", length_limit=4096)

    box = inputs(modal)[ids.BLOCK_REPLY_TEXT]
    assert box["element"]["max_length"] == 3000
    assert (
        box["hint"]["text"] == "Google allows up to 4,096 characters; this box holds at most 3,000."
    )
    assert inputs(build_edit_modal(make_view(), signature="Erik"))[ids.BLOCK_REPLY_TEXT]["element"][
        "max_length"
    ] == (3000)


def test_edit_modal_warns_when_the_draft_is_longer_than_the_box() -> None:
    long_draft = CardDraft(version=3, text="Lang tekst. " * 400, translation=None, kind="llm")
    modal = build_edit_modal(make_view(draft=long_draft), signature="Erik")

    assert_view_within_limits(modal)
    assert len(inputs(modal)[ids.BLOCK_REPLY_TEXT]["element"]["initial_value"]) == 3000
    assert "The draft has 4,800 characters" in shown(modal)


def test_edit_modal_without_a_draft_is_for_writing_by_hand() -> None:
    modal = build_edit_modal(
        make_view(state="draft_failed", draft=None, draft_error="timeout"), signature="Erik"
    )

    assert_view_within_limits(modal)
    assert "initial_value" not in inputs(modal)[ids.BLOCK_REPLY_TEXT]["element"]


def test_regenerate_modal_asks_for_an_optional_instruction() -> None:
    modal = build_regenerate_modal(make_view())

    box = inputs(modal)[ids.BLOCK_INSTRUCTION]
    assert box["optional"] is True
    assert box["element"]["type"] == "plain_text_input"
    assert "*Current draft:*\n> Hei Kari, takk for at du sa ifrå." in shown(modal)
    assert modal["submit"]["text"] == "Write new draft"


def test_decline_modal_offers_the_reasons_and_an_optional_note() -> None:
    modal = build_decline_modal(make_view())

    reason = inputs(modal)[ids.BLOCK_DECLINE_REASON]["element"]
    assert [o["text"]["text"] for o in reason["options"]] == [
        "Not worth a reply",
        "Spam or fake",
        "Handled elsewhere",
        "Other",
    ]
    assert inputs(modal)[ids.BLOCK_DECLINE_NOTE]["optional"] is True


def test_assign_modal_picks_a_user_starting_from_the_current_owner() -> None:
    element = inputs(build_assign_modal(make_view(assignee="U0BOB001")))[ids.BLOCK_ASSIGNEE][
        "element"
    ]

    assert element["type"] == "users_select"
    assert element["initial_user"] == "U0BOB001"
    unowned = inputs(build_assign_modal(make_view()))[ids.BLOCK_ASSIGNEE]["element"]
    assert "initial_user" not in unowned


# What Slack sends back in view.state.values for each input type.
def _text_value(value: str | None) -> dict:
    return {"type": "plain_text_input", "value": value}


def _radio_value(value: str | None) -> dict:
    selected = {"text": {"type": "plain_text", "text": "x"}, "value": value} if value else None
    return {"type": "radio_buttons", "selected_option": selected}


def test_edit_submission_reads_the_text_and_whether_to_approve() -> None:
    values = {
        ids.BLOCK_REPLY_TEXT: {ids.INPUT_REPLY_TEXT: _text_value("  Hei Kari!\n")},
        ids.BLOCK_EDIT_MODE: {ids.INPUT_EDIT_MODE: _radio_value(ids.EDIT_MODE_SAVE)},
    }

    assert read_edit_submission(values) == EditSubmission(text="Hei Kari!", approve_now=False)
    values[ids.BLOCK_EDIT_MODE] = {ids.INPUT_EDIT_MODE: _radio_value(ids.EDIT_MODE_APPROVE)}
    assert read_edit_submission(values).approve_now is True


def test_edit_submission_without_text_is_refused() -> None:
    values = {
        ids.BLOCK_REPLY_TEXT: {ids.INPUT_REPLY_TEXT: _text_value("   ")},
        ids.BLOCK_EDIT_MODE: {ids.INPUT_EDIT_MODE: _radio_value(ids.EDIT_MODE_APPROVE)},
    }
    with pytest.raises(ValueError, match="empty"):
        read_edit_submission(values)
    with pytest.raises(ValueError, match="no reply_text"):
        read_edit_submission({})


def test_regenerate_decline_and_assign_submissions() -> None:
    assert (
        read_regenerate_submission(
            {ids.BLOCK_INSTRUCTION: {ids.INPUT_INSTRUCTION: _text_value(None)}}
        )
        is None
    )
    assert (
        read_regenerate_submission(
            {ids.BLOCK_INSTRUCTION: {ids.INPUT_INSTRUCTION: _text_value("shorter")}}
        )
        == "shorter"
    )
    decline = {
        ids.BLOCK_DECLINE_REASON: {ids.INPUT_DECLINE_REASON: _radio_value("spam_or_fake")},
        ids.BLOCK_DECLINE_NOTE: {ids.INPUT_DECLINE_NOTE: _text_value("same text on 5 sites")},
    }
    assert read_decline_submission(decline) == DeclineSubmission(
        reason="spam_or_fake", note="same text on 5 sites"
    )
    decline[ids.BLOCK_DECLINE_REASON] = {ids.INPUT_DECLINE_REASON: _radio_value("bogus")}
    with pytest.raises(ValueError, match="decline reason"):
        read_decline_submission(decline)
    assign = {
        ids.BLOCK_ASSIGNEE: {
            ids.INPUT_ASSIGNEE: {"type": "users_select", "selected_user": "U0BOB001"}
        }
    }
    assert read_assign_submission(assign) == "U0BOB001"
