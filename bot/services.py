"""The services the listeners, jobs and HTTP routes call (built by bot/wiring.py)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.cards.changes import ChangeNotices
from bot.cards.outbox import CardOutbox
from bot.cards.posting import Poster
from bot.cards.service import CardService
from bot.cards.signers import Signers
from bot.config import Settings
from bot.drafting import BusinessProfile, Drafter, LLMDrafter
from bot.drafting.tokens import warm_tokenizer
from bot.metrics import Metrics
from bot.publishing.registry import PublisherRegistry
from bot.publishing.service import PublishService
from bot.reviews.answers import AppHome, KpiAnswers
from bot.reviews.card_modals import CardModals
from bot.reviews.decisions import DecisionService
from bot.reviews.digest import DigestService
from bot.reviews.erasure import ErasureService
from bot.reviews.escalation import Escalations
from bot.reviews.follow_up import FollowUps
from bot.reviews.intake import IntakeService
from bot.reviews.nudges import Nudges
from bot.reviews.patterns import PatternAlerts
from bot.reviews.pipeline import Pipeline
from bot.reviews.regenerations import Regenerations
from bot.reviews.triage import Triage
from bot.reviews.votes import VoteService
from bot.routing import Routing
from bot.sources.connectors import SourceRegistry
from storage.health import DatabaseWatch
from storage.models import WorkKind


class Jobs(Protocol):
    """What runs the scheduled jobs with these services (bot/jobs/scheduler.py)."""

    @property
    def leading(self) -> bool: ...

    def start(self, services: Services, *, background: bool = True) -> None: ...

    def stop(self) -> None: ...


@dataclass
class Services:
    settings: Settings
    engine: Engine
    # Whether the database still takes writes (the SQLite file opened at start): /healthz.
    database: DatabaseWatch
    metrics: Metrics  # GET /metrics: this process's own registry
    # Every time the services stamp or compare comes from here; tests set their own.
    clock: Callable[[], datetime]
    profile: BusinessProfile
    # The brands of ROUTES_FILE, and where each review's card goes (one brand without it).
    routing: Routing
    triage: Triage
    drafter: Drafter
    pipeline: Pipeline
    intake: IntakeService
    slack: WebClient | None  # None without SLACK_BOT_TOKEN: cards then stay queued
    poster: Poster | None  # every post to Slack (None when `slack` is)
    cards: CardService
    outbox: CardOutbox  # posts the cards left queued, on start and from the outbox job
    # A customer's new rating or text, stored with it for the card step to show.
    changes: ChangeNotices
    publishers: PublisherRegistry
    publishing: PublishService
    decisions: DecisionService
    regenerations: Regenerations
    modals: CardModals  # what the card's Edit, Regenerate, Decline and Assign buttons open
    signers: Signers
    votes: VoteService  # 👍 / 👎 on drafts
    digests: DigestService  # the weekly digest in DIGEST_CHANNEL
    kpi_answers: KpiAnswers  # what /reviews answers
    home: AppHome  # each person's App Home tab
    follow_ups: FollowUps  # asks whether the customer was followed up
    patterns: PatternAlerts  # one theme in many negative reviews of a week
    nudges: Nudges  # reminders in the threads of cards waiting for a decision
    escalations: Escalations  # reviews past their SLA, announced
    # Decisions, recorded after the click's acknowledgement (what they start is work).
    interactions: ThreadPoolExecutor
    # /reviews answers: read after the acknowledgement, outside Bolt's listener pool.
    answers: ThreadPoolExecutor
    # Scheduled jobs: run only after start(), and only in the instance that leads.
    jobs: Jobs
    # Review sources: the platform connectors of SOURCES_FILE, polled by the scheduler.
    sources: SourceRegistry = field(default_factory=SourceRegistry.empty)
    # Personal data: erasure on request and after RETENTION_DAYS.
    erasure: ErasureService | None = None

    def start(self, *, work: bool = True) -> None:
        """Background work for a serving process; the CLI and tests may run steps inline.
        `work=False`: a web process, which stores reviews with their work and leaves every
        step, the card outbox and the scheduled jobs to the workers."""
        if work:
            if isinstance(self.drafter, LLMDrafter):
                self.drafter.start_probe()  # first: drafts resumed below wait for its answer
            # Loaded now, so the first triage and draft are not the slow ones; a web process
            # never loads them.
            self.triage.warm()
            warm_tokenizer()
        # What a click starts is the workers' too: regenerated drafts on the drafting threads,
        # approved replies on threads of their own, never in the process that took the click.
        self.pipeline.start(
            workers=work,
            drafting={WorkKind.regenerate: self.regenerations.regenerate_work},
            publishing={WorkKind.publish: self.publishing.publish_work},
        )
        if not work:
            return
        self.pipeline.resume()
        self.outbox.start_recovery()
        if self.settings.scheduler_enabled:
            self.jobs.start(self)

    def close(self) -> None:
        self.jobs.stop()  # first: a running job may still need everything below
        self.outbox.close()
        self.interactions.shutdown(wait=True, cancel_futures=True)
        self.answers.shutdown(wait=True, cancel_futures=True)
        self.pipeline.stop()
        self.publishers.close()
        self.sources.close()
        self.engine.dispose()
