"""From POST /reviews to an approved card: the decision stored, the card redrawn in place."""

from __future__ import annotations

from bot.blocks import ids
from storage.models import CardState
from tests.support.harness import REVIEWS_CHANNEL
from tests.support.workflow import (
    ANNA,
    block_action,
    card_message,
    card_text,
    decisions,
    drafts,
    eventually,
    name_person,
    post_review,
    review,
    slack_card,
    start,
)


def test_a_review_becomes_one_card_and_approving_it_records_and_shows_the_decision(
    app_factory, fake_slack
):
    app = start(app_factory)
    name_person(fake_slack, ANNA, "Anna", "Anna Berg")
    review_id = post_review(app, fake_slack)

    [card] = fake_slack.messages(REVIEWS_CHANNEL)
    assert card["metadata"] == {"event_type": "review_card", "event_payload": {"review_id": 1}}
    assert {"review_approve", "review_edit", "review_decline"} <= set(
        b["action_id"]
        for block in card["blocks"]
        if block["type"] == "actions"
        for b in block["elements"]
    )
    stored = slack_card(app, review_id)
    # One message: posted saying "drafting…" and redrawn in place when the draft came, or
    # posted with the draft when the model was the quicker.
    assert (stored.state, stored.ts) == (CardState.posted, card["ts"])
    [draft] = drafts(app, review_id)

    response = app.send_interaction(block_action(card, ids.ACTION_APPROVE, user=ANNA))
    assert response.status_code == 200

    approved = app.wait_for_status(review_id, "approved")
    assert approved.decided_at is not None and approved.publish_state == "manual"
    [decision] = decisions(app, review_id, "approved")
    assert (decision.actor, decision.draft_id, decision.final_text, decision.edited) == (
        ANNA,
        draft.id,
        draft.text.replace("[your name]", "Anna"),  # signed by the approver, not an edit
        False,
    )
    # The card is redrawn in place: who, the reply to copy, and how to finish by hand.
    eventually(lambda: "Approved" in card_text(fake_slack, review_id), what="approved card")
    assert len(fake_slack.messages(REVIEWS_CHANNEL)) == 1
    updated = card_message(fake_slack, review_id)
    text = card_text(fake_slack, review_id)
    assert f"<@{ANNA}>" in text and "Copy this reply" in text
    assert draft.text.split("\n")[0] in text.replace("&amp;", "&")
    actions = {
        b["action_id"]: b
        for block in updated["blocks"]
        if block["type"] == "actions"
        for b in block["elements"]
    }
    assert set(actions) == {ids.ACTION_OPEN_REVIEW, ids.ACTION_MARK_POSTED}
    assert actions[ids.ACTION_OPEN_REVIEW]["url"] == "https://example.com/reviews/g-1"
    # Redrawn once more, approved: after "drafting…" and the draft (or the two in one post).
    assert slack_card(app, review_id).version == stored.version + 1
    # The history goes in the card's thread.
    thread = eventually(lambda: fake_slack.thread(REVIEWS_CHANNEL, card["ts"]), what="thread")
    assert "approved the reply" in thread[-1]["text"]

    app.send_interaction(block_action(updated, ids.ACTION_MARK_POSTED, user=ANNA))
    eventually(lambda: review(app, review_id).publish_state == "posted", what="posted")
    eventually(lambda: "Posted on Google by hand" in card_text(fake_slack, review_id))
    assert [d.action for d in decisions(app, review_id)] == ["approved", "posted"]
