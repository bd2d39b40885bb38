"""Events: the App Home tab, rebuilt from storage each time someone opens it, and the
signature a person sets there."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks.signature import build_signature_modal, read_signature_submission
from bot.listeners.after_ack import log_failure
from bot.services import Services


class HomeTab:
    def __init__(self, services: Services) -> None:
        self._answers = services.answers
        self._kpi_answers = services.kpi_answers
        self._clock = services.clock

    def opened(self, event: dict) -> None:
        # The event also fires for the Messages tab, which has nothing of ours to refresh.
        if event.get("tab") != "home":
            return
        self.republish(event["user"])

    def republish(self, user: str) -> None:
        # Off Bolt's listener threads: while Slack rate-limits views.publish, five openings
        # would hold all of them and clicks arriving then would miss their 3 seconds.
        self._answers.submit(self._publish_logged, user)

    def _publish_logged(self, user: str) -> None:
        try:
            self._kpi_answers.publish_home(user, self._clock())
        except Exception as exc:
            log_failure(exc)  # the tab keeps what it showed; the next opening tries again


class SignatureSettings:
    """App Home's "Your signature": the modal, and the Home tab redrawn once it is saved."""

    def __init__(self, services: Services, home: HomeTab) -> None:
        self._signers = services.signers
        self._home = home

    def open(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        current = self._signers.own_signature(body["user"]["id"])
        client.views_open(trigger_id=body["trigger_id"], view=build_signature_modal(current))

    def save(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        signature = read_signature_submission(view["state"]["values"])
        if refusal := self._signers.set_own_signature(user, signature):
            ack(response_action="errors", errors={ids.BLOCK_SIGNATURE: refusal})
            return
        ack()
        self._home.republish(user)


def register(app: App, services: Services) -> None:
    home = HomeTab(services)
    app.event("app_home_opened")(home.opened)
    signature = SignatureSettings(services, home)
    app.action(ids.ACTION_SET_SIGNATURE)(signature.open)
    app.view(ids.CALLBACK_SIGNATURE)(signature.save)
