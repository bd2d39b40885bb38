"""The lines an operator reads, through the real app: one per business event with its fields
(never the review's text or author), JSON with LOG_FORMAT=json, UTC times, no scheduler
chatter at INFO, no request body of a badly signed request, no spurious start-up warning."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime

import pytest

from bot.blocks import ids
from bot.logging_setup import configure_logging, event_fields, quiet_libraries
from tests.support.harness import REVIEWS_CHANNEL
from tests.support.workflow import (
    ANNA,
    NEGATIVE_REVIEW,
    block_action,
    drafted_card,
    eventually,
    post_review,
    start,
)


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """configure_logging changes the process's root logger; put back what pytest set up."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    scheduler_level = logging.getLogger("apscheduler").level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(scheduler_level)


def events(caplog, message: str) -> list[dict]:
    return [
        event_fields(r) | {"level": r.levelname}
        for r in caplog.records
        if r.getMessage() == message
    ]


def test_a_review_posted_over_http_logs_stored_card_and_draft_lines(
    app_factory, fake_slack, caplog
):
    caplog.set_level(logging.INFO)
    app = start(app_factory)

    review_id = post_review(app, fake_slack)

    assert events(caplog, "review stored") == [
        {
            "level": "INFO",
            "review_id": review_id,
            "source": "google",
            "external_id": "g-1",
            "status": "accepted",
            "rating": 1,
            "language": "sv",
        }
    ]
    card = drafted_card(fake_slack, review_id)
    [posted] = events(caplog, "card posted")
    assert posted == {"level": "INFO", "review_id": review_id, "channel": REVIEWS_CHANNEL} | {
        "ts": card["ts"]
    }
    [written] = events(caplog, "draft written")
    assert (written["review_id"], written["version"], written["mode"]) == (review_id, 1, "template")
    assert isinstance(written["latency_ms"], int)
    # The customer's words and name stay in the database.
    everything = caplog.text + json.dumps([event_fields(r) for r in caplog.records], default=str)
    assert NEGATIVE_REVIEW["text"] not in everything
    assert NEGATIVE_REVIEW["author"] not in everything


def test_an_approval_logs_who_decided_what(app_factory, fake_slack, caplog):
    caplog.set_level(logging.INFO)
    app = start(app_factory)
    review_id = post_review(app, fake_slack)

    app.send_interaction(block_action(drafted_card(fake_slack, review_id), ids.ACTION_APPROVE))
    app.wait_for_status(review_id, "approved")

    [decision] = eventually(lambda: events(caplog, "decision"), what="a decision line")
    assert decision == {
        "level": "INFO",
        "review_id": review_id,
        "decision": "approved",
        "who": ANNA,
        "edited": False,
    }


def test_log_format_json_gives_one_object_per_line_in_utc(
    app_factory, fake_slack, capsys, restored_logging
):
    configure_logging("INFO", log_format="json")
    app = start(app_factory)
    post_review(app, fake_slack)
    app.stop()

    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line parses on its own
    [stored] = [e for e in entries if e["message"] == "review stored"]
    assert stored["level"] == "INFO" and stored["logger"] == "bot.reviews.intake"
    assert (stored["source"], stored["external_id"], stored["rating"]) == ("google", "g-1", 1)
    assert datetime.fromisoformat(stored["time"]).utcoffset().total_seconds() == 0
    assert any(e["message"] == "card posted" for e in entries)


def test_text_lines_carry_the_fields_and_a_utc_time(app_factory, capsys, restored_logging):
    configure_logging("INFO")
    app = start(app_factory)
    app.post_reviews(NEGATIVE_REVIEW)
    app.stop()

    [line] = [x for x in capsys.readouterr().err.splitlines() if " review stored " in x]
    stamp, level, logger, *_ = line.split(" ")
    assert datetime.fromisoformat(stamp).utcoffset().total_seconds() == 0
    assert (level, logger) == ("INFO", "bot.reviews.intake:")
    assert "source=google external_id=g-1 status=accepted rating=1 language=sv" in line


def test_json_lines_keep_secrets_masked(capsys, restored_logging):
    configure_logging("INFO", secrets=["s3cret-value-42"], log_format="json")
    logging.getLogger("bot.test").info(
        "called with s3cret-value-42", extra={"header": "Bearer xoxb-1-abc"}
    )

    [entry] = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert entry["message"] == "called with ***"
    assert entry["header"] == "***"


def test_scheduler_chatter_is_debug_only(app_factory, caplog, restored_logging):
    caplog.set_level(logging.DEBUG)
    quiet_libraries("INFO")

    app = start(app_factory)  # the scheduler starts and adds its jobs

    assert app.services.jobs.jobs()
    assert not [r for r in caplog.records if r.name.startswith("apscheduler")]

    # LOG_LEVEL=DEBUG shows it again.
    app.services.jobs.stop()
    quiet_libraries("DEBUG")
    app.services.jobs.start(app.services, background=False)
    assert any(r.getMessage() == "Scheduler started" for r in caplog.records)


def test_a_badly_signed_request_logs_one_warning_without_its_body(app, caplog):
    caplog.set_level(logging.INFO)
    marker = "body-marker-7f3a"

    response = app.slack_post(
        json.dumps({"type": "event_callback", "event": {"text": marker}}),
        "application/json",
        secret="not-the-signing-secret",
    )

    assert response.status_code == 401
    assert marker not in caplog.text
    [warning] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert warning.getMessage() == "refused a Slack request: bad or stale signature"


def test_no_token_unused_warning_when_the_token_is_also_in_the_environment(
    app_factory, fake_slack, caplog, monkeypatch
):
    caplog.set_level(logging.INFO)
    monkeypatch.setenv("SLACK_BOT_TOKEN", fake_slack.bot_token)  # as `reviewbot run` has it

    start(app_factory)

    assert "will be unused" not in caplog.text


def test_log_format_is_text_or_json_and_nothing_else(monkeypatch):
    from bot.config import ConfigError, load_settings

    monkeypatch.setenv("LOG_FORMAT", "JSON")
    assert load_settings().log_format == "json"
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        load_settings()
