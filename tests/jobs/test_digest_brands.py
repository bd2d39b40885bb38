"""Weekly digests with ROUTES_FILE brands: DIGEST_CHANNEL's digest of the whole deployment
with a table by brand, and each brand's own digest of its own reviews in its digest channel,
exactly once per week and brand across restarts and instances; `reviewbot digest --preview
--brand` (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cards.posting import PostFailed
from bot.cli import cli
from bot.jobs import digest
from storage.models import DigestRun
from tests.jobs.test_digest_job import DIGEST_CHANNEL, MONDAY, PNG, runs_in_two_instances
from tests.support.jobs import add_review, approve, job_services, set_review
from tests.support.kpi import table_row
from tests.support.routes import write_routes

LUMI_DIGEST, NORR_DIGEST = "C0LUMILEADS", "C0NORR"  # norr's digest goes to its card channel


def branded_week(services) -> None:
    """Two negative reviews of lumi (one approved in 5 h), one of norr, one of no brand."""
    reviews = [
        ("lumi-1", "lumi", 3, "Kaffet var kallt och personalen otrevlig mot oss."),
        ("lumi-2", "lumi", 2, "Vi väntade en timme på bullarna i kassan."),
        ("norr-1", "norr", 2, "Rummet var kallt och frukosten var slut."),
        ("none-1", None, 1, "Paketet kom aldrig fram till oss alls."),
    ]
    for external_id, brand, days_before, text in reviews:
        review_id = add_review(services, external_id, text=text, brand=brand)
        set_review(services, review_id, created_at=MONDAY - timedelta(days=days_before))
        if external_id == "lumi-1":
            approve(services, review_id, actor="U0ANNA")
            set_review(services, review_id, decided_at=MONDAY - timedelta(days=3, hours=-5))


def digests(fake_slack, channel: str) -> list[dict]:
    return [m for m in fake_slack.messages(channel) if "Weekly review digest" in m["text"]]


def shown(message: dict) -> str:
    return "\n".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")


@pytest.fixture
def services(fake_slack, database_url, tmp_path):
    services = job_services(
        fake_slack, database_url, digest_channel=DIGEST_CHANNEL, routes_file=write_routes(tmp_path)
    )
    yield services
    services.close()


def test_each_brand_gets_its_own_digest_and_the_whole_one_a_table_by_brand(fake_slack, services):
    branded_week(services)

    assert digest.run(services, MONDAY) is True

    [whole] = digests(fake_slack, DIGEST_CHANNEL)
    assert whole["blocks"][0]["text"]["text"] == "Weekly review digest · 23 Nov – 29 Nov 2026"
    assert table_row(whole["blocks"][1]["text"]["text"], "Reviews") == ["4", "0"]
    by_brand = whole["blocks"][2]["text"]["text"]
    assert table_row(by_brand, "Brand") == ["Reviews", "Negative", "Replied", "Median"]
    assert table_row(by_brand, "Café Lumi") == ["2", "2 (100%)", "1", "5.0 h"]
    assert table_row(by_brand, "Norr Hotell") == ["1", "1 (100%)", "0", "–"]
    assert table_row(by_brand, "No brand") == ["1", "1 (100%)", "0", "–"]

    [lumi] = digests(fake_slack, LUMI_DIGEST)
    assert lumi["blocks"][0]["text"]["text"] == (
        "Weekly review digest · Café Lumi · 23 Nov – 29 Nov 2026"
    )
    assert lumi["metadata"]["event_payload"] == {"week": "2026-11-23", "brand": "lumi"}
    lumi_text = shown(lumi)
    assert table_row(lumi["blocks"][1]["text"]["text"], "Reviews") == ["2", "0"]
    assert "Kaffet var kallt" in lumi_text or "bullarna" in lumi_text
    assert "Rummet" not in lumi_text and "Paketet" not in lumi_text  # no other brand's reviews
    assert "<@U0ANNA> 1" in lumi_text
    assert "Café Lumi" not in lumi["blocks"][2]["text"]["text"]  # no table by brand in it
    [norr] = digests(fake_slack, NORR_DIGEST)
    assert table_row(norr["blocks"][1]["text"]["text"], "Reviews") == ["1", "0"]
    assert "Who answered:* nobody" in shown(norr)
    charts = {u["channel_id"]: u["filename"] for u in fake_slack.uploads()}
    assert charts == {
        DIGEST_CHANNEL: "reviews-2026-11-23.png",
        LUMI_DIGEST: "reviews-2026-11-23-lumi.png",
        NORR_DIGEST: "reviews-2026-11-23-norr.png",
    }


def test_exactly_one_digest_per_week_and_brand_across_instances(
    fake_slack, database_url, services, tmp_path
):
    other = job_services(
        fake_slack, database_url, digest_channel=DIGEST_CHANNEL, routes_file=write_routes(tmp_path)
    )
    assert runs_in_two_instances(services, other) == [True, False, False]
    for channel in (DIGEST_CHANNEL, LUMI_DIGEST, NORR_DIGEST):
        assert len(digests(fake_slack, channel)) == 1, channel
    with Session(services.engine) as session:
        runs = {(r.week, r.brand, r.channel) for r in session.exec(select(DigestRun))}
    assert runs == {
        ("2026-11-23", None, DIGEST_CHANNEL),
        ("2026-11-23", "lumi", LUMI_DIGEST),
        ("2026-11-23", "norr", NORR_DIGEST),
    }

    assert digest.run(services, MONDAY + timedelta(days=7)) is True
    assert [len(digests(fake_slack, c)) for c in (DIGEST_CHANNEL, LUMI_DIGEST, NORR_DIGEST)] == [
        2,
        2,
        2,
    ]


def test_a_digest_slack_refused_holds_back_no_other_and_is_sent_later(fake_slack, services):
    # The whole deployment's digest goes first: its post and the poster's five retries fail.
    fake_slack.fail_next("chat.postMessage", status=500, times=6)
    with pytest.raises(PostFailed):
        digest.run(services, MONDAY)
    assert digests(fake_slack, DIGEST_CHANNEL) == []
    assert len(digests(fake_slack, LUMI_DIGEST)) == len(digests(fake_slack, NORR_DIGEST)) == 1

    assert services.digests.send(MONDAY + timedelta(hours=1)) == [DIGEST_CHANNEL]
    for channel in (DIGEST_CHANNEL, LUMI_DIGEST, NORR_DIGEST):
        assert len(digests(fake_slack, channel)) == 1, channel


def test_a_brand_without_a_channel_has_no_digest_of_its_own(fake_slack, database_url, tmp_path):
    routes = "brands:\n  lumi:\n    profile: business.lumi.yml\n"
    services = job_services(
        fake_slack,
        database_url,
        digest_channel=DIGEST_CHANNEL,
        routes_file=write_routes(tmp_path, routes),
    )
    try:
        assert services.digests.send(MONDAY) == [DIGEST_CHANNEL]
    finally:
        services.close()


def test_digest_preview_of_one_brand(fake_slack, database_url, services, tmp_path, monkeypatch):
    branded_week(services)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ROUTES_FILE", str(tmp_path / "routes.yml"))
    out = tmp_path / "out"
    at = ["--at", "2026-11-30T08:00", "--out", str(out)]

    result = CliRunner().invoke(cli, ["digest", "--preview", "--brand", "lumi", *at])

    assert result.exit_code == 0, result.output
    assert "Weekly review digest · Café Lumi · 23 Nov – 29 Nov 2026" in result.output
    assert "Rummet" not in result.output and "Paketet" not in result.output
    assert (out / "digest-2026-11-23-lumi.png").read_bytes().startswith(PNG)
    for channel in (DIGEST_CHANNEL, LUMI_DIGEST, NORR_DIGEST):
        assert digests(fake_slack, channel) == []  # a preview sends nothing

    unknown = CliRunner().invoke(cli, ["digest", "--preview", "--brand", "ghost", *at])
    assert unknown.exit_code == 2
    assert "reviewbot: --brand: no brand 'ghost'; the brands are lumi, norr" in unknown.output


def test_a_brands_digest_that_quoted_an_erased_review_is_redrawn_with_its_own_reviews(
    fake_slack, services
):
    short, long = "Vi väntade en timme på maten.", "Vi fick vänta nittio minuter på ett bord."
    for external_id, text, brand in (("w-1", short, "lumi"), ("w-2", long, "lumi")):
        review_id = add_review(services, external_id, text=text, brand=brand)
        set_review(
            services, review_id, themes=["waiting_time"], created_at=MONDAY - timedelta(days=2)
        )
    other = add_review(services, "w-3", text="Vi väntade länge på rummet.", brand="norr")
    set_review(services, other, themes=["waiting_time"], created_at=MONDAY - timedelta(days=2))
    assert digest.run(services, MONDAY) is True
    [before] = digests(fake_slack, LUMI_DIGEST)
    assert short in shown(before) and "*Waiting time*: 2" in shown(before)

    services.erasure.erase_review("google", "w-1", actor="dpo@example.com")

    [after] = digests(fake_slack, LUMI_DIGEST)
    assert after["ts"] == before["ts"]  # the same message, redrawn
    assert short not in shown(after)
    assert long in shown(after)  # lumi's other review, never norr's
    assert "*Waiting time*: 2" in shown(after)
