"""Buttons on the review card. Each acks at once, then hands the click to the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks.card_view import CardView
from bot.blocks.modals import (
    build_assign_modal,
    build_decline_modal,
    build_edit_modal,
    build_regenerate_modal,
)
from bot.listeners.after_ack import AfterAck
from bot.services import Services
from bot.sources.platforms import reply_length_limit


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
        self._cards = services.cards
        self._later = AfterAck(services.interactions, services.cards)

    def _answer(self, review_id: int, user: str, refusal: str | None) -> None:
        if refusal:
            self._cards.notes.tell(review_id, user, refusal)

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

    def edit(self, ack: Ack, body: dict, client: WebClient) -> None:
        user = body["user"]["id"]
        self._open(
            ack,
            body,
            client,
            lambda view: build_edit_modal(
                view,
                signature=self._decisions.signature_for(user),
                length_limit=reply_length_limit(view.source, view.language),
            ),
            about_reply=True,
        )

    def regenerate(self, ack: Ack, body: dict, client: WebClient) -> None:
        self._open(ack, body, client, build_regenerate_modal, about_reply=True)

    def decline(self, ack: Ack, body: dict, client: WebClient) -> None:
        self._open(ack, body, client, build_decline_modal, deciding="decline")

    def assign(self, ack: Ack, body: dict, client: WebClient) -> None:
        self._open(ack, body, client, build_assign_modal)

    def _open(
        self,
        ack: Ack,
        body: dict,
        client: WebClient,
        build: Callable[[CardView], dict],
        *,
        deciding: str | None = None,
        about_reply: bool = False,
    ) -> None:
        ack()
        review_id, version, user = clicked(body)
        refusal = self._decisions.check(
            review_id, version, user, deciding=deciding, about_reply=about_reply
        )
        view = None if refusal else self._cards.view_for(review_id)
        if view is None:
            self._answer(review_id, user, refusal or "This review no longer exists.")
            return
        # The trigger id expires three seconds after the click: open before anything slow.
        client.views_open(trigger_id=body["trigger_id"], view=build(view))


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
