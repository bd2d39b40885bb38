"""Posting cards: exactly one per review through the outbox, untrusted text kept inert, long
reviews continued in the thread, Slack's 429 retried, and a crash between post and record
recovered without a second card."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from bot.blocks.mrkdwn import review_text_chunks
from bot.cards.pacing import ChannelPacer
from bot.cards.posting import Poster
from bot.cards.service import CardService
from bot.cards.slack_client import build_web_client
from bot.config import Settings
from bot.reviews.intake import parse_review
from bot.wiring import build_services
from storage.models import CardState, SlackCard, utcnow
from tests.support.clock import TestWaits
from tests.support.harness import REVIEWS_CHANNEL
from tests.support.shared_data import SHARED_DATA
from tests.support.workflow import (
    NEGATIVE_REVIEW,
    card_message,
    card_text,
    eventually,
    post_review,
    slack_card,
    start,
)

DATA = SHARED_DATA


def everything_sent(fake_slack) -> str:
    """Every text and block Slack received in messages, as JSON (what could ping or link)."""
    calls = fake_slack.calls("chat.postMessage") + fake_slack.calls("chat.update")
    return json.dumps(
        [{k: c.args.get(k) for k in ("text", "blocks")} for c in calls], ensure_ascii=False
    )


def test_mentions_and_links_in_a_review_ping_and_link_nobody(app_factory, fake_slack):
    app = start(app_factory)
    hostile = {
        **NEGATIVE_REVIEW,
        "author": "<!here> Eve",
        "title": "<@U0BOSS> look",
        "text": "Hey <!channel>, ask <@U0BOSS> or <https://evil.example|click here> & win.",
    }
    review_id = post_review(app, fake_slack, hostile)

    sent = everything_sent(fake_slack)
    for raw in ("<!channel>", "<!here>", "<@U0BOSS>", "<https://evil.example"):
        assert raw not in sent
    text = card_text(fake_slack, review_id)
    assert "&lt;!channel&gt;" in text and "&lt;@U0BOSS&gt;" in text
    assert "&lt;https://evil.example|click here&gt; &amp; win." in text
    # Sections are verbatim, so Slack does not turn bare words into links or mentions either.
    card = card_message(fake_slack, review_id)
    assert all(
        block["text"]["verbatim"] is True for block in card["blocks"] if block["type"] == "section"
    )


def _long_real_text(length: int) -> str:
    """Real negative reviews in several languages and scripts, joined to `length` characters."""
    if not DATA.is_dir():
        pytest.skip(f"{DATA} is missing")
    files = ("sv.jsonl", "zh-Hant.jsonl", "fi.jsonl", "no.jsonl")
    parts: list[str] = []
    for name in files:
        taken = 0  # about an equal share from each language
        with (DATA / name).open(encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                if row["label"] == "negative" and row["text"]:
                    parts.append(row["text"])
                    taken += len(row["text"]) + 2
                if taken >= length // len(files):
                    break
    text = "\n\n".join(parts)
    while len(text) < length:
        text += "\n\n" + text
    return text[:length]


def test_a_20000_character_review_fits_the_card_and_is_whole_in_the_thread(app_factory, fake_slack):
    app = start(app_factory)
    body = _long_real_text(20_000)
    review_id = post_review(
        app, fake_slack, {**NEGATIVE_REVIEW, "title": None, "text": body, "language": None}
    )

    card = card_message(fake_slack, review_id)  # FakeSlack refuses a card over any limit
    assert "continued in the thread (20,000 characters in all)" in card_text(fake_slack, review_id)
    expected = len(review_text_chunks(body))

    def review_parts() -> list[dict] | None:
        thread = fake_slack.thread(REVIEWS_CHANNEL, card["ts"])
        parts = [m for m in thread if m["text"].startswith("Review text, part")]
        return parts if len(parts) == expected else None

    parts = eventually(review_parts, what="every part of the review in the thread")
    assert parts[0]["text"] == f"Review text, part 1 of {expected}"
    quoted = [m["blocks"][1]["text"]["text"] for m in parts]
    shown = "".join("\n".join(line.removeprefix("> ") for line in q.split("\n")) for q in quoted)
    unescaped = shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert "".join(unescaped.split()) == "".join(body.split())


def test_slack_answering_429_then_200_gives_exactly_one_card(app_factory, fake_slack):
    app = start(app_factory)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)

    review_id = post_review(app, fake_slack)

    attempts = fake_slack.calls("chat.postMessage")
    assert len(attempts) == 2 and len(fake_slack.ok_calls("chat.postMessage")) == 1
    assert len(fake_slack.messages(REVIEWS_CHANNEL)) == 1
    assert slack_card(app, review_id).state == CardState.posted


def test_a_5xx_on_posting_a_card_is_looked_up_then_posted_again_within_seconds(
    app_factory, fake_slack
):
    # A 5xx may come after Slack posted the message; posting again blindly could show two
    # cards. The poster looks for the card by its metadata first, and posts it when absent,
    # on a short back-off of its own rather than at the next sweep.
    app = start(app_factory)
    fake_slack.fail_next("chat.postMessage", status=500, times=2)
    review_id = post_review(app, fake_slack)

    assert len(fake_slack.ok_calls("chat.postMessage")) == 1
    assert len(fake_slack.messages(REVIEWS_CHANNEL)) == 1
    assert slack_card(app, review_id).state == CardState.posted
    # Each retry looked in the channel first, since a little before the failed attempt.
    searches = fake_slack.ok_calls("conversations.history")
    assert len(searches) == 2 and all(s.args.get("oldest") for s in searches)
    assert app.waits.seconds[:2] == [0.5, 1.0]
    assert app.services.outbox.sweep() == 0


def test_a_card_post_that_reached_slack_despite_a_5xx_is_adopted_not_posted_again(
    app_factory, fake_slack
):
    app = start(app_factory)
    fake_slack.fail_next("chat.postMessage", status=500, after_success=True)
    review_id = app.post_reviews(NEGATIVE_REVIEW).json()["reviews"][0]["id"]
    app.wait_for_status(review_id, "pending")

    # The card Slack had kept despite the 5xx was adopted, and shows the draft (redrawn in
    # place if it was posted saying "drafting…").
    eventually(
        lambda: (
            # In Slack, so its outbox row was committed before it was posted.
            (message := card_message(fake_slack, review_id)) is not None
            and "Writing a draft" not in str(message["blocks"])
            and slack_card(app, review_id).state == CardState.posted
        ),
        what="the adopted card showing its draft",
    )
    [card] = fake_slack.messages(REVIEWS_CHANNEL)
    assert slack_card(app, review_id).ts == card["ts"]
    assert len(fake_slack.calls("chat.postMessage")) == 1


def _offline(sqlite_url: str) -> Settings:
    """Like `reviewbot import`: no Slack token, so cards are only queued."""
    return Settings(database_url=sqlite_url, reviews_channel=REVIEWS_CHANNEL)


def _ingest_offline(sqlite_url: str) -> int:
    services = build_services(_offline(sqlite_url))
    try:
        [result] = services.intake.ingest([parse_review(NEGATIVE_REVIEW)])
        review_id = result.review_id
        with Session(services.engine) as session:
            card = session.exec(select(SlackCard).where(SlackCard.review_id == review_id)).one()
        assert (card.state, card.ts) == (CardState.queued, None)
        return review_id
    finally:
        services.close()


def test_cards_queued_without_slack_are_posted_once_when_the_app_starts(
    app_factory, fake_slack, sqlite_url
):
    review_id = _ingest_offline(sqlite_url)
    assert fake_slack.calls("chat.postMessage") == []

    app = start(app_factory)

    eventually(lambda: slack_card(app, review_id).state == CardState.posted, what="the post")
    assert len(fake_slack.messages(REVIEWS_CHANNEL)) == 1
    assert card_message(fake_slack, review_id)["ts"] == slack_card(app, review_id).ts


class ProcessDied(Exception):
    pass


class DiesAfterPosting(CardService):
    """The process dies after Slack took the card and before the database heard of it."""

    def record_post(self, card_id: int, channel: str, ts: str, **_: object) -> None:
        raise ProcessDied


def test_a_crash_between_post_and_record_is_recovered_without_a_second_card(
    app_factory, fake_slack, sqlite_url
):
    review_id = _ingest_offline(sqlite_url)
    settings = Settings(
        database_url=sqlite_url,
        reviews_channel=REVIEWS_CHANNEL,
        slack_bot_token=fake_slack.bot_token,
        slack_api_url=fake_slack.api_url,
    )
    doomed = build_services(_offline(sqlite_url))
    dying = DiesAfterPosting(
        doomed.engine,
        build_web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url),
        channel=REVIEWS_CHANNEL,
        tz=settings.tz,
        team_language="en",
        poster=Poster(
            build_web_client(
                settings.slack_bot_token.get_secret_value(),
                settings.slack_api_url,
                idempotent_only=True,
            ),
            ChannelPacer(0),
            clock=utcnow,
            sleep=TestWaits(),
        ),
    )
    with pytest.raises(ProcessDied):
        dying.post_or_update(review_id)
    doomed.close()
    [posted] = fake_slack.messages(REVIEWS_CHANNEL)

    app = start(app_factory)  # the restart: recovery runs from Services.start()

    eventually(lambda: slack_card(app, review_id).state == CardState.posted, what="adoption")
    assert slack_card(app, review_id).ts == posted["ts"]
    assert len(fake_slack.ok_calls("chat.postMessage")) == 1
    assert len(fake_slack.messages(REVIEWS_CHANNEL)) == 1
    [search] = fake_slack.ok_calls("conversations.history")
    assert search.args["include_all_metadata"] in ("1", "true", True)
    # The adopted card is redrawn from storage, so its buttons carry the current version.
    eventually(lambda: fake_slack.ok_calls("chat.update"), what="the redraw")
    assert slack_card(app, review_id).version == 2
    assert "card version 2" in card_text(fake_slack, review_id)
    assert app.services.outbox.sweep() == 0


def test_the_pacer_spaces_posts_to_one_channel_and_not_across_channels():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = ChannelPacer(1.0, clock=lambda: now[0], sleep=sleep)
    pacer.wait("C1")
    pacer.wait("C2")
    pacer.wait("C1")
    now[0] += 5
    pacer.wait("C1")

    assert slept == [1.0]


def test_with_card_positive_a_positive_review_gets_a_card_without_buttons(app_factory, fake_slack):
    app = app_factory(card_positive=True)
    review_id = app.post_reviews(
        {**NEGATIVE_REVIEW, "external_id": "pos-1", "rating": 5, "text": "Underbart fika!"}
    ).json()["reviews"][0]["id"]
    app.wait_for_status(review_id, "positive")
    card = eventually(lambda: card_message(fake_slack, review_id), what="the positive card")
    assert not [block for block in card["blocks"] if block["type"] == "actions"]
    assert "no reply is needed" in str(card["blocks"])
