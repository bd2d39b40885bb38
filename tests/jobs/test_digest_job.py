"""The weekly digest: posted with its chart, exactly once per week across restarts and
instances, and previewed locally with `reviewbot digest --preview`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cards.posting import PostFailed
from bot.cli import cli
from bot.jobs import digest
from storage.models import DigestRun, Draft, Review
from tests.fakes.slack_blocks import validate_blocks
from tests.support.jobs import add_review, approve, job_services, set_review
from tests.support.kpi import table_row

DIGEST_CHANNEL = "C0DIGEST"
# Monday 30 November 2026, 08:00 in Stockholm: the digest for 23–29 November.
MONDAY = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n"


def week_of_reviews(services) -> None:
    first = add_review(
        services, "d-1", rating=1, text="<!channel> Kaffet var kallt och personalen otrevlig."
    )
    set_review(services, first, created_at=MONDAY - timedelta(days=3))
    approve(services, first, actor="U0ANNA")
    set_review(services, first, decided_at=MONDAY - timedelta(days=3) + timedelta(hours=5))
    second = add_review(services, "d-2", rating=2, text="Vi väntade en timme på maten.")
    set_review(services, second, created_at=MONDAY - timedelta(days=2))
    positive = add_review(services, "d-3", rating=5, text="Underbart fika!")
    set_review(services, positive, created_at=MONDAY - timedelta(days=1))
    last_week = add_review(services, "d-4", rating=4, text="Bra men dyrt.")
    set_review(services, last_week, created_at=MONDAY - timedelta(days=9))


def digests(fake_slack) -> list[dict]:
    return [m for m in fake_slack.messages(DIGEST_CHANNEL) if "Weekly review digest" in m["text"]]


@pytest.fixture
def services(fake_slack, database_url):
    services = job_services(fake_slack, database_url, digest_channel=DIGEST_CHANNEL)
    yield services
    services.close()


def test_the_digest_compares_the_week_and_comes_with_a_chart(fake_slack, services):
    week_of_reviews(services)
    assert digest.run(services, MONDAY) is True

    [message] = digests(fake_slack)
    blocks = message["blocks"]
    assert blocks[0]["text"]["text"] == "Weekly review digest · 23 Nov – 29 Nov 2026"
    headline = blocks[1]["text"]["text"]
    assert table_row(headline, "Reviews") == ["3", "1"]
    assert table_row(headline, "Negative (share)") == ["2 (67%)", "0 (0%)"]
    assert table_row(headline, "Median time to reply") == ["5.0 h", "–"]
    assert table_row(headline, "Backlog (oldest written)") == ["1 (28 Nov)", "0"]
    everything = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert "Swedish" in everything and "Google" in everything
    assert "<@U0ANNA> 1" in everything
    assert "&lt;!channel&gt;" in everything and "<!channel>" not in everything
    [upload] = fake_slack.uploads()
    assert upload["channel_id"] == DIGEST_CHANNEL
    assert upload["content"].startswith(PNG)
    assert upload["filename"] == "reviews-2026-11-23.png"


def test_exactly_one_digest_per_week_across_two_instances(fake_slack, database_url, services):
    other = job_services(fake_slack, database_url, digest_channel=DIGEST_CHANNEL)
    try:
        assert digest.run(services, MONDAY) is True
        assert digest.run(other, MONDAY + timedelta(minutes=1)) is False
        assert digest.run(other, MONDAY + timedelta(hours=20)) is False
    finally:
        other.close()
    assert len(digests(fake_slack)) == 1
    with Session(services.engine) as session:
        [run] = session.exec(select(DigestRun)).all()
    assert (run.week, run.channel, run.sent_at) == ("2026-11-23", DIGEST_CHANNEL, MONDAY)

    assert digest.run(services, MONDAY + timedelta(days=7)) is True
    assert len(digests(fake_slack)) == 2


def test_a_digest_slack_refused_can_be_sent_later(fake_slack, services):
    # The post and the poster's five retries all fail.
    fake_slack.fail_next("chat.postMessage", status=500, times=6)
    with pytest.raises(PostFailed):
        digest.run(services, MONDAY)
    assert digest.run(services, MONDAY + timedelta(hours=1)) is True
    assert len(digests(fake_slack)) == 1


def test_digest_preview_renders_locally_without_slack(sqlite_url, tmp_path, monkeypatch):
    services = job_services_without_slack(sqlite_url)
    try:
        week_of_reviews(services)
    finally:
        services.close()
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(
        cli, ["digest", "--preview", "--at", "2026-11-30T08:00", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert "Weekly review digest · 23 Nov – 29 Nov 2026" in result.output
    assert "<!channel> Kaffet" in result.output  # plain text here: nothing to ping
    chart = tmp_path / "out" / "digest-2026-11-23.png"
    assert f"Chart: {chart}" in result.output
    assert chart.read_bytes().startswith(PNG)


def job_services_without_slack(database_url: str):
    from bot.config import Settings
    from bot.wiring import build_services

    return build_services(Settings(database_url=database_url))


def test_the_digest_shows_the_weeks_draft_quality_by_language(fake_slack, services):
    week_of_reviews(services)  # one Swedish draft approved as drafted, one waiting
    with Session(services.engine) as session:
        approved, waiting = (
            session.exec(select(Review.id).where(Review.status == status)).one()
            for status in ("approved", "pending")
        )
        draft = session.exec(select(Draft.id).where(Draft.review_id == approved)).one()
    assert services.votes.vote(approved, draft, "U0ANNA", 1) is None
    assert services.votes.vote(approved, draft, "U0BJORN", -1) is None
    version = services.cards.current_version(waiting)
    assert services.decisions.decline(waiting, version, "U0ANNA", "spam_or_fake", None) is None

    assert digest.run(services, MONDAY) is True

    [message] = digests(fake_slack)
    assert validate_blocks(message["blocks"]) == []
    [table] = [
        b["text"]["text"]
        for b in message["blocks"]
        if b["type"] == "section" and b["text"]["text"].startswith("*Draft quality*")
    ]
    # Approved 1, as drafted; no edit to measure; regenerated 0 of the 2 drafted; declined
    # 1 of the 2 decided; one 👍 and one 👎. One language: no separate row for the whole.
    assert table_row(table, "sv") == ["1", "100%", "–", "0%", "50%", "1", "1"]
    assert "All" not in table
