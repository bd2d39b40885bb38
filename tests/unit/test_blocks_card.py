"""The review card, its thread messages and the mrkdwn helpers, built from plain data."""

import html
import json
import random
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.blocks import ids
from bot.blocks.card import build_card
from bot.blocks.card_view import CardDecision, CardDraft, CardFinding, CardView
from bot.blocks.mrkdwn import escape_mrkdwn, quote_mrkdwn, review_text_chunks
from bot.blocks.thread import build_history_message, build_review_text_messages
from tests.support.blocks import (
    HOSTILE,
    HOSTILE_TEXT,
    assert_message_within_limits,
    huge_view,
    make_view,
    visible_texts,
)
from tests.support.shared_data import SHARED_DATA

OSLO = ZoneInfo("Europe/Oslo")
DATA_DIR = SHARED_DATA


def approved(**changes) -> CardView:
    decision = CardDecision(
        action="approved",
        actor="U0ANNA01",
        at=datetime(2026, 11, 21, 8, 30, tzinfo=UTC),
        final_text="Hei Kari, takk – vi ordnar det.",
        edited=True,
    )
    return make_view(state="approved", decision=decision, **changes)


def everything(payload: dict) -> str:
    return "\n".join(visible_texts(payload))


def buttons(card: dict) -> list[dict]:
    return [e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]


def action_ids(card: dict) -> list[str]:
    return [button["action_id"] for button in buttons(card)]


def test_pending_card_shows_the_review_the_draft_and_all_actions() -> None:
    card = build_card(make_view(), tz=OSLO)

    assert_message_within_limits(card)
    assert card["blocks"][0]["text"]["text"] == "★☆☆☆☆ 1/5 Google review"
    shown = everything(card)
    for expected in (
        "Kari Nordmann",
        "Oslo sentrum",
        "2026-11-20 18:03",  # 17:03 UTC in Oslo
        "> Kald kaffi",
        "> Kaffien var kald og personalet sur.",
        "Norwegian Nynorsk (nn)",
        "The coffee was cold and the staff grumpy.",
        "Themes: temperature, staff",
        "> Hei Kari, takk for at du sa ifrå.",
        "Hi Kari, thanks for telling us.",
        "Promises a refund the policy does not allow",
        "<https://maps.example.com/review?id=1&amp;lang=nn|Open review>",
    ):
        assert expected in shown, expected
    assert action_ids(card) == [
        ids.ACTION_APPROVE,
        ids.ACTION_EDIT,
        ids.ACTION_REGENERATE,
        ids.ACTION_DECLINE,
        ids.ACTION_ASSIGN,
    ]
    assert [b.get("style") for b in buttons(card)] == ["primary", None, None, None, None]
    assert {ids.decode_ref(b["value"]) for b in buttons(card)} == {(42, 3)}
    assert "Kari Nordmann" in card["text"]


def test_assumed_language_and_owner_are_shown() -> None:
    shown = everything(build_card(make_view(language_assumed=True, assignee="U0BOB001"), tz=OSLO))

    assert "assumed, not detected" in shown
    assert "Owner: <@U0BOB001>" in shown


def test_drafting_card_has_no_buttons_and_says_a_draft_is_on_its_way() -> None:
    card = build_card(make_view(state="drafting"), tz=OSLO)

    assert_message_within_limits(card)
    assert action_ids(card) == []
    assert "Writing a new draft…" in everything(card)
    assert "Hei Kari, takk for at du sa ifrå." not in everything(card)


def test_draft_failed_card_gives_the_reason_and_a_way_forward() -> None:
    card = build_card(
        make_view(state="draft_failed", draft=None, draft_error="the model timed out"), tz=OSLO
    )

    assert_message_within_limits(card)
    assert "The draft could not be written:* the model timed out" in everything(card)
    assert action_ids(card) == [
        ids.ACTION_RETRY_DRAFT,
        ids.ACTION_EDIT,
        ids.ACTION_DECLINE,
        ids.ACTION_ASSIGN,
    ]
    assert [b["text"]["text"] for b in buttons(card)][:2] == ["Try again", "Write by hand"]


@pytest.mark.parametrize(
    ("publish_state", "words"),
    [
        ("none", "Waiting to be published on Google."),
        ("publishing", "Publishing on Google…"),
        ("published", "Published on Google."),
        ("posted", "Posted on Google by hand."),
    ],
)
def test_approved_card_says_who_when_what_and_what_happens_next(publish_state, words) -> None:
    card = build_card(approved(publish_state=publish_state), tz=OSLO)

    assert_message_within_limits(card)
    shown = everything(card)
    assert "*Approved* by <@U0ANNA01> · 2026-11-21 09:30 · edited before approval" in shown
    assert "> Hei Kari, takk – vi ordnar det." in shown
    assert words in shown
    assert action_ids(card) == []


def test_approved_card_for_a_source_we_cannot_answer_offers_copy_and_mark_as_posted() -> None:
    card = build_card(approved(publish_state="manual"), tz=OSLO)

    assert_message_within_limits(card)
    shown = everything(card)
    assert "*Copy this reply:*" in shown
    assert "> Hei Kari, takk – vi ordnar det." in shown
    open_review, mark_posted = buttons(card)
    assert open_review["url"] == "https://maps.example.com/review?id=1&lang=nn"
    assert open_review["action_id"] == ids.ACTION_OPEN_REVIEW
    assert mark_posted["action_id"] == ids.ACTION_MARK_POSTED
    assert ids.decode_ref(mark_posted["value"]) == (42, 3)


def test_manual_card_without_a_safe_url_still_offers_mark_as_posted() -> None:
    card = build_card(approved(publish_state="manual", url="javascript:alert(1)"), tz=OSLO)

    assert action_ids(card) == [ids.ACTION_MARK_POSTED]
    assert "javascript:" not in json.dumps(card)


def test_failed_publish_shows_the_platform_error_and_retry() -> None:
    card = build_card(
        approved(publish_state="failed", publish_error="403 <b>reply already exists</b>"), tz=OSLO
    )

    assert "*Publishing on Google failed:* 403 &lt;b&gt;reply already exists&lt;/b&gt;" in (
        everything(card)
    )
    assert action_ids(card) == [ids.ACTION_RETRY_PUBLISH]


def test_declined_card_gives_who_and_why() -> None:
    decision = CardDecision(
        action="declined",
        actor="U0ANNA01",
        at=datetime(2026, 11, 21, 8, 30),  # naive, as SQLite returns it: UTC
        reason="spam_or_fake",
    )
    card = build_card(make_view(state="declined", decision=decision), tz=OSLO)

    assert_message_within_limits(card)
    assert "*Declined* by <@U0ANNA01> · 2026-11-21 09:30\nReason: Spam or fake" in everything(card)
    assert action_ids(card) == []


def test_a_decided_card_without_its_decision_is_refused() -> None:
    with pytest.raises(ValueError, match="no decision"):
        build_card(make_view(state="approved"), tz=OSLO)


def test_urgent_card_stands_out_and_mentions_the_leads() -> None:
    view = make_view(
        priority="urgent",
        urgent_reason="mentions food poisoning",
        lead_contacts=("U0LEAD01", "U0LEAD02"),
        sla_breached=True,
        rating_change=(1, 4),
        changed_after_reply=True,
    )
    card = build_card(view, tz=OSLO)

    assert_message_within_limits(card)
    assert card["blocks"][0]["text"]["text"].startswith(":rotating_light: URGENT")
    urgent = card["blocks"][1]["text"]["text"]
    assert "mentions food poisoning" in urgent
    assert "<@U0LEAD01> <@U0LEAD02>" in urgent
    assert "<@U0LEAD01>" in card["text"]  # the notification names them too
    shown = everything(card)
    assert "Reply deadline passed" in shown
    assert "Rating changed 1★ → 4★" in shown
    assert "changed the review after our reply" in shown
    assert "Priority: *urgent*" in shown


def test_normal_card_mentions_nobody() -> None:
    card = build_card(make_view(), tz=OSLO)

    assert "URGENT" not in everything(card)
    assert "<@" not in everything(card)


def test_review_text_cannot_ping_link_or_pose_as_the_bot() -> None:
    decision = CardDecision(
        action="declined", actor="<!here>", at=datetime(2026, 1, 1), reason=HOSTILE_TEXT
    )
    hostile = dict(
        title=HOSTILE_TEXT,
        text=HOSTILE_TEXT,
        author=HOSTILE_TEXT,
        location=HOSTILE_TEXT,
        source=HOSTILE_TEXT,
        language=HOSTILE_TEXT,
        team_language=HOSTILE_TEXT,
        review_translation=HOSTILE_TEXT,
        themes=(HOSTILE_TEXT,),
        urgent_reason=HOSTILE_TEXT,
        lead_contacts=(HOSTILE_TEXT,),
        assignee=HOSTILE_TEXT,
        draft_error=HOSTILE_TEXT,
        publish_error=HOSTILE_TEXT,
        url="https://evil.example/|<!channel>",
        draft=CardDraft(
            version=1,
            text=HOSTILE_TEXT,
            translation=HOSTILE_TEXT,
            kind="llm",
            findings=(CardFinding(HOSTILE_TEXT, HOSTILE_TEXT),),
        ),
    )
    payloads = [
        build_card(make_view(priority="urgent", **hostile), tz=OSLO),
        build_card(make_view(state="draft_failed", **hostile), tz=OSLO),
        build_card(make_view(state="declined", **{**hostile, "decision": decision}), tz=OSLO),
        build_history_message("declined", "<!here>", HOSTILE_TEXT, at=datetime.now(UTC), tz=OSLO),
        build_history_message("assigned", "U0ANNA01", HOSTILE_TEXT, at=datetime.now(UTC), tz=OSLO),
    ]
    for payload in payloads:
        shown = everything(payload)
        for raw in (*HOSTILE, "<!here>", "|<!channel>"):
            assert raw not in shown
        assert "&lt;!channel&gt;" in shown
    review = build_card(make_view(text=HOSTILE_TEXT), tz=OSLO)
    review_section = next(
        b["text"]["text"]
        for b in review["blocks"]
        if "&lt;@U123&gt;" in b.get("text", {}).get("text", "")
    )
    # Bold in the review stays inside the quote, so it cannot pass for the card's own words.
    assert review_section.startswith("> ")
    assert all(line.startswith("> ") for line in review_section.split("\n"))


def test_review_text_is_never_auto_linked() -> None:
    card = build_card(make_view(text="see www.evil.example and @channel #general"), tz=OSLO)

    mrkdwn = [obj for b in card["blocks"] for obj in _text_objects(b) if obj["type"] == "mrkdwn"]
    assert mrkdwn and all(obj["verbatim"] is True for obj in mrkdwn)


def _text_objects(node):
    if isinstance(node, dict):
        if node.get("type") in {"mrkdwn", "plain_text"}:
            yield node
        for value in node.values():
            yield from _text_objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _text_objects(value)


def test_a_20000_character_review_fits_and_the_whole_text_goes_to_the_thread() -> None:
    rng = random.Random(7)
    words = ["kaffe", "&", "<kald>", "personalet\n", "väntade", "länge", "<!channel>", "\n\n"]
    text = "".join(rng.choice(words) + " " for _ in range(4000))[:20_000]
    assert len(text) == 20_000
    view = make_view(
        title=None,
        text=text,
        review_translation=text,
        draft=replace(make_view().draft, text=text, translation=text),
    )

    card = build_card(view, tz=OSLO)
    assert_message_within_limits(card)
    assert "continued in the thread (20,000 characters in all)" in everything(card)

    messages = build_review_text_messages(view)
    for message in messages:
        assert_message_within_limits(message)
    quoted = [m["blocks"][1]["text"]["text"] for m in messages]
    assert all(len(q) <= 2900 for q in quoted)
    chunks = review_text_chunks(text)
    assert [quote_mrkdwn(c) for c in chunks] == quoted
    assert "".join(html.unescape(c) for c in chunks) == text
    assert f"part {len(chunks)} of {len(chunks)}" in messages[-1]["text"]


@pytest.mark.parametrize(
    ("state", "publish_state"),
    [
        ("drafting", "none"),
        ("pending", "none"),
        ("draft_failed", "none"),
        ("approved", "manual"),
        ("approved", "failed"),
        ("declined", "none"),
    ],
)
def test_every_state_stays_within_limits_when_every_field_is_huge(state, publish_state) -> None:
    view = huge_view(state, publish_state)

    assert_message_within_limits(build_card(view, tz=OSLO))
    for message in build_review_text_messages(view):
        assert_message_within_limits(message)
    for kind in ("assigned", "declined"):
        history = build_history_message(kind, view.author, view.text, at=view.created_at, tz=OSLO)
        assert_message_within_limits(history)


def test_a_short_review_needs_no_thread_messages() -> None:
    assert build_review_text_messages(make_view()) == []


@given(st.text(max_size=3000), st.integers(min_value=10, max_value=400))
@example("0000<\r00000<", 10)  # a word carried to the next chunk, then a wide character
def test_chunks_cover_the_text_exactly_and_fit_once_quoted(text: str, limit: int) -> None:
    chunks = review_text_chunks(text, limit)

    assert "".join(html.unescape(chunk) for chunk in chunks) == text
    assert all(chunk and len(quote_mrkdwn(chunk)) <= limit for chunk in chunks)


def test_chunks_break_between_words() -> None:
    chunks = review_text_chunks("alpha beta gamma delta " * 20, limit=40)

    assert all(chunk.endswith(" ") for chunk in chunks[:-1])


def test_escape_mrkdwn_follows_slacks_rule() -> None:
    assert escape_mrkdwn("a & b <@U1> > c") == "a &amp; b &lt;@U1&gt; &gt; c"


def test_a_click_on_an_older_card_carries_the_older_version() -> None:
    old = build_card(make_view(card_version=3), tz=OSLO)
    new = build_card(make_view(card_version=4), tz=OSLO)

    assert {ids.decode_ref(b["value"]) for b in buttons(old)} == {(42, 3)}
    assert {ids.decode_ref(b["value"]) for b in buttons(new)} == {(42, 4)}


@pytest.mark.parametrize(
    "garbage", ["", "42", "42:", ":3", "a:b", "42:3:1", " 42:3", "42:3\n", "-1:3", "٤٢:3", None]
)
def test_decode_ref_refuses_garbage(garbage) -> None:
    with pytest.raises(ValueError):
        ids.decode_ref(garbage)


def test_ref_round_trips() -> None:
    assert ids.decode_ref(ids.encode_ref(123456789, 17)) == (123456789, 17)
    with pytest.raises(ValueError):
        ids.encode_ref(-1, 0)


def _real_reviews(per_file: int) -> list[dict]:
    if not DATA_DIR.is_dir():
        pytest.skip(f"{DATA_DIR} is missing")
    reviews = []
    for path in sorted(DATA_DIR.glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        reviews.extend(json.loads(line) for line in lines[:per_file])
    return reviews


def test_cards_for_real_reviews_fit_and_show_the_text() -> None:
    for review in _real_reviews(per_file=150):
        view = make_view(
            source=review["source"], rating=review["rating"], title=None, text=review["text"]
        )
        card = build_card(view, tz=OSLO)
        assert_message_within_limits(card)
        shown = html.unescape(everything(card))
        first_line = review["text"].split("\n")[0].strip()
        assert first_line[:200] in shown


def test_a_rating_only_review_without_stars_or_text() -> None:
    card = build_card(make_view(rating=None, title=None, text="", source="shop-x"), tz=OSLO)

    assert_message_within_limits(card)
    assert card["blocks"][0]["text"]["text"] == "Review"
    assert "No text: the customer left only a rating." in everything(card)
    assert "shop-x" in everything(card)


def test_a_positive_review_card_says_no_reply_is_needed_and_offers_no_buttons():
    message = build_card(make_view(state="positive", rating=5, draft=None), tz=UTC)
    assert not [b for b in message["blocks"] if b["type"] == "actions"]
    assert any("no reply is needed" in b.get("text", {}).get("text", "") for b in message["blocks"])


def test_a_draft_older_than_the_reviews_last_change_says_so_and_offers_no_approve() -> None:
    card = build_card(make_view(draft_outdated="2★ → 4★, new text"), tz=OSLO)

    assert_message_within_limits(card)
    shown = everything(card)
    assert "This draft is older than the review's last change* (2★ → 4★, new text)" in shown
    assert action_ids(card) == [
        ids.ACTION_REGENERATE,
        ids.ACTION_EDIT,
        ids.ACTION_DECLINE,
        ids.ACTION_ASSIGN,
    ]
    assert buttons(card)[0]["style"] == "primary"
    current = build_card(make_view(), tz=OSLO)
    assert "older than the review's last change" not in everything(current)


@pytest.mark.parametrize("state", ["pending", "draft_failed"])
def test_an_erased_reviews_card_offers_nothing_that_would_answer_it(state) -> None:
    view = make_view(state=state, erased=True, draft_error="timeout", draft_outdated="new text")
    assert action_ids(build_card(view, tz=OSLO)) == [ids.ACTION_DECLINE, ids.ACTION_ASSIGN]


def test_an_erased_reviews_failed_publication_offers_no_retry() -> None:
    view = approved(publish_state="failed", publish_error="HTTP 500", erased=True)
    assert action_ids(build_card(view, tz=OSLO)) == []
