"""Only our workspace: requests from another team, or meant for another app, get an empty
acknowledgement and nothing else; ours are served as before."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlencode

import httpx

from bot.blocks import ids
from tests.fakes.slack_api import APP_ID
from tests.slack.test_commands_reviews import answers
from tests.support.harness import REVIEWS_CHANNEL, TEAM_ID, AppHarness
from tests.support.workflow import (
    ANNA,
    block_action,
    decisions,
    drafted_card,
    eventually,
    post_review,
    review,
    start,
)

STRANGER_TEAM = "T0STRANGER"
OTHER_APP = "A0OTHERAPP"


def home_opened(
    app: AppHarness, user: str, *, team_id: str = TEAM_ID, api_app_id: str = APP_ID
) -> httpx.Response:
    envelope = {
        "token": "legacy-unused",
        "team_id": team_id,
        "api_app_id": api_app_id,
        "type": "event_callback",
        "event_id": f"Ev{time.monotonic_ns()}",
        "event_time": int(time.time()),
        "event": {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"},
    }
    return app.slack_post(json.dumps(envelope), "application/json")


def command(app: AppHarness, text: str, response_url: str, *, team_id: str = TEAM_ID):
    form = {
        "team_id": team_id,
        "api_app_id": APP_ID,
        "channel_id": REVIEWS_CHANNEL,
        "user_id": "U0LEAD",
        "command": "/reviews",
        "text": text,
        "response_url": response_url,
        "trigger_id": f"trigger-{time.monotonic_ns()}",
    }
    return app.slack_post(urlencode(form), "application/x-www-form-urlencoded")


def foreign_click(message: dict, action_id: str, **changes: object) -> dict:
    payload = block_action(message, action_id, user="U0STRANGER")
    payload["team"] = {"id": STRANGER_TEAM, "domain": "stranger"}
    payload["user"] = {**payload["user"], "team_id": STRANGER_TEAM}
    payload.update(changes)
    return payload


def test_app_home_opened_from_another_team_publishes_nothing(app, fake_slack, caplog):
    caplog.set_level(logging.WARNING, logger="bot.app")

    stranger = home_opened(app, "U0STRANGER", team_id=STRANGER_TEAM)
    ours = home_opened(app, "U0ANNA")
    fake_slack.wait_for("views.publish")

    assert (stranger.status_code, stranger.text) == (200, "")
    assert ours.status_code == 200
    assert [c.args["user_id"] for c in fake_slack.calls("views.publish")] == ["U0ANNA"]
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.getMessage() == (
        f"ignored a Slack event app_home_opened from team {STRANGER_TEAM} for app {APP_ID}: "
        f"this app serves only team {TEAM_ID}"
    )


def test_an_event_for_another_app_publishes_nothing(app, fake_slack):
    home_opened(app, "U0STRANGER", api_app_id=OTHER_APP)
    home_opened(app, "U0ANNA")
    fake_slack.wait_for("views.publish")

    assert [c.args["user_id"] for c in fake_slack.calls("views.publish")] == ["U0ANNA"]


def test_a_click_from_another_team_changes_nothing_and_ours_still_approves(
    app_factory, fake_slack, caplog
):
    app = start(app_factory)
    review_id = post_review(app, fake_slack)
    card = drafted_card(fake_slack, review_id)
    caplog.set_level(logging.WARNING, logger="bot.app")

    stranger = app.send_interaction(foreign_click(card, ids.ACTION_APPROVE))
    other_app = app.send_interaction(
        {**block_action(card, ids.ACTION_APPROVE, user="U0OTHER"), "api_app_id": OTHER_APP}
    )
    assert (stranger.status_code, stranger.text) == (200, "")
    assert (other_app.status_code, other_app.text) == (200, "")
    assert review(app, review_id).status == "pending"

    app.send_interaction(block_action(card, ids.ACTION_APPROVE, user=ANNA))
    app.wait_for_status(review_id, "approved")
    [decision] = eventually(lambda: decisions(app, review_id, "approved"), what="a decision")
    assert decision.actor == ANNA
    # The review text a stranger clicked on never reaches the log.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Maten var kall" not in logged and "U0STRANGER" not in logged


def test_a_click_by_a_user_of_another_team_in_a_shared_channel_is_ignored(app_factory, fake_slack):
    app = start(app_factory)
    review_id = post_review(app, fake_slack)
    card = drafted_card(fake_slack, review_id)
    shared = block_action(card, ids.ACTION_APPROVE, user="U0GUEST")
    shared["user"] = {**shared["user"], "team_id": STRANGER_TEAM}  # team stays ours

    assert app.send_interaction(shared).text == ""
    app.send_interaction(block_action(card, ids.ACTION_APPROVE, user=ANNA))
    app.wait_for_status(review_id, "approved")
    assert [d.actor for d in decisions(app, review_id)] == [ANNA]


def test_reviews_from_another_team_answers_nothing(app, fake_slack):
    stranger_help = command(app, "help", "", team_id=STRANGER_TEAM)
    stranger_kpi = command(app, "kpi", fake_slack.response_url("stranger"), team_id=STRANGER_TEAM)
    ours_help = command(app, "help", "")
    ours_kpi = command(app, "kpi", fake_slack.response_url("ours"))

    assert [r.status_code for r in (stranger_help, stranger_kpi)] == [200, 200]
    assert stranger_help.text == stranger_kpi.text == ""
    assert "/reviews" in ours_help.text and ours_kpi.status_code == 200
    answers(fake_slack)
    assert fake_slack.responses("stranger") == []
    assert fake_slack.responses("ours")
