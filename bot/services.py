"""The services the listeners, jobs and HTTP routes call, built once from Settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.reviews.intake import IntakeService
from storage.db import make_engine, migrate


@dataclass
class Services:
    settings: Settings
    engine: Engine
    intake: IntakeService

    def close(self) -> None:
        self.engine.dispose()


def build_services(settings: Settings, *, apply_migrations: bool = True) -> Services:
    engine = make_engine(settings.database_url)
    if apply_migrations:
        migrate(engine)
    return Services(settings=settings, engine=engine, intake=IntakeService(engine))
