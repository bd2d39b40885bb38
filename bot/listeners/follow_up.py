"""The Done / Not needed buttons under the follow-up question in a card's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks import follow_up
from bot.services import Services


class FollowUpActions:
    def __init__(self, services: Services) -> None:
        self._follow_ups = services.follow_ups
        self._clock = services.clock

    def answer(self, ack: Ack, body: dict[str, Any]) -> None:
        ack()
        action = body["actions"][0]
        self._follow_ups.answer(
            follow_up.decode_review(action["value"]),
            body["user"]["id"],
            follow_up.OUTCOMES[action["action_id"]],
            channel=body["channel"]["id"],
            ts=body["message"]["ts"],
            now=self._clock(),
        )


def register(app: App, services: Services) -> None:
    actions = FollowUpActions(services)
    app.action(follow_up.ACTION_FOLLOWED_UP)(actions.answer)
    app.action(follow_up.ACTION_NOT_NEEDED)(actions.answer)
