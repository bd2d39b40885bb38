"""Modal submissions from the card's buttons. What can be refused inside the modal (a wrong
input, a card that changed meanwhile, approving without being an approver) is answered
there; the rest is acked and handed to the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack, App

from bot.blocks import ids
from bot.blocks.modals import (
    read_assign_submission,
    read_decline_submission,
    read_edit_submission,
    read_regenerate_submission,
)
from bot.listeners.after_ack import AfterAck
from bot.services import Services

Submission = TypeVar("Submission")

STALE_MODAL = "The card changed while this was open. Close this and open it again from the card."


def submitted(body: dict[str, Any], view: dict[str, Any]) -> tuple[int, int, str]:
    """(review id, card version, user id) of a modal submission."""
    review_id, card_version = ids.decode_ref(view["private_metadata"])
    return review_id, card_version, body["user"]["id"]


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


class ModalSubmissions:
    def __init__(self, services: Services) -> None:
        self._decisions = services.decisions
        self._later = AfterAck(services.interactions, services.cards)

    def _refuse_in_modal(self, ack: Ack, review_id: int, version: int, block_id: str) -> bool:
        if self._decisions.is_stale(review_id, version):
            ack(response_action="errors", errors={block_id: STALE_MODAL})
            return True
        return False

    def _accepted(
        self,
        ack: Ack,
        view: dict,
        read: Callable[[dict], Submission],
        block_id: str,
        review_id: int,
        version: int,
    ) -> Submission | None:
        """The submission as `read` reads it; None once the modal is told why not (shown
        at `block_id`): what was entered is wrong, or the card changed meanwhile."""
        try:
            submission = read(view["state"]["values"])
        except ValueError as exc:
            ack(response_action="errors", errors={block_id: _first_upper(str(exc))})
            return None
        if self._refuse_in_modal(ack, review_id, version, block_id):
            return None
        return submission

    def edit(self, ack: Ack, body: dict, view: dict) -> None:
        review_id, version, user = submitted(body, view)
        edit = self._accepted(
            ack, view, read_edit_submission, ids.BLOCK_REPLY_TEXT, review_id, version
        )
        if edit is None:
            return
        if edit.approve_now:
            refusal = self._decisions.check_approver(review_id, user, "approve")
            if refusal:
                # Keep the modal open: the text is not lost, and saving it as a draft is allowed.
                ack(response_action="errors", errors={ids.BLOCK_EDIT_MODE: refusal})
                return
        ack()
        self._later.run(
            review_id,
            user,
            lambda: self._decisions.edit(
                review_id, version, user, edit.text, approve_now=edit.approve_now
            ),
        )

    def regenerate(self, ack: Ack, body: dict, view: dict) -> None:
        review_id, version, user = submitted(body, view)
        if self._refuse_in_modal(ack, review_id, version, ids.BLOCK_INSTRUCTION):
            return
        ack()
        instruction = read_regenerate_submission(view["state"]["values"])
        self._later.run(
            review_id,
            user,
            lambda: self._decisions.regenerate(review_id, version, user, instruction),
        )

    def decline(self, ack: Ack, body: dict, view: dict) -> None:
        review_id, version, user = submitted(body, view)
        decline = self._accepted(
            ack, view, read_decline_submission, ids.BLOCK_DECLINE_REASON, review_id, version
        )
        if decline is None:
            return
        ack()
        self._later.run(
            review_id,
            user,
            lambda: self._decisions.decline(review_id, version, user, decline.reason, decline.note),
        )

    def assign(self, ack: Ack, body: dict, view: dict) -> None:
        review_id, version, user = submitted(body, view)
        assignee = self._accepted(
            ack, view, read_assign_submission, ids.BLOCK_ASSIGNEE, review_id, version
        )
        if assignee is None:
            return
        ack()
        self._later.run(
            review_id, user, lambda: self._decisions.assign(review_id, version, user, assignee)
        )


def register(app: App, services: Services) -> None:
    modals = ModalSubmissions(services)
    app.view(ids.CALLBACK_EDIT)(modals.edit)
    app.view(ids.CALLBACK_REGENERATE)(modals.regenerate)
    app.view(ids.CALLBACK_DECLINE)(modals.decline)
    app.view(ids.CALLBACK_ASSIGN)(modals.assign)
