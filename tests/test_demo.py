"""`reviewbot demo` walks the bundled samples through the whole flow, offline."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bot.cli import cli


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
    # The review that tried to ping the channel pings nobody on its card.
    injected = (out / "cards" / "review-8.json").read_text()
    assert "<!channel>" not in injected and "&lt;!channel&gt;" in injected
    assert "A second approval is refused: Already approved by" in text
    assert "Weekly review digest · 16 Nov – 22 Nov 2026" in text
    assert (out / "digest" / "digest-2026-11-16.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
