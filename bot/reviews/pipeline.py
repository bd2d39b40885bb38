"""The review pipeline: triage, then a draft, off the request path and resumable.

Once started, each step is work stored in the database (bot/reviews/work_queue.py): intake
stores a review's triage with the review, triage stores its draft with the status it moves
to, and a step's work leaves in the transaction that records the step. The steps run in the
worker threads of whichever process runs workers (`reviewbot run` or `reviewbot worker`),
triage (bot/reviews/triage_step.py, a batch at a time), cards and drafting on threads of
their own: a negative review's card is posted (showing "drafting…") as soon as it is
triaged, however long the model takes over the drafts before it; the draft fills the card in
when it comes.

Each step is also a compare-and-set on `review.status`, so two workers (or a worker and a
restarted process) never do the same step twice. A little over 300 lines: the steps and the
work that carries each from one to the next read best together.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.drafting import Drafter, DraftingError, DraftResult, Example, ReviewInput, closest_examples
from bot.metrics import Metrics
from bot.reviews.triage import Triage
from bot.reviews.triage_step import TriageStep
from bot.reviews.work_queue import WorkQueue
from bot.reviews.workers import Batches, Steps, Workers, worker_name
from bot.routing import Routing
from bot.sources.platforms import reply_length_limit
from storage.db import session_scope
from storage.drafts import add_draft, draft_texts
from storage.examples import approved_replies
from storage.models import Review, ReviewStatus, WorkKind, utcnow
from storage.review_states import find_review, move_status
from storage.sweeps import stuck_reviews
from storage.work import ClaimedWork

log = logging.getLogger(__name__)

# Approved replies of the review's brand in its language the examples are chosen from (most
# recent first); the prompt shows as many of the closest as its token budget holds.
EXAMPLE_POOL = 50
# Younger than this, a review is most likely still in the pipeline's queue.
STUCK_AFTER = timedelta(minutes=2)
TRIAGE_WORKERS = 2  # triage is quick and local: a second thread while the first records
# Reviews a triage thread claims and records at once: a burst costs a claim and a transaction
# per batch instead of per review, and a batch still takes only some tens of milliseconds.
TRIAGE_BATCH = 20
CARD_WORKERS = 2  # a card waits on Slack; a second thread covers a slow post
PUBLISH_WORKERS = 2  # a platform's slow answer holds one; approvals come a few a minute


class ShowCard(Protocol):
    """Post or redraw a review's card, then its new thread lines; `retried`: an earlier try
    may have posted some of them."""

    def __call__(self, review_id: int, *, retried: bool = False) -> None: ...


class Pipeline:
    def __init__(
        self,
        engine: Engine,
        *,
        triage: Triage,
        drafter: Drafter,
        work: WorkQueue,
        routing: Routing,
        card_positive: bool = False,
        workers: int = 4,
        clock: Callable[[], datetime] = utcnow,
        on_ready: ShowCard | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        """`on_ready(review_id)` is the card step: the card of a review triaged, drafted,
        failed or decided, posted or redrawn with its thread's new lines.
        `routing` gives each review its brand's profile to be drafted with."""
        self._engine = engine
        self._triage = triage
        self._drafter = drafter
        self._routing = routing
        self._workers = workers
        self._clock = clock
        self._on_ready = on_ready
        self._metrics = metrics or Metrics()
        self.work = work
        self._triaged = TriageStep(engine, triage, work, card_positive=card_positive)
        work.run_inline(WorkKind.card, self._card_step)
        self._workers_here: Workers | None = None

    # --- running ------------------------------------------------------------------------
    def start(
        self,
        *,
        workers: bool = True,
        drafting: Mapping[str, Callable[[ClaimedWork], None]] | None = None,
        publishing: Mapping[str, Callable[[ClaimedWork], None]] | None = None,
    ) -> None:
        """From now on reviews are work for the workers; `workers`: run some in this process
        (a web process only stores the work); `drafting`: more steps that wait on the model,
        run by the drafting threads; `publishing`: steps that wait on a review platform or
        the reply webhook, run by threads of their own."""
        self.work.started = True
        if workers:
            self._workers_here = Workers(
                self.work,
                {
                    # Triage is local and quick: claimed and recorded a batch at a time.
                    "triage": Batches(
                        TRIAGE_WORKERS, WorkKind.triage, TRIAGE_BATCH, self._triage_work
                    ),
                    # A card waits on Slack alone.
                    "cards": Steps(CARD_WORKERS, {WorkKind.card: self._card_work}),
                    "drafting": Steps(
                        self._workers, {WorkKind.draft: self._draft_work, **(drafting or {})}
                    ),
                    **({"publishing": Steps(PUBLISH_WORKERS, publishing)} if publishing else {}),
                },
                name=worker_name(),
            )
            self._workers_here.start()

    @property
    def running(self) -> bool:
        return self._workers_here is not None and self._workers_here.running

    @property
    def steps_held(self) -> int:
        """Steps this process's workers are running now."""
        return self._workers_here.held if self._workers_here is not None else 0

    def stop(self) -> None:
        if self._workers_here is not None:
            self._workers_here.stop()
            self._workers_here = None
        self.work.started = False

    def stored(self, review_ids: list[int]) -> None:
        """Intake stored these reviews, and their triage work with them."""
        if self.work.started:
            self.work.wake(WorkKind.triage)
            return
        # Not started (a command, the demo): processed here and now.
        for review_id in review_ids:
            self.process(review_id)
        self.work.drop(kind=WorkKind.triage, review_ids=review_ids)

    def submit(self, review_ids: list[int]) -> None:
        """Reviews to take up again (a sweep found them behind): their work is stored when
        started; processed inline otherwise (CLI, demo, tests)."""
        if self.work.started:
            self.work.add_due(review_ids)
            return
        for review_id in review_ids:
            self.process(review_id)

    def resume(self) -> None:
        """On start: reviews mid-pipeline without their work (a failure left them) get it."""
        self.work.add_due()

    def take_up_stuck(self, now: datetime) -> None:
        """Reviews a failure left behind (received or triaged, untouched for STUCK_AFTER) get
        their work again where it is missing; a step still held is left to its worker."""
        with Session(self._engine) as session:
            stuck = stuck_reviews(session, updated_before=now - STUCK_AFTER)
        self.submit(stuck)

    def _triage_work(self, works: Sequence[ClaimedWork]) -> None:
        self._triaged([work.review_id for work in works], works=works)

    def _card_work(self, work: ClaimedWork) -> None:
        if self._on_ready is not None:
            # A failure is retried, as any step's; a retry looks for what it may have posted.
            self._on_ready(work.review_id, retried=work.attempts > 1)

    def _card_step(self, review_id: int) -> None:
        if self._on_ready is not None:
            self._on_ready(review_id)

    def _draft_work(self, work: ClaimedWork) -> None:
        self.draft(work.review_id, work=work)

    # --- steps --------------------------------------------------------------------------
    def process(self, review_id: int) -> None:
        self.triage(review_id)
        self.draft(review_id)

    def triage(self, review_id: int) -> None:
        self._triaged([review_id], works=())

    def draft(
        self,
        review_id: int,
        *,
        instruction: str | None = None,
        from_status: str = ReviewStatus.triaged,
        work: ClaimedWork | None = None,
    ) -> DraftResult | None:
        """Write the next draft version. Regenerating moves from `pending` instead."""
        # A draft dates from when the review was read: a change the customer makes while the
        # model writes comes after it, so the draft shows (and is refused) as written before.
        read_at = self._clock()
        with session_scope(self._engine) as session:
            if work is not None and work.taken_over:
                # The worker that held it is gone: a draft it was writing is written again.
                move_status(session, review_id=review_id, frm=ReviewStatus.drafting, to=from_status)
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
                self._card_later(session, review_id, work)
            self.work.stored([WorkKind.card], [review_id])
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
            self._card_later(session, review_id, work)
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
        self.work.stored([WorkKind.card], [review_id])
        return result

    def _card_later(self, session: Session, review_id: int, work: ClaimedWork | None) -> None:
        """With the step recorded: the step's work goes, the card's redraw comes, so a
        worker dying now leaves the card to another, not showing "drafting…" for ever."""
        if work is not None:
            self.work.finish(session, work)
        self.work.add(session, kind=WorkKind.card, review_ids=[review_id])

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
