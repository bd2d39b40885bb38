"""The triage step: reviews read, assessed (bot/reviews/triage.py) and recorded in one
transaction, with the steps their triage makes due: a negative review's draft, and its card,
which goes up at once saying a draft is on its way. Workers run it a batch at a time; a command
or the demo runs it for one review, inline."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.reviews.triage import Triage
from bot.reviews.work_queue import WorkQueue
from storage.db import session_scope
from storage.models import ReviewStatus, WorkKind
from storage.review_states import find_reviews, move_status
from storage.work import ClaimedWork


class TriageStep:
    def __init__(
        self, engine: Engine, triage: Triage, work: WorkQueue, *, card_positive: bool
    ) -> None:
        self._engine = engine
        self._triage = triage
        self._work = work
        self._card_positive = card_positive

    def __call__(self, review_ids: Sequence[int], *, works: Sequence[ClaimedWork]) -> None:
        """Triage the reviews still waiting for it and record them in one transaction; with
        `works`, only those whose work this worker still holds, their next steps stored."""
        with Session(self._engine) as session:
            waiting = [
                review
                for review in find_reviews(session, review_ids=review_ids)
                if review.status == ReviewStatus.received
            ]
        assessed = [
            (
                review,
                self._triage.assess(
                    text=review.text,
                    title=review.title,
                    rating=review.rating,
                    language_hint=review.language_hint,
                    location=review.location,
                ),
            )
            for review in waiting
        ]
        drafted: list[int] = []
        carded: list[int] = []
        with session_scope(self._engine) as session:
            if works:
                held = {work.review_id for work in self._work.finish_held(session, works)}
                assessed = [(review, result) for review, result in assessed if review.id in held]
            for review, result in assessed:
                assert review.id is not None  # a stored row
                status = ReviewStatus.triaged if result.negative else ReviewStatus.positive
                if not move_status(
                    session,
                    review_id=review.id,
                    frm=ReviewStatus.received,
                    to=status,
                    language=result.language,
                    language_assumed=result.language_assumed,
                    negative=result.negative,
                    themes=result.themes,
                    # Known now, so the card is urgent (and the leads named) while it drafts.
                    priority="urgent" if result.urgency else "normal",
                    urgent_reason=result.urgency.reason if result.urgency else None,
                ):
                    continue
                if status == ReviewStatus.triaged:
                    drafted.append(review.id)
                # A negative review's card goes up now, saying a draft is on its way.
                if status == ReviewStatus.triaged or self._card_positive:
                    carded.append(review.id)
            if works:
                self._work.add(session, kind=WorkKind.draft, review_ids=drafted)
            self._work.add(session, kind=WorkKind.card, review_ids=carded)
        if works:
            self._work.wake()
        elif carded:
            self._work.stored([WorkKind.card], carded)
