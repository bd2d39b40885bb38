"""Draft quality through the real app: 👍 / 👎 on a card's draft (stored once per person,
thanked privately, shown to nobody), and the "Draft quality" table `/reviews kpi` answers."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.blocks import ids
from bot.drafting.signature import SIGNATURE_SLOT
from storage.models import DraftVote
from tests.slack.test_commands_reviews import answers
from tests.support.clock import TestClock
from tests.support.harness import REVIEWS_CHANNEL
from tests.support.workflow import (
    ANNA,
    BJORN,
    NEGATIVE_REVIEW,
    block_action,
    buttons,
    card_message,
    card_text,
    drafts,
    edit_values,
    ephemerals_for,
    eventually,
    instruction_values,
    open_modal,
    post_review,
    start,
    view_submission,
)

# The day after NEGATIVE_REVIEW was written.
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
THANKS_UP, THANKS_DOWN = "Thanks — noted 👍", "Thanks — noted 👎"


def votes(app) -> dict[tuple[int, str], int]:
    with Session(app.services.engine) as session:
        rows = session.exec(select(DraftVote)).all()
    return {(row.draft_id, row.user_id): row.vote for row in rows}


def click(app, message: dict, action_id: str, user: str) -> None:
    assert app.send_interaction(block_action(message, action_id, user=user)).status_code == 200


def told(fake_slack, user: str, text: str, count: int) -> None:
    eventually(
        lambda: ephemerals_for(fake_slack, user).count(text) == count,
        what=f"{count} × {text!r} for {user}",
    )


def test_a_vote_is_stored_once_per_person_thanked_privately_and_shown_to_nobody(
    app_factory, fake_slack
):
    app = start(app_factory, clock=TestClock(NOW))
    review_id = post_review(app, fake_slack)
    [draft] = drafts(app, review_id)
    card = card_message(fake_slack, review_id)
    assert buttons(card)[ids.ACTION_VOTE_UP]["value"] == f"{review_id}:d{draft.id}"
    assert "nobody sees who" in card_text(fake_slack, review_id)
    updates = len(fake_slack.ok_calls("chat.update"))

    click(app, card, ids.ACTION_VOTE_UP, ANNA)
    told(fake_slack, ANNA, THANKS_UP, 1)
    click(app, card, ids.ACTION_VOTE_DOWN, ANNA)  # she changes her mind
    told(fake_slack, ANNA, THANKS_DOWN, 1)
    click(app, card, ids.ACTION_VOTE_UP, BJORN)
    told(fake_slack, BJORN, THANKS_UP, 1)

    assert votes(app) == {(draft.id, ANNA): -1, (draft.id, BJORN): 1}
    # Nobody else hears of it: no redraw, nothing in the thread, no other person told.
    assert len(fake_slack.ok_calls("chat.update")) == updates
    assert fake_slack.thread(REVIEWS_CHANNEL, card["ts"]) == []
    assert ephemerals_for(fake_slack, ANNA) == [THANKS_UP, THANKS_DOWN]
    assert ephemerals_for(fake_slack, BJORN) == [THANKS_UP]
    shown = card_text(fake_slack, review_id)
    assert ANNA not in shown and BJORN not in shown


def test_a_vote_on_an_old_card_counts_for_the_draft_it_showed(app_factory, fake_slack):
    app = start(app_factory, clock=TestClock(NOW))
    review_id = post_review(app, fake_slack)
    old_card = copy.deepcopy(card_message(fake_slack, review_id))
    [first] = drafts(app, review_id)

    modal = open_modal(app, fake_slack, review_id, ids.ACTION_REGENERATE)
    app.send_interaction(view_submission(modal, instruction_values("Kortare, tack")))
    eventually(lambda: len(drafts(app, review_id)) == 2, what="the second draft")
    app.wait_for_status(review_id, "pending")
    second = drafts(app, review_id)[-1]
    showing(fake_slack, review_id, second.id)

    click(app, old_card, ids.ACTION_VOTE_DOWN, BJORN)
    told(fake_slack, BJORN, THANKS_DOWN, 1)
    assert votes(app) == {(first.id, BJORN): -1}


def showing(fake_slack, review_id: int, draft_id: int) -> None:
    """Wait for the card to show the draft, its buttons ready."""

    def shown() -> bool:
        found = buttons(card_message(fake_slack, review_id) or {})
        vote = found.get(ids.ACTION_VOTE_UP, {}).get("value")
        return ids.ACTION_EDIT in found and vote == ids.encode_draft_ref(review_id, draft_id)

    eventually(shown, what=f"the card of {review_id} showing draft {draft_id}")


def row(table: str, label: str) -> list[str]:
    for line in table.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if cells[0] == label:
            return cells[1:]
    raise AssertionError(f"no row {label!r} in:\n{table}")


def test_reviews_kpi_shows_draft_quality_by_language(app_factory, fake_slack):
    clock = TestClock(NOW)
    app = start(app_factory, clock=clock)
    swedish = post_review(app, fake_slack)
    finnish = post_review(
        app,
        fake_slack,
        NEGATIVE_REVIEW
        | {
            "external_id": "g-2",
            "language": "fi",
            "title": "Kylmää ruokaa",
            "text": "Ruoka oli kylmää ja odotimme tunnin.",
            "author": "Matti Virtanen",
        },
    )
    # Swedish: approved as drafted, with a 👍. Finnish: a new draft asked for, then a
    # sentence added to it before approval.
    click(app, card_message(fake_slack, swedish), ids.ACTION_VOTE_UP, ANNA)
    click(app, card_message(fake_slack, swedish), ids.ACTION_APPROVE, ANNA)
    app.wait_for_status(swedish, "approved")
    modal = open_modal(app, fake_slack, finnish, ids.ACTION_REGENERATE)
    app.send_interaction(view_submission(modal, instruction_values(None)))
    eventually(lambda: len(drafts(app, finnish)) == 2, what="the second Finnish draft")
    app.wait_for_status(finnish, "pending")
    second = drafts(app, finnish)[-1]
    showing(fake_slack, finnish, second.id)
    # Anna adds a sentence and signs: 22 characters added, the signature no edit.
    draft = second.text
    body, sign_off = draft.rsplit("\n\n", 1)
    sent = f"{body} Tervetuloa uudelleen!\n\n{sign_off.replace(SIGNATURE_SLOT, 'Anna')}"
    modal = open_modal(app, fake_slack, finnish, ids.ACTION_EDIT)
    app.send_interaction(view_submission(modal, edit_values(sent, approve_now=True)))
    app.wait_for_status(finnish, "approved")
    told(fake_slack, ANNA, THANKS_UP, 1)

    clock.advance(timedelta(minutes=5))
    app.send_command("kpi 7d", response_url=fake_slack.response_url())
    [answer] = answers(fake_slack)

    quality = next(
        b for b in answer["blocks"] if "*Draft quality*" in b.get("text", {}).get("text", "")
    )
    table = quality["text"]["text"]
    header = ["Approved", "Unedited", "Med. edit", "Regen.", "Declined", "👍", "👎"]
    assert re.split(r"\s{2,}", table.splitlines()[2].strip()) == ["Language", *header]
    assert row(table, "sv") == ["1", "100%", "–", "0%", "0%", "1", "0"]
    edit = 22 / (len(draft) - len(SIGNATURE_SLOT))
    shown = f"{edit:.1%}" if edit < 0.1 else f"{edit:.0%}"  # a decimal for small edits
    assert row(table, "fi") == ["1", "0%", shown, "100%", "0%", "0", "0"]
    assert row(table, "All")[:2] == ["2", "50%"]
