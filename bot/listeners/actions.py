"""Buttons on the review card. Each acks at once, then hands the click to one service: a
decision runs after the acknowledgement; a modal opens at once (its trigger id expires three
seconds after the click)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks import ids
from bot.listeners.after_ack import AfterAck
from bot.services import Services


def clicked(body: dict[str, Any]) -> tuple[int, int, str]:
    """(review id, card version, user id) of a click on a card button."""
    review_id, card_version = ids.decode_ref(body["actions"][0]["value"])
    return review_id, card_version, body["user"]["id"]


def voted(body: dict[str, Any]) -> tuple[int, int, str]:
    """(review id, draft id, user id) of a 👍 / 👎 click."""
    review_id, draft_id = ids.decode_draft_ref(body["actions"][0]["value"])
    return review_id, draft_id, body["user"]["id"]


class CardActions:
    def __init__(self, services: Services) -> None:
        self._decisions = services.decisions
        self._votes = services.votes
        self._modals = services.modals
        self._later = AfterAck(services.interactions, services.cards)

    def approve(self, ack: Ack, body: dict) -> None:
        ack()
        review_id, version, user = clicked(body)
        self._later.run(review_id, user, lambda: self._decisions.approve(review_id, version, user))

    def retry_draft(self, ack: Ack, body: dict) -> None:
        ack()
        review_id, version, user = clicked(body)
        self._later.run(
            review_id, user, lambda: self._decisions.regenerate(review_id, version, user, None)
        )

    def retry_publish(self, ack: Ack, body: dict) -> None:
        ack()
        review_id, _version, user = clicked(body)
        self._later.run(review_id, user, lambda: self._decisions.retry_publish(review_id))

    def mark_posted(self, ack: Ack, body: dict) -> None:
        ack()
        review_id, _version, user = clicked(body)
        self._later.run(review_id, user, lambda: self._decisions.mark_posted(review_id, user))

    def vote_up(self, ack: Ack, body: dict) -> None:
        self._vote(ack, body, 1)

    def vote_down(self, ack: Ack, body: dict) -> None:
        self._vote(ack, body, -1)

    def _vote(self, ack: Ack, body: dict, vote: int) -> None:
        ack()
        review_id, draft_id, user = voted(body)
        self._later.run(review_id, user, lambda: self._votes.vote(review_id, draft_id, user, vote))

    def open_review(self, ack: Ack) -> None:
        ack()  # a link button: Slack opens the URL itself

    def edit(self, ack: Ack, body: dict) -> None:
        ack()
        self._modals.open_edit(*clicked(body), body["trigger_id"])

    def regenerate(self, ack: Ack, body: dict) -> None:
        ack()
        self._modals.open_regenerate(*clicked(body), body["trigger_id"])

    def decline(self, ack: Ack, body: dict) -> None:
        ack()
        self._modals.open_decline(*clicked(body), body["trigger_id"])

    def assign(self, ack: Ack, body: dict) -> None:
        ack()
        self._modals.open_assign(*clicked(body), body["trigger_id"])


def register(app: App, services: Services) -> None:
    actions = CardActions(services)
    app.action(ids.ACTION_APPROVE)(actions.approve)
    app.action(ids.ACTION_EDIT)(actions.edit)
    app.action(ids.ACTION_REGENERATE)(actions.regenerate)
    app.action(ids.ACTION_DECLINE)(actions.decline)
    app.action(ids.ACTION_ASSIGN)(actions.assign)
    app.action(ids.ACTION_RETRY_DRAFT)(actions.retry_draft)
    app.action(ids.ACTION_RETRY_PUBLISH)(actions.retry_publish)
    app.action(ids.ACTION_MARK_POSTED)(actions.mark_posted)
    app.action(ids.ACTION_OPEN_REVIEW)(actions.open_review)
    app.action(ids.ACTION_VOTE_UP)(actions.vote_up)
    app.action(ids.ACTION_VOTE_DOWN)(actions.vote_down)
