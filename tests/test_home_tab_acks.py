"""The App Home tab's work must not hold back other acknowledgements.

HomeTab.opened (bot/listeners/events.py) reads the KPIs and two pending lists and calls
views.publish on Bolt's listener threads (five by default). While Slack answers views.publish
with 429, each opening holds one of them for Retry-After; a click or /reviews arriving then
waits for a free thread, and past Bolt's 3 s ack timeout it is not acknowledged at all.
"""

from __future__ import annotations

from tests.test_home import home_opened

BOLT_LISTENER_THREADS = 5


def test_a_command_is_acknowledged_while_home_tabs_wait_on_a_rate_limit(app, fake_slack):
    fake_slack.fail_next("views.publish", status=429, retry_after=4, times=BOLT_LISTENER_THREADS)
    for n in range(BOLT_LISTENER_THREADS):
        assert home_opened(app, f"U0USER{n}").status_code == 200

    ack = app.send_command("help")

    # Acknowledged without waiting for any of the Home tabs, and with the help in it.
    assert fake_slack.ok_calls("views.publish") == []
    assert ack.status_code == 200 and "How to use /reviews" in ack.text
