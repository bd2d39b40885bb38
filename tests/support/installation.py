"""The environment of a correct `reviewbot run` installation, for tests of start-up checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.config import EXAMPLE_PROFILE

GOOD_TOKEN = "0123456789abcdef0123456789abcdef"


def installation_env(folder: Path, fake_slack: Any) -> dict[str, str]:
    """HTTP mode against the fake Slack, with the team's own profile (not the example's)."""
    profile = folder / "reviewbot" / "business.yml"
    profile.parent.mkdir(exist_ok=True)
    text = EXAMPLE_PROFILE.read_text(encoding="utf-8").replace("Café Lumi", "Kaffebaren")
    profile.write_text(text, encoding="utf-8")
    return {
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_SIGNING_SECRET": "signing-secret",
        "SLACK_API_URL": fake_slack.api_url,
        "REVIEWS_CHANNEL": "C0REVIEWS",
        "INGEST_TOKEN": GOOD_TOKEN,
        "DATABASE_URL": f"sqlite:///{folder / 'run.db'}",
        "BUSINESS_PROFILE": str(profile),
    }
