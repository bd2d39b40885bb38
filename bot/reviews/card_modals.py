"""The modals the card's buttons open: Edit, Regenerate, Decline, Assign. A click is checked
first (a stale button, someone who may not decide, an erased review) and answered privately
when refused; otherwise its modal opens. The caller runs this in the click's own listener:
the trigger id expires three seconds after the click."""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk import WebClient

from bot.blocks.card_view import CardView
from bot.blocks.modals import (
    build_assign_modal,
    build_decline_modal,
    build_edit_modal,
    build_regenerate_modal,
)
from bot.cards.service import CardService
from bot.reviews.decisions import DecisionService
from bot.sources.platforms import reply_length_limit

GONE = "This review no longer exists."


class CardModals:
    def __init__(
        self, decisions: DecisionService, cards: CardService, slack: WebClient | None
    ) -> None:
        self._decisions = decisions
        self._cards = cards
        self._slack = slack

    def open_edit(self, review_id: int, card_version: int, user: str, trigger_id: str) -> None:
        def build(view: CardView) -> dict:
            return build_edit_modal(
                view,
                signature=self._decisions.signature_for(user, review_id=review_id),
                length_limit=reply_length_limit(view.source, view.language),
            )

        self._open(review_id, card_version, user, trigger_id, build, about_reply=True)

    def open_regenerate(
        self, review_id: int, card_version: int, user: str, trigger_id: str
    ) -> None:
        self._open(
            review_id, card_version, user, trigger_id, build_regenerate_modal, about_reply=True
        )

    def open_decline(self, review_id: int, card_version: int, user: str, trigger_id: str) -> None:
        self._open(
            review_id, card_version, user, trigger_id, build_decline_modal, deciding="decline"
        )

    def open_assign(self, review_id: int, card_version: int, user: str, trigger_id: str) -> None:
        self._open(review_id, card_version, user, trigger_id, build_assign_modal)

    def _open(
        self,
        review_id: int,
        card_version: int,
        user: str,
        trigger_id: str,
        build: Callable[[CardView], dict],
        *,
        deciding: str | None = None,
        about_reply: bool = False,
    ) -> None:
        refusal = self._decisions.check(
            review_id, card_version, user, deciding=deciding, about_reply=about_reply
        )
        view = None if refusal else self._cards.view_for(review_id)
        if view is None:
            self._cards.notes.tell(review_id, user, refusal or GONE)
            return
        if self._slack is None:
            raise RuntimeError("a modal opens in Slack, and there is no Slack client")
        self._slack.views_open(trigger_id=trigger_id, view=build(view))
