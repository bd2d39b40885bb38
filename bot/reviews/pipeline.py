"""The review pipeline: triage, then a draft, off the request path and resumable.

Triage and drafting run in pools of their own: a negative review's card is posted (showing
"drafting…") as soon as it is triaged, however long the model takes over the drafts before
it; the draft fills the card in when it comes.

Each step is a compare-and-set on `review.status`, so two workers (or a worker and a
restarted process) never do the same step twice, and a restart resumes every review from
the state it was left in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.drafting import Drafter, DraftingError, DraftResult, Example, ReviewInput, closest_examples
from bot.metrics import Metrics
from bot.reviews.triage import Triage
from bot.routing import Routing
from bot.sources.platforms import reply_length_limit
from storage.db import session_scope
from storage.drafts import add_draft, draft_texts
from storage.examples import approved_replies
from storage.models import Review, ReviewStatus, utcnow
from storage.review_states import find_review, move_status, reviews_to_resume
from storage.sweeps import stuck_reviews

log = logging.getLogger(__name__)

# Approved replies of the review's brand in its language the examples are chosen from (most
# recent first); the prompt shows as many of the closest as its token budget holds.
EXAMPLE_POOL = 50
# Younger than this, a review is most likely still in the pipeline's queue.
STUCK_AFTER = timedelta(minutes=2)
TRIAGE_WORKERS = 2  # triage is quick and local; a second thread covers a slow card post


class Pipeline:
    def __init__(
        self,
        engine: Engine,
        *,
        triage: Triage,
        drafter: Drafter,
        routing: Routing,
        card_positive: bool = False,
        workers: int = 4,
        clock: Callable[[], datetime] = utcnow,
        on_ready: Callable[[int], None] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        """`on_ready(review_id)` hears of each review needing a card: drafted, failed, positive.
        `routing` gives each review its brand's profile to be drafted with."""
        self._engine = engine
        self._triage = triage
        self._drafter = drafter
        self._routing = routing
        self._card_positive = card_positive
        self._workers = workers
        self._clock = clock
        self._on_ready = on_ready
        self._metrics = metrics or Metrics()
        self._triage_pool: ThreadPoolExecutor | None = None
        self._draft_pool: ThreadPoolExecutor | None = None

    # --- running ------------------------------------------------------------------------
    def start(self) -> None:
        self._triage_pool = ThreadPoolExecutor(TRIAGE_WORKERS, thread_name_prefix="triage")
        self._draft_pool = ThreadPoolExecutor(self._workers, thread_name_prefix="drafting")

    @property
    def running(self) -> bool:
        return self._draft_pool is not None

    def stop(self) -> None:
        for pool in (self._triage_pool, self._draft_pool):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        self._triage_pool = self._draft_pool = None

    def submit(self, review_ids: list[int]) -> None:
        """Process in the background when started; inline otherwise (CLI, demo, tests)."""
        for review_id in review_ids:
            if self._triage_pool is None:
                self.process(review_id)
            else:
                self._triage_pool.submit(self._logged, self._triage_then_queue, review_id)

    def resume(self) -> int:
        """After a restart: a draft that was being written when the process died is redone."""
        with session_scope(self._engine) as session:
            ids = reviews_to_resume(session)
        self.submit(ids)
        return len(ids)

    def take_up_stuck(self, now: datetime) -> None:
        """Reviews a failure left behind (received or triaged, untouched for STUCK_AFTER) go again;
        each step is a compare-and-set, so one that is in fact still queued is not done twice."""
        with Session(self._engine) as session:
            stuck = stuck_reviews(session, updated_before=now - STUCK_AFTER)
        self.submit(stuck)

    def _logged(self, step: Callable[[int], object], review_id: int) -> None:
        try:
            step(review_id)
        except Exception:
            # The review keeps its state; resume() or the outbox sweep picks it up again.
            log.exception("pipeline failed on review %s", review_id)

    def _triage_then_queue(self, review_id: int) -> None:
        self.triage(review_id)
        if self._draft_pool is not None:
            self._draft_pool.submit(self._logged, self.draft, review_id)

    # --- steps --------------------------------------------------------------------------
    def process(self, review_id: int) -> None:
        self.triage(review_id)
        self.draft(review_id)

    def triage(self, review_id: int) -> None:
        with Session(self._engine) as session:
            review = find_review(session, review_id=review_id)
        if review is None or review.status != ReviewStatus.received:
            return
        result = self._triage.assess(
            text=review.text,
            title=review.title,
            rating=review.rating,
            language_hint=review.language_hint,
            location=review.location,
        )
        status = ReviewStatus.triaged if result.negative else ReviewStatus.positive
        with session_scope(self._engine) as session:
            moved = move_status(
                session,
                review_id=review_id,
                frm=ReviewStatus.received,
                to=status,
                language=result.language,
                language_assumed=result.language_assumed,
                negative=result.negative,
                themes=result.themes,
                # Known now, so the card is urgent (and the leads named) while it drafts.
                priority="urgent" if result.urgency else "normal",
                urgent_reason=result.urgency.reason if result.urgency else None,
            )
        if moved and (status == ReviewStatus.triaged or self._card_positive):
            # A negative review's card goes up now, saying a draft is on its way.
            self._ready(review_id)

    def draft(
        self,
        review_id: int,
        *,
        instruction: str | None = None,
        from_status: str = ReviewStatus.triaged,
    ) -> DraftResult | None:
        """Write the next draft version. Regenerating moves from `pending` instead."""
        # A draft dates from when the review was read: a change the customer makes while the
        # model writes comes after it, so the draft shows (and is refused) as written before.
        read_at = self._clock()
        with session_scope(self._engine) as session:
            if not move_status(
                session, review_id=review_id, frm=from_status, to=ReviewStatus.drafting
            ):
                return None
            review = find_review(session, review_id=review_id)
            assert review is not None  # its status moved just now
            examples = self._examples(session, review)
            earlier = tuple(draft_texts(session, review_id=review_id))
        try:
            result = self._drafter.draft(
                replace(self._review_input(review), earlier_drafts=earlier),
                examples=examples,
                instruction=instruction,
            )
        except DraftingError as exc:
            self._metrics.draft_failed()
            log.warning("draft failed", extra={"review_id": review_id, "reason": exc.reason})
            with session_scope(self._engine) as session:
                move_status(
                    session,
                    review_id=review_id,
                    frm=ReviewStatus.drafting,
                    to=ReviewStatus.pending,
                    draft_error=exc.reason,
                )
            self._ready(review_id)
            return None
        except BaseException:
            with session_scope(self._engine) as session:
                move_status(session, review_id=review_id, frm=ReviewStatus.drafting, to=from_status)
            raise
        # A model that reads no urgency does not overrule the keywords (a lawyer, a poisoning).
        flagged = self._triage.urgency(
            text=review.text, title=review.title, language=review.language or "en"
        )
        with session_scope(self._engine) as session:
            version = add_draft(
                session,
                review_id=review_id,
                text=result.text,
                kind=result.kind,
                reply_translation=result.reply_translation,
                instruction=instruction,
                model=result.model,
                prompt_version=result.prompt_version,
                tokens_in=result.tokens_in,
                tokens_out=result.tokens_out,
                latency_ms=result.latency_ms,
                findings=[{"code": f.code, "message": f.message} for f in result.findings],
                created_at=read_at,
            ).version
            move_status(
                session,
                review_id=review_id,
                frm=ReviewStatus.drafting,
                to=ReviewStatus.pending,
                draft_error=None,
                themes=result.themes,
                feedback_kind=result.feedback_kind,
                priority="urgent" if flagged else result.priority,
                urgent_reason=result.urgent_reason or (flagged.reason if flagged else None),
                review_translation=result.review_translation,
            )
        log.info(
            "draft written",
            extra={
                "review_id": review_id,
                "version": version,
                "mode": result.kind,
                "latency_ms": result.latency_ms,
                "findings": len(result.findings),
            },
        )
        self._metrics.draft_written(result)
        self._ready(review_id)
        return result

    def _ready(self, review_id: int) -> None:
        if self._on_ready is None:
            return
        try:
            self._on_ready(review_id)
        except Exception:
            # The card stays in the outbox, which posts it; the review moves on regardless.
            log.exception("the card of review %s could not be posted or redrawn", review_id)

    def _review_input(self, review: Review) -> ReviewInput:
        language = review.language or "en"
        return ReviewInput(
            source=review.source,
            rating=review.rating,
            title=review.title,
            text=review.text,
            author=review.author,
            language=language,
            location=review.location,
            length_limit=reply_length_limit(review.source, language),
            themes=tuple(review.themes or ()),
            profile=self._routing.team(review.brand).profile,
        )

    @staticmethod
    def _examples(session: Session, review: Review) -> list[Example]:
        """The approved replies to reviews of this brand in this language, those closest to
        this review first."""
        assert review.id is not None  # a stored row
        approved = approved_replies(
            session,
            language=review.language,
            brand=review.brand,
            exclude_review_id=review.id,
            limit=EXAMPLE_POOL,
        )
        candidates = [
            Example(review_text=row.review_text, reply_text=row.reply_text, author=row.author)
            for row in approved
        ]
        return closest_examples(review.text, candidates)
