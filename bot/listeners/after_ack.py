"""The decision a click asks for, recorded after the acknowledgement on a pool of its own
(what the decision starts in Slack is stored with it, for the workers).

Bolt runs listeners on a small thread pool and a click is only acknowledged once its listener
gets a thread. If listeners did their Slack calls there, a burst of clicks while Slack answers
429 would hold every thread in Retry-After waits and later clicks would miss Slack's three
seconds (measured with bench/chaos.py --faults). So listeners ack and hand the rest over.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Executor

from bot.cards.service import CardService

log = logging.getLogger(__name__)


def apology(reference: str) -> str:
    return (
        f":warning: Sorry, that did not work (reference `{reference}`). The card shows "
        "what was done. Try again in a minute; if it keeps happening, give the reference "
        "to whoever runs reviewbot."
    )


def log_failure(error: BaseException) -> str:
    """Log with a short reference the user can quote; never show them the trace."""
    reference = uuid.uuid4().hex[:8]
    log.error("listener failed (reference %s)", reference, exc_info=error)
    return reference


class AfterAck:
    def __init__(self, pool: Executor, cards: CardService) -> None:
        self._pool = pool
        self._cards = cards

    def run(self, review_id: int, user: str, work: Callable[[], str | None]) -> None:
        """Run `work` in the background; tell `user` privately what it refused or that it failed."""

        def task() -> None:
            try:
                refusal = work()
            except Exception as exc:
                refusal = apology(log_failure(exc))
            if refusal:
                try:
                    self._cards.notes.tell(review_id, user, refusal)
                except Exception:
                    log.exception("could not tell %s about review %s", user, review_id)

        self._pool.submit(task)
