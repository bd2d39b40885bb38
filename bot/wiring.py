"""Builds the services from Settings, and the scheduler that runs the jobs with them."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial

from bot.cards.approvers import BrandApprovers
from bot.cards.card_step import CardStep, CardUpdates
from bot.cards.changes import ChangeNotices
from bot.cards.outbox import CardOutbox
from bot.cards.pacing import ChannelPacer
from bot.cards.posting import Poster
from bot.cards.service import CardService
from bot.cards.signers import Signers
from bot.cards.slack_client import Sleep, build_web_client
from bot.config import Settings
from bot.drafting import BusinessProfile, Drafter, PromptLibrary, build_drafter
from bot.jobs.scheduler import JobScheduler, job_specs
from bot.metrics import Metrics
from bot.publishing.platforms import platform_publishers
from bot.publishing.registry import build_publishers
from bot.publishing.service import PublishService
from bot.reviews.answers import AppHome, KpiAnswers, WorkspaceUrl
from bot.reviews.card_modals import CardModals
from bot.reviews.decisions import DecisionService
from bot.reviews.digest import DigestService
from bot.reviews.erased import redraw_without
from bot.reviews.erasure import ErasureService
from bot.reviews.escalation import Escalations
from bot.reviews.follow_up import FollowUps
from bot.reviews.intake import IntakeService
from bot.reviews.nudges import Nudges
from bot.reviews.patterns import PatternAlerts
from bot.reviews.pipeline import Pipeline
from bot.reviews.regenerations import Regenerations
from bot.reviews.triage import Triage
from bot.reviews.viewer_brands import ViewerBrands
from bot.reviews.votes import VoteService
from bot.reviews.work_queue import WorkQueue
from bot.routing import Routing, base_brand, load_routing
from bot.services import Services
from bot.sources.connectors import build_sources
from bot.triage.language import LanguageDetector
from bot.triage.negativity import Thresholds
from storage.backlog import backlog
from storage.db import make_engine, migrate
from storage.health import DatabaseWatch
from storage.leader import leader_lock_for
from storage.models import utcnow

KPI_ANSWER_WORKERS = 4  # /reviews answers read at once; more would only queue on the database
INTERACTION_WORKERS = 8  # clicks handled at once after their ack; mostly waiting on Slack


def build_routing(settings: Settings, profile: BusinessProfile) -> Routing:
    """The brands and routes of ROUTES_FILE over the settings; RoutesFileError names a fault."""
    base = base_brand(
        profile,
        channel=settings.reviews_channel,
        digest_channel=settings.digest_channel_id,
        approvers=settings.approvers,
        escalation_contacts=settings.escalation_contacts,
        sla=settings.sla,
    )
    return load_routing(settings.routes_file, base=base)


def build_triage(settings: Settings, profile: BusinessProfile) -> Triage:
    detector = LanguageDetector(
        settings.languages,
        default_language=profile.default_language,
        location_languages={
            name: location.language
            for name, location in profile.locations.items()
            if location.language
        },
        countries=profile.countries,
    )
    return Triage(
        detector,
        Thresholds(
            negative_at_most=settings.negative_at_most, ambiguous_rating=settings.ambiguous_rating
        ),
    )


def drafter_for(
    settings: Settings, profile: BusinessProfile, *, detect_language: Callable[[str], str]
) -> Drafter:
    """The model's drafter with OPENAI_API_KEY, the templates' without."""
    return build_drafter(
        api_key=settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        timeout=settings.openai_timeout,
        max_retries=settings.openai_max_retries,
        max_tokens=settings.openai_max_tokens,
        prompts=PromptLibrary(settings.prompts_dir, overrides=settings.prompt_overrides_dir),
        profile=profile,
        team_language=settings.team_language,
        detect_language=detect_language,
    )


def build_services(
    settings: Settings,
    *,
    apply_migrations: bool = True,
    environ: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] = utcnow,
    sleep: Sleep = time.sleep,
) -> Services:
    """`environ`: where the entry point reads the credentials the sources file names;
    `clock`: what every service takes the time from; `sleep`: how the clients we own wait
    between retries."""
    engine = make_engine(settings.database_url)
    database = DatabaseWatch(engine)  # before the first connection: it remembers the file
    metrics = Metrics()
    metrics.watch_backlog(lambda: backlog(engine))
    if apply_migrations:
        migrate(engine)
    profile = BusinessProfile.from_file(settings.business_profile)
    routing = build_routing(settings, profile)
    triage = build_triage(settings, profile)
    drafter = drafter_for(settings, profile, detect_language=triage.detect_language)
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    slack = (
        build_web_client(token, settings.slack_api_url, sleep=sleep, metrics=metrics)
        if token
        else None
    )
    # Everything the app posts goes through one poster: paced per channel, never twice.
    poster = (
        Poster(
            build_web_client(
                token, settings.slack_api_url, idempotent_only=True, sleep=sleep, metrics=metrics
            ),
            ChannelPacer(settings.card_post_interval),
            clock=clock,
            sleep=sleep,
        )
        if token
        else None
    )
    cards = CardService(
        engine,
        slack,
        channel=settings.reviews_channel,
        routing=routing,
        tz=settings.tz,
        team_language=settings.team_language,
        lead_contacts=tuple(profile.lead_contacts),
        poster=poster,
        clock=clock,
        metrics=metrics,
        post_lease=settings.work_lease,
    )
    work = WorkQueue(engine, lease=settings.work_lease, clock=clock)
    # What decisions, publications and changes show in Slack: stored with them, shown by the
    # card step.
    updates = CardUpdates(work, clock=clock)
    pipeline = Pipeline(
        engine,
        triage=triage,
        drafter=drafter,
        work=work,
        routing=routing,
        card_positive=settings.card_positive,
        workers=settings.pipeline_workers,
        on_ready=CardStep(engine, cards),
        clock=clock,
        metrics=metrics,
    )
    changes = ChangeNotices(engine, updates, in_slack=slack is not None, clock=clock)
    intake = IntakeService(
        engine,
        routing=routing,
        on_stored=pipeline.stored,
        changes=changes,
        clock=clock,
        metrics=metrics,
        work=work,
    )
    sources = build_sources(
        settings.sources_file,
        environ=environ,
        secrets_file=settings.sources_secrets_file,
        sleep=sleep,
    )
    publishers = build_publishers(
        platform_publishers(sources, engine, clock=clock),
        webhook_url=settings.reply_webhook_url,
        webhook_secret=(
            settings.reply_webhook_secret.get_secret_value()
            if settings.reply_webhook_secret
            else None
        ),
        sleep=sleep,
    )
    publishing = PublishService(engine, publishers, updates, clock=clock)
    signers = Signers(engine, slack, clock=clock)
    decisions = DecisionService(
        engine,
        cards=cards,
        updates=updates,
        publishing=publishing,
        approvers=BrandApprovers(routing, slack),
        signers=signers,
        routing=routing,
        tz=settings.tz,
        clock=clock,
    )
    regenerations = Regenerations(engine, cards=cards, work=work, redraft=pipeline.draft)
    digests = DigestService(
        engine,
        slack,
        poster,
        routing=routing,
        channel=settings.digest_channel_id,
        cron=settings.digest_cron,
        sla=settings.sla,
        tz=settings.tz,
    )
    workspace_url = WorkspaceUrl(slack)  # card links in /reviews pending and App Home
    patterns = PatternAlerts(engine, slack, poster, routing=routing, minimum=settings.pattern_min)
    return Services(
        settings=settings,
        engine=engine,
        database=database,
        metrics=metrics,
        clock=clock,
        profile=profile,
        routing=routing,
        triage=triage,
        drafter=drafter,
        pipeline=pipeline,
        intake=intake,
        slack=slack,
        poster=poster,
        cards=cards,
        outbox=CardOutbox(engine, cards, poster, channel=settings.reviews_channel),
        changes=changes,
        publishers=publishers,
        publishing=publishing,
        decisions=decisions,
        regenerations=regenerations,
        modals=CardModals(decisions, cards, slack),
        signers=signers,
        votes=VoteService(engine, cards=cards, clock=clock),
        digests=digests,
        kpi_answers=KpiAnswers(
            engine,
            digests,
            workspace_url,
            routing=routing,
            tz=settings.tz,
            command=settings.slash_command,
        ),
        home=AppHome(
            engine,
            slack,
            decisions,
            signers,
            workspace_url,
            ViewerBrands(slack, routing),
            sla=settings.sla,
            tz=settings.tz,
            command=settings.slash_command,
        ),
        patterns=patterns,
        nudges=Nudges(
            engine,
            slack,
            poster,
            routing=routing,
            after=settings.nudge_after,
            every=settings.nudge_every,
            working_time=settings.working_time,
            tz=settings.tz,
        ),
        escalations=Escalations(
            engine,
            slack,
            poster,
            updates,
            routing=routing,
            anytime=settings.escalate_anytime,
            working_time=settings.working_time,
            tz=settings.tz,
        ),
        follow_ups=FollowUps(
            engine,
            poster,
            after=settings.follow_up_after,
            working_time=settings.working_time,
            tz=settings.tz,
        ),
        interactions=ThreadPoolExecutor(INTERACTION_WORKERS, thread_name_prefix="interaction"),
        # KPI answers queue here, not in Bolt's five listener threads, so twenty /reviews at
        # once are all acknowledged in time (measured: bench/kpi_latency.py).
        answers=ThreadPoolExecutor(KPI_ANSWER_WORKERS, thread_name_prefix="kpi-answer"),
        jobs=JobScheduler(engine, settings, leader_lock_for(engine), job_specs(settings)),
        sources=sources,
        erasure=ErasureService(
            engine,
            retention_days=settings.retention_days,
            clock=clock,
            on_erased=partial(redraw_without, cards=cards, digests=digests, patterns=patterns),
        ),
    )
