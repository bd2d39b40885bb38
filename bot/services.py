"""The services the listeners, jobs and HTTP routes call, built once from Settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.drafting import BusinessProfile, PromptLibrary, build_drafter
from bot.reviews.intake import IntakeService
from bot.reviews.pipeline import Pipeline
from bot.reviews.triage import Triage
from bot.triage.language import LanguageDetector
from bot.triage.negativity import Thresholds
from storage.db import make_engine, migrate


@dataclass
class Services:
    settings: Settings
    engine: Engine
    profile: BusinessProfile
    triage: Triage
    pipeline: Pipeline
    intake: IntakeService

    def start(self) -> None:
        """Background work for a serving process; the CLI and tests may run steps inline."""
        self.pipeline.start()
        self.pipeline.resume()

    def close(self) -> None:
        self.pipeline.stop()
        self.engine.dispose()


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


def build_services(settings: Settings, *, apply_migrations: bool = True) -> Services:
    engine = make_engine(settings.database_url)
    if apply_migrations:
        migrate(engine)
    profile = BusinessProfile.from_file(settings.business_profile)
    triage = build_triage(settings, profile)
    drafter = build_drafter(
        api_key=settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        timeout=settings.openai_timeout,
        max_retries=settings.openai_max_retries,
        prompts=PromptLibrary(settings.prompts_dir),
        profile=profile,
        team_language=settings.team_language,
        detect_language=triage.detect_language,
    )
    pipeline = Pipeline(
        engine,
        triage=triage,
        drafter=drafter,
        card_positive=settings.card_positive,
        workers=settings.pipeline_workers,
    )
    intake = IntakeService(engine, on_stored=pipeline.submit)
    return Services(
        settings=settings,
        engine=engine,
        profile=profile,
        triage=triage,
        pipeline=pipeline,
        intake=intake,
    )
