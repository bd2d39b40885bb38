"""The app in Socket Mode against a local endpoint: clicks acked within a second when Slack
moves the app to a new connection, back within seconds when a connection dies, and only our
workspace served. These wait on real sockets, so their bounds are Slack's, not tight ones."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from bot.app import create_bolt_app
from bot.blocks import ids
from bot.socket_mode import connect, socket_mode_handler
from tests.fakes.socket_mode import FakeSocketMode
from tests.support.harness import REVIEWS_CHANNEL, TEAM_ID, AppHarness
from tests.support.workflow import ANNA, block_action, decisions, drafted_card, post_review

pytestmark = pytest.mark.timed_wait  # Condition.wait(timeout) on the endpoint's acks

STRANGER_TEAM = "T0STRANGER"


@pytest.fixture
def endpoint(fake_slack) -> Iterator[FakeSocketMode]:
    with FakeSocketMode(fake_slack) as socket_mode:
        yield socket_mode


@pytest.fixture
def app(app_factory, fake_slack, endpoint) -> Iterator[AppHarness]:
    """The app with SLACK_APP_TOKEN, connected through the Socket Mode handler `run` uses."""
    harness = app_factory(slack_app_token=fake_slack.app_token, card_post_interval=0)
    handler = socket_mode_handler(create_bolt_app(harness.services), harness.settings)
    connect(handler)
    try:
        endpoint.wait_for_connection()
        yield harness
    finally:
        handler.close()


def command(text: str, team_id: str = TEAM_ID) -> dict:
    return {
        "team_id": team_id,
        "api_app_id": "A0APP",
        "channel_id": REVIEWS_CHANNEL,
        "user_id": "U0LEAD",
        "command": "/reviews",
        "text": text,
        "response_url": "",
        "trigger_id": f"trigger-{time.monotonic_ns()}",
    }


def home_opened(user: str, team_id: str = TEAM_ID) -> dict:
    return {
        "team_id": team_id,
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event_id": f"Ev{time.monotonic_ns()}",
        "event": {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"},
    }


def test_a_command_is_answered_in_its_ack(app, endpoint):
    ack = endpoint.wait_for_ack(endpoint.send_command(command("help")))

    assert "/reviews" in str(ack.payload)


def test_after_a_refresh_a_click_on_the_new_connection_is_acked_within_a_second(
    app, fake_slack, endpoint
):
    review_id = post_review(app, fake_slack)
    card = drafted_card(fake_slack, review_id)

    endpoint.request_refresh()
    endpoint.wait_for_connection(2, timeout=20)
    sent = time.monotonic()
    click = endpoint.send_interaction(block_action(card, ids.ACTION_APPROVE, user=ANNA))
    ack = endpoint.wait_for_ack(click, timeout=5)

    assert ack.at - sent <= 1.0
    app.wait_for_status(review_id, "approved")
    assert [d.actor for d in decisions(app, review_id)] == [ANNA]


def test_after_an_abrupt_drop_the_app_is_back_and_acks_within_ten_seconds(
    app, fake_slack, endpoint
):
    review_id = post_review(app, fake_slack)
    card = drafted_card(fake_slack, review_id)

    dropped = time.monotonic()
    endpoint.drop()
    endpoint.wait_for_connection(2, timeout=15)
    click = endpoint.send_interaction(block_action(card, ids.ACTION_APPROVE, user=ANNA))
    ack = endpoint.wait_for_ack(click, timeout=15)

    assert ack.at - dropped <= 10.0
    app.wait_for_status(review_id, "approved")


def test_only_our_workspace_is_served_over_the_socket(app, fake_slack, endpoint):
    stranger_home = endpoint.wait_for_ack(endpoint.send_event(home_opened("U0X", STRANGER_TEAM)))
    stranger_help = endpoint.wait_for_ack(endpoint.send_command(command("help", STRANGER_TEAM)))
    endpoint.wait_for_ack(endpoint.send_event(home_opened("U0ANNA")))
    fake_slack.wait_for("views.publish")
    ours_help = endpoint.wait_for_ack(endpoint.send_command(command("help")))

    assert stranger_home.payload is None and stranger_help.payload is None
    assert [c.args["user_id"] for c in fake_slack.calls("views.publish")] == ["U0ANNA"]
    assert "/reviews" in str(ours_help.payload)
