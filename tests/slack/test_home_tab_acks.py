"""The App Home tab's work must not hold back other acknowledgements.

HomeTab.opened (bot/listeners/events.py) reads the KPIs and two pending lists and calls
views.publish. While Slack answers views.publish with 429, each opening waits for Retry-After;
were that wait on Bolt's listener threads (five by default), a click or /reviews arriving then
would wait for a free thread, and past Bolt's 3 s ack timeout it would not be acknowledged.
"""

from __future__ import annotations

import pytest

from tests.slack.test_home import home_opened
from tests.support.clock import TestWaits
from tests.support.workflow import eventually

BOLT_LISTENER_THREADS = 5


@pytest.fixture
def held(app_factory):
    waits = TestWaits()
    waits.hold()  # every Retry-After wait lasts until the test releases it
    app = app_factory(waits=waits)
    yield app, waits
    waits.release()


def test_a_command_is_acknowledged_while_home_tabs_wait_on_a_rate_limit(held, fake_slack):
    app, waits = held
    fake_slack.fail_next("views.publish", status=429, retry_after=4, times=BOLT_LISTENER_THREADS)
    for n in range(BOLT_LISTENER_THREADS):
        assert home_opened(app, f"U0USER{n}").status_code == 200
    eventually(lambda: waits.seconds, what="a Home tab waiting on Retry-After")

    ack = app.send_command("help")

    # Acknowledged while the Home tabs still wait, and with the help in it.
    assert fake_slack.ok_calls("views.publish") == []
    assert ack.status_code == 200 and "How to use /reviews" in ack.text

    waits.release()
    # Each tab waited as long as Slack asked (plus the SDK's jitter) and was then published.
    fake_slack.wait_for("views.publish", count=BOLT_LISTENER_THREADS)
    assert len(waits.seconds) == BOLT_LISTENER_THREADS
    assert all(4 <= seconds < 5 for seconds in waits.seconds)
