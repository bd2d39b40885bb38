"""`reviewbot import FILE` and the settings errors of `reviewbot run`, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cli import cli
from storage.db import head_revision, make_engine
from storage.models import Review
from tests.support.harness import AppHarness
from tests.support.routes import write_routes
from tests.support.workflow import eventually, posted_card_ts, slack_card

runner = CliRunner()


def reviews_in(url: str) -> list[Review]:
    engine = make_engine(url)
    with Session(engine) as session:
        rows = list(session.exec(select(Review).order_by(Review.id)))
    engine.dispose()
    return rows


def test_csv_import_reports_bad_rows_by_line_and_imports_the_rest(
    tmp_path, sqlite_url, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    path = tmp_path / "reviews.csv"
    path.write_text(
        "source,external_id,rating,text,author,language,created_at\n"
        "google,a1,1,Kallt kaffe,Anna,sv,2026-11-20T10:00:00+01:00\n"
        "google,a2,9,För dyrt,Bo,sv,\n"
        '"google","a3","2","Rad med\nradbrytning","Cia","",""\n'
        "google,,1,Ingen id,Dan,,\n"
        "google,a5,1,too,many,columns,here,extra\n"
        "google,a6,,,Eva,,\n"
        "google,a1,1,Kallt kaffe,Anna,sv,2026-11-20T10:00:00+01:00\n",
        encoding="utf-8",
    )

    result = runner.invoke(cli, ["import", str(path)])

    assert result.exit_code == 1
    assert "1 accepted" not in result.stdout
    assert "2 accepted, 0 updated, 1 duplicates, 4 bad rows" in result.stdout
    assert "reviews.csv:3: rating: must be an integer from 1 to 5" in result.stderr
    assert "reviews.csv:6: external_id: must not be empty" in result.stderr
    assert "reviews.csv:7: row: more columns than the header has" in result.stderr
    assert "reviews.csv:8: text: may be empty only when a rating is given" in result.stderr
    stored = reviews_in(sqlite_url)
    assert [(r.external_id, r.rating) for r in stored] == [("a1", 1), ("a3", 2)]
    assert stored[1].text == "Rad med\nradbrytning"


def test_jsonl_import_with_a_broken_line(tmp_path, sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    good = {"source": "trustpilot", "external_id": "t1", "rating": 2, "text": "Pakken kom aldri"}
    path = tmp_path / "reviews.jsonl"
    path.write_text(
        json.dumps(good) + "\n{broken\n\n" + json.dumps({**good, "external_id": "t2"}) + "\n[1]\n",
        encoding="utf-8",
    )

    result = runner.invoke(cli, ["import", str(path)])

    assert "2 accepted, 0 updated, 0 duplicates, 2 bad rows" in result.stdout
    assert "reviews.jsonl:2: row: not valid JSON" in result.stderr
    assert "reviews.jsonl:5: row: must be a JSON object" in result.stderr
    assert [r.external_id for r in reviews_in(sqlite_url)] == ["t1", "t2"]


def test_an_unknown_file_type_is_named(tmp_path, sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    path = tmp_path / "reviews.xlsx"
    path.write_bytes(b"PK")
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 2
    assert "unknown file type '.xlsx'" in result.stderr


def test_run_without_slack_settings_stops_with_one_line_naming_them(monkeypatch):
    result = runner.invoke(cli, ["run"])
    assert result.exit_code == 2
    named = [line.split(":")[1].strip() for line in result.stderr.strip().splitlines()]
    assert named == [
        "SLACK_BOT_TOKEN",
        "REVIEWS_CHANNEL",
        "SLACK_SIGNING_SECRET",
        "BUSINESS_PROFILE",
    ]


def test_a_malformed_setting_is_named_without_echoing_it(monkeypatch):
    monkeypatch.setenv("PORT", "eighty")
    result = runner.invoke(cli, ["run"])
    assert result.exit_code == 2
    first, *_others = result.stderr.strip().splitlines()  # the other settings are checked too
    assert (
        first
        == "reviewbot: setting PORT: Input should be a valid integer, unable to parse string as an integer"
    )
    assert "eighty" not in result.stderr


def test_a_wrong_kind_of_slack_token_is_refused(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-user-token")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s" * 32)
    monkeypatch.setenv("REVIEWS_CHANNEL", "C1")
    result = runner.invoke(cli, ["run"])
    assert result.exit_code == 2
    assert "SLACK_BOT_TOKEN: must be a bot token starting with xoxb-" in result.stderr
    assert "xoxp-user-token" not in result.stderr


def test_migrate_command(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    result = runner.invoke(cli, ["migrate"])
    assert result.exit_code == 0
    assert f"database at revision {head_revision()}" in result.stdout
    assert head_revision() is not None


def test_triage_prints_language_negativity_themes_and_urgency_and_stores_nothing(
    tmp_path, sqlite_url, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    path = tmp_path / "reviews.jsonl"
    rows = [
        {
            "source": "google",
            "external_id": "t1",
            "rating": 1,
            "language": "sv",
            "text": "Hela familjen blev matförgiftad efter middagen. Vi kontaktar en advokat.",
        },
        {
            "source": "google",
            "external_id": "t2",
            "rating": 5,
            "language": "nb",
            "text": "Fantastisk mat og hyggelig betjening, vi kommer tilbake!",
        },
        {"source": "google", "external_id": "t3", "rating": 7, "text": "Bra"},
    ]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["triage", str(path)])
    assert result.exit_code == 1  # one bad row
    printed = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [(p["external_id"], p["language"], p["negative"]) for p in printed] == [
        ("t1", "sv", True),
        ("t2", "nb", False),
    ]
    assert printed[0]["urgent"] == "health_safety"  # the first of the two it names
    assert printed[1]["urgent"] is None
    assert "reviews.jsonl:3: rating:" in result.output
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists()


def test_a_brand_column_gives_each_review_its_brand_and_an_unknown_one_is_named_by_line(
    tmp_path, database_url, monkeypatch, fake_slack
):
    routes = write_routes(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ROUTES_FILE", str(routes))
    path = tmp_path / "reviews.csv"
    path.write_text(
        "source,external_id,rating,text,language,location,brand\n"
        "google,own,1,Kallt på rummet,sv,Oslo sentrum,norr\n"
        "google,by-location,1,Kallt kaffe,sv,Oslo sentrum,\n"
        "google,ghost,1,Kallt kaffe,sv,Göteborg,ghost\n"
        "google,none,1,Kallt kaffe,sv,Göteborg,\n",
        encoding="utf-8",
    )
    lines = tmp_path / "more.jsonl"
    lines.write_text(
        json.dumps({"source": "google", "external_id": "j1", "text": "Kallt", "brand": "lumi"})
        + "\n"
        + json.dumps({"source": "google", "external_id": "j2", "text": "Kallt", "brand": "Lumi"})
        + "\n",
        encoding="utf-8",
    )

    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 1
    assert "3 accepted, 0 updated, 0 duplicates, 1 bad rows" in result.stdout
    assert "reviews.csv:4: brand: unknown brand 'ghost'; use one of lumi, norr" in result.stderr
    result = runner.invoke(cli, ["import", str(lines)])
    assert result.exit_code == 1
    assert "more.jsonl:2: brand: unknown brand 'Lumi'; use one of lumi, norr" in result.stderr
    assert {r.external_id: r.brand for r in reviews_in(database_url)} == {
        "own": "norr",
        "by-location": "lumi",
        "none": None,
        "j1": "lumi",
    }

    # The serving process cards them where their brands' routes say.
    app = AppHarness.start(
        fake_slack=fake_slack,
        database_url=database_url,
        routes_file=routes,
        scheduler_enabled=False,
    )
    try:
        ids = {r.external_id: r.id for r in reviews_in(database_url)}
        for external_id, channel in (("own", "C0NORR"), ("by-location", "C0OSLO")):
            eventually(lambda i=ids[external_id]: posted_card_ts(app, i), what=external_id)
            assert slack_card(app, ids[external_id]).channel == channel
    finally:
        app.stop()
