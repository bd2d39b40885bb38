"""Events: the App Home tab, rebuilt from storage each time someone opens it, and the
signature a person sets there."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks import ids
from bot.blocks.signature import read_signature_submission
from bot.listeners.after_ack import log_failure
from bot.services import Services


class HomeTab:
    def __init__(self, services: Services) -> None:
        self._pool = services.answers
        self._home = services.home
        self._clock = services.clock

    def opened(self, event: dict) -> None:
        # The event also fires for the Messages tab, which has nothing of ours to refresh.
        if event.get("tab") != "home":
            return
        self._republish(event["user"])

    def open_signature(self, ack: Ack, body: dict[str, Any]) -> None:
        ack()
        # The trigger id expires three seconds after the click: open before anything slow.
        self._home.open_signature(body["user"]["id"], body["trigger_id"])

    def save_signature(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        signature = read_signature_submission(view["state"]["values"])
        if refusal := self._home.save_signature(user, signature):
            ack(response_action="errors", errors={ids.BLOCK_SIGNATURE: refusal})
            return
        ack()
        self._republish(user)  # the tab shows the signature replies are signed with

    def _republish(self, user: str) -> None:
        # Off Bolt's listener threads: while Slack rate-limits views.publish, five openings
        # would hold all of them and clicks arriving then would miss their 3 seconds.
        self._pool.submit(self._publish_logged, user)

    def _publish_logged(self, user: str) -> None:
        try:
            self._home.publish(user, self._clock())
        except Exception as exc:
            log_failure(exc)  # the tab keeps what it showed; the next opening tries again


def register(app: App, services: Services) -> None:
    home = HomeTab(services)
    app.event("app_home_opened")(home.opened)
    app.action(ids.ACTION_SET_SIGNATURE)(home.open_signature)
    app.view(ids.CALLBACK_SIGNATURE)(home.save_signature)
