"""An erased review in Slack: its card offers nothing that would answer it, a click on an old
button is refused, and the weekly digests and pattern alerts that showed it are redrawn
without it, whether erased on request (`reviewbot erase`) or by the retention job. Through the
real app, the CLI and the fake Slack, on each database."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from bot.blocks import ids
from bot.cli import cli
from bot.jobs import digest, patterns, retention
from bot.reviews.refusals import ERASED_REVIEW
from tests.support.harness import REVIEWS_CHANNEL, AppHarness
from tests.support.jobs import NOW, add_review, card, job_services, set_review
from tests.support.workflow import (
    ANNA,
    NEGATIVE_REVIEW,
    block_action,
    buttons,
    card_message,
    card_text,
    ephemerals_for,
    eventually,
    post_review,
    review,
)

DIGEST_CHANNEL = "C0DIGEST"
# Monday 30 November 2026, 08:00 in Stockholm: the digest for 23–29 November.
MONDAY = NOW + timedelta(days=5, hours=21)
SHORT_WAIT = "Vi väntade en timme på maten."  # the shortest: the digest's example
LONG_WAIT = "Vi fick vänta nittio minuter på ett bord, och sedan var maten kall."


def erase_on_request(monkeypatch, fake_slack, database_url: str, *args: str) -> None:
    """`reviewbot erase … --yes`, as an operator runs it next to the serving process."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", fake_slack.bot_token)
    monkeypatch.setenv("SLACK_API_URL", fake_slack.api_url)
    monkeypatch.setenv("REVIEWS_CHANNEL", REVIEWS_CHANNEL)
    monkeypatch.setenv("DIGEST_CHANNEL", DIGEST_CHANNEL)
    result = CliRunner().invoke(cli, ["erase", *args, "--by", "dpo@example.com", "--yes"])
    assert result.exit_code == 0, result.output
    assert "erased the personal data of 1 review(s)" in result.stdout


@pytest.fixture
def app(fake_slack, database_url) -> Iterator[AppHarness]:
    harness = AppHarness.start(
        fake_slack=fake_slack,
        database_url=database_url,
        card_post_interval=0,
        scheduler_enabled=False,
    )
    yield harness
    harness.stop()


@pytest.fixture
def services(fake_slack, database_url):
    services = job_services(fake_slack, database_url, digest_channel=DIGEST_CHANNEL)
    yield services
    services.close()


def test_an_erased_cards_buttons_answer_nothing_and_its_old_buttons_are_refused(
    app, fake_slack, database_url, monkeypatch
):
    review_id = post_review(app, fake_slack)
    as_seen = copy.deepcopy(card_message(fake_slack, review_id))
    assert {ids.ACTION_APPROVE, ids.ACTION_EDIT, ids.ACTION_REGENERATE} <= set(buttons(as_seen))

    erase_on_request(monkeypatch, fake_slack, database_url, "--author", "anna svensson")

    eventually(lambda: NEGATIVE_REVIEW["author"] not in card_text(fake_slack, review_id))
    assert set(buttons(card_message(fake_slack, review_id))) == {
        ids.ACTION_DECLINE,
        ids.ACTION_ASSIGN,
    }
    opened = len(fake_slack.ok_calls("views.open"))
    for action in (ids.ACTION_APPROVE, ids.ACTION_EDIT, ids.ACTION_REGENERATE):
        assert app.send_interaction(block_action(as_seen, action)).status_code == 200
    eventually(lambda: len(ephemerals_for(fake_slack, ANNA)) == 3, what="three refusals")
    assert ephemerals_for(fake_slack, ANNA) == [ERASED_REVIEW] * 3
    assert len(fake_slack.ok_calls("views.open")) == opened  # no modal on erased text
    assert review(app, review_id).status == "pending"
    assert "Writing a new draft" not in card_text(fake_slack, review_id)


def test_an_erased_review_whose_draft_failed_offers_no_try_again(app, fake_slack):
    review_id = post_review(app, fake_slack)
    set_review(app.services, review_id, draft_error="the AI service did not answer")
    app.services.cards.post_or_update(review_id)
    assert ids.ACTION_RETRY_DRAFT in buttons(card_message(fake_slack, review_id))

    app.services.erasure.erase_review("google", NEGATIVE_REVIEW["external_id"], actor="dpo")

    assert set(buttons(card_message(fake_slack, review_id))) == {
        ids.ACTION_DECLINE,
        ids.ACTION_ASSIGN,
    }


def waiting_reviews(services) -> tuple[int, int]:
    short = add_review(services, "w-1", text=SHORT_WAIT)
    long = add_review(services, "w-2", text=LONG_WAIT)
    for review_id, days_before in ((short, 3), (long, 2)):
        set_review(
            services,
            review_id,
            themes=["waiting_time"],
            created_at=MONDAY - timedelta(days=days_before),
        )
    return short, long


def digest_text(fake_slack) -> str:
    [message] = [m for m in fake_slack.messages(DIGEST_CHANNEL) if "digest" in m["text"]]
    return "\n".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")


def test_a_digest_that_quoted_an_erased_review_is_redrawn_without_it(
    services, fake_slack, database_url, monkeypatch
):
    waiting_reviews(services)
    assert digest.run(services, MONDAY) is True
    before = digest_text(fake_slack)
    assert SHORT_WAIT in before and "*Waiting time*: 2" in before

    erase_on_request(monkeypatch, fake_slack, database_url, "--review", "google:w-1")

    after = digest_text(fake_slack)
    assert SHORT_WAIT not in after
    assert LONG_WAIT in after  # the example left
    assert "*Waiting time*: 2" in after  # an erased review still counts
    # The same digest otherwise: its figures are those of when it was sent.
    assert after.replace(LONG_WAIT, SHORT_WAIT) == before  # one digest message, redrawn


def test_the_retention_job_redraws_the_digest_of_the_week_it_erased(fake_slack, database_url):
    services = job_services(
        fake_slack, database_url, digest_channel=DIGEST_CHANNEL, retention_days=30
    )
    try:
        short, _ = waiting_reviews(services)
        set_review(services, short, created_at=MONDAY - timedelta(days=4))
        digest.run(services, MONDAY)
        later = MONDAY + timedelta(days=27)  # the short one is 31 days old, the other 29

        retention.run(services, later)

        after = digest_text(fake_slack)
        assert SHORT_WAIT not in after and LONG_WAIT in after
    finally:
        services.close()


def alert_text(fake_slack) -> str:
    [alert] = [m for m in fake_slack.messages(REVIEWS_CHANNEL) if "*Pattern:*" in m["text"]]
    return alert["blocks"][0]["text"]["text"]


def test_a_pattern_alert_that_linked_an_erased_review_is_redrawn_without_it(
    fake_slack, database_url
):
    services = job_services(fake_slack, database_url, retention_days=6)
    try:
        ids_by_age = {}
        for n, days_ago in enumerate((6.5, 2, 1)):
            review_id = add_review(services, f"p-{n}")
            set_review(
                services,
                review_id,
                themes=["waiting_time"],
                created_at=NOW - timedelta(days=days_ago),
            )
            ids_by_age[days_ago] = review_id
        assert patterns.run(services, NOW) == 1
        oldest = card(services, ids_by_age[6.5]).ts.replace(".", "")
        before = alert_text(fake_slack)
        assert "3 negative reviews about *Waiting time*" in before and oldest in before

        retention.run(services, NOW + timedelta(hours=1))  # 6 days: only the oldest goes

        after = alert_text(fake_slack)
        assert "2 negative reviews about *Waiting time*" in after
        assert oldest not in after
        assert after.count("https://fake.slack.com/archives/") == 2
        for kept in (ids_by_age[2], ids_by_age[1]):
            assert card(services, kept).ts.replace(".", "") in after
    finally:
        services.close()
