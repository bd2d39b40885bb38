"""The Done / Not needed buttons under the follow-up question in a card's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks import follow_up
from bot.services import Services


class FollowUpActions:
    def __init__(self, services: Services) -> None:
        self._follow_ups = services.follow_ups
        self._tz = services.settings.tz
        self._clock = services.clock

    def answer(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        action = body["actions"][0]
        review_id = follow_up.decode_review(action["value"])
        outcome = follow_up.OUTCOMES[action["action_id"]]
        user = body["user"]["id"]
        channel = body["channel"]["id"]
        now = self._clock()
        if not self._follow_ups.record(review_id, user, outcome, now):
            client.chat_postEphemeral(
                channel=channel, user=user, text="Someone already answered this follow-up."
            )
            return
        message = follow_up.build_follow_up_answered(outcome, user, at=now, tz=self._tz)
        client.chat_update(
            channel=channel,
            ts=body["message"]["ts"],
            text=message["text"],
            blocks=message["blocks"],
        )


def register(app: App, services: Services) -> None:
    actions = FollowUpActions(services)
    app.action(follow_up.ACTION_FOLLOWED_UP)(actions.answer)
    app.action(follow_up.ACTION_NOT_NEEDED)(actions.answer)
