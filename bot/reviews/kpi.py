"""The KPI reads behind `/reviews kpi`, `/reviews pending` and the App Home: one read each."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.blocks.kpi import KpiReport
from bot.drafting.signature import SIGNATURE_SLOT
from bot.reviews.command_grammar import ReportPeriod
from storage.draft_quality import draft_quality
from storage.figures import KpiFilter
from storage.kpi import compute_kpis
from storage.pending import PendingQueue, pending_reviews, waiting_by_brand


def read_report(
    engine: Engine,
    period: ReportPeriod,
    filters: KpiFilter,
    *,
    now: datetime,
    tz: tzinfo,
    sla_hours: float,
    with_quality: bool = False,
) -> KpiReport:
    """The KPIs of a period and of the one before, from one read of the database;
    `with_quality` adds the period's draft quality by language."""
    with Session(engine) as session:
        current, previous = (
            compute_kpis(session, p, filters, now=now, sla_hours=sla_hours)
            for p in (period.current, period.previous)
        )
        quality = (
            draft_quality(session, period.current, filters=filters, slot=SIGNATURE_SLOT)
            if with_quality
            else None
        )
    return KpiReport(
        label=period.label,
        period=period.current,
        previous_period=period.previous,
        current=current,
        previous=previous,
        filters=filters,
        sla_hours=sla_hours,
        now=now,
        tz=tz,
        quality=quality,
    )


def read_pending(
    engine: Engine, filters: KpiFilter, *, assignee: str | None = None, limit: int = 20
) -> PendingQueue:
    with Session(engine) as session:
        return pending_reviews(session, filters=filters, assignee=assignee, limit=limit)


def read_waiting_by_brand(engine: Engine, brands: list[str]) -> dict[str, int]:
    with Session(engine) as session:
        return waiting_by_brand(session, brands=brands)
