"""`reviewbot demo` walks the bundled samples through the whole flow, offline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console
from typer.testing import CliRunner

from bot.cli import cli
from bot.config import Settings
from bot.demo import run_demo
from tests.jobs.test_digest_job import row
from tests.support.clock import TestClock


def test_the_demo_shows_every_step_and_writes_the_cards(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["demo", "--database", f"sqlite:///{tmp_path / 'demo.db'}", "--out", str(out)],
        env={"COLUMNS": "200"},
    )

    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "10 stored; the same file again: 10 duplicates, 0 stored twice" in text
    for language in ("sv", "nb", "nn", "fi", "zh-Hant", "zh-Hans"):
        assert f" {language} " in text
    cards = sorted((out / "cards").glob("review-*.json"))
    assert len(cards) == 9  # eight negative reviews, and the approved card once more
    approved = json.loads((out / "cards" / "review-1-approved.json").read_text())
    assert any("Approved" in json.dumps(block) for block in approved["blocks"])
    # Signed with the signature the responder set, in the Swedish order.
    assert "Vänliga hälsningar\\n> Ingrid\\n> Café Lumi" in json.dumps(approved, ensure_ascii=False)
    assert "│ 2      │ approved │ U0DEMO01 │ yes" in text
    # The review that tried to ping the channel pings nobody on its card.
    injected = (out / "cards" / "review-8.json").read_text()
    assert "<!channel>" not in injected and "&lt;!channel&gt;" in injected
    assert "A second approval is refused: Already approved by" in text
    assert "Weekly review digest · " in text
    [chart] = (out / "digest").glob("digest-*.png")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("now", "week", "chart"),
    [
        # A Tuesday: the samples fall in the days before it, all inside the week of 30 Nov.
        (datetime(2026, 12, 1, 22, 0, tzinfo=UTC), "30 Nov – 6 Dec 2026", "digest-2026-11-30"),
        # Years on, on a Monday just after midnight in Stockholm: the week is an hour old.
        (datetime(2031, 6, 15, 22, 30, tzinfo=UTC), "16 Jun – 22 Jun 2031", "digest-2031-06-16"),
    ],
)
def test_the_demo_is_dated_from_its_clock_and_its_digest_shows_its_decisions(
    tmp_path, now, week, chart
):
    out = tmp_path / "out"
    console = Console(record=True, width=200)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}")

    run_demo(settings, out=out, console=console, clock=TestClock(now))

    text = console.export_text()
    assert f"Weekly review digest · {week}" in text
    assert row(text, "Reviews") == ["10", "0"]
    assert "*Who answered most:* <@U0DEMO01> 2 · <@U0LEAD01> 1" in text
    assert (out / "digest" / f"{chart}.png").exists()
    dated = [json.loads(line) for line in (out / "sample_reviews.jsonl").read_text().splitlines()]
    written = [datetime.fromisoformat(review["created_at"]) for review in dated]
    assert all(timedelta(0) < now - at <= timedelta(days=3) for at in written)
