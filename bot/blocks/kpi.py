"""The KPI answer: a period's figures, each beside the same figure for the period before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from slack_sdk.models.blocks import Block, ContextBlock, SectionBlock

from bot.blocks.draft_quality import draft_quality_blocks
from bot.blocks.format import average_rating, format_age, format_hours, local_time, share
from bot.blocks.mrkdwn import mrkdwn_text, shorten_escaped
from storage.draft_quality import DraftQualityReport
from storage.figures import KpiFilter, Period
from storage.kpi import Kpis

FILTER_LIMIT = 60


@dataclass(frozen=True)
class KpiReport:
    """Everything the answer shows; `now` bounds the backlog's "as of" time."""

    label: str  # "last 7 days", "this week"…
    period: Period
    previous_period: Period
    current: Kpis
    previous: Kpis
    filters: KpiFilter
    sla_hours: float
    now: datetime
    tz: tzinfo
    quality: DraftQualityReport | None = None  # the period's draft quality, by language


def _oldest(kpis: Kpis, as_of: datetime) -> str:
    if kpis.oldest_pending_at is None:
        return ""
    return f", oldest {format_age(as_of - kpis.oldest_pending_at)}"


def _field(name: str, report: KpiReport, show: Callable[[Kpis, datetime], str]) -> str:
    now_value = show(report.current, min(report.period.end, report.now))
    before = show(report.previous, min(report.previous_period.end, report.now))
    return f"*{name}*\n{now_value}\n_before: {before}_"


def _fields(report: KpiReport) -> list[str]:
    sla = f"{report.sla_hours:g} h"
    return [
        _field("Reviews", report, lambda k, _: f"{k.reviews} ({k.rated} rated)"),
        _field("Average rating", report, lambda k, _: average_rating(k.average_rating)),
        _field(
            "Negative",
            report,
            lambda k, _: f"{k.negatives} ({share(k.negative_share)} of {k.triaged} triaged)",
        ),
        _field(
            "Time to approved reply",
            report,
            lambda k, _: (
                f"median {format_hours(k.median_reply_hours)}, "
                f"90% within {format_hours(k.p90_reply_hours)} ({k.approved} approved)"
            ),
        ),
        _field(
            f"Answered within the SLA ({sla})",
            report,
            lambda k, _: f"{share(k.sla_compliance)} ({k.sla_met} of {k.sla_due} due)",
        ),
        _field(
            "AI drafts approved unedited",
            report,
            lambda k, _: f"{share(k.ai_unedited_share)} ({k.ai_unedited} of {k.approved})",
        ),
        _field("Declined", report, lambda k, _: str(k.declined)),
        _field(
            "Backlog at the end",
            report,
            lambda k, as_of: f"{k.backlog} waiting{_oldest(k, as_of)}",
        ),
        _field("Turned around (negative → 4–5★)", report, lambda k, _: str(k.turned_around)),
    ]


def describe_filters(filters: KpiFilter) -> str:
    """ "brand: lumi · source: google · lang: sv", escaped; empty without filters."""
    parts = [
        f"{name}: {shorten_escaped(value, FILTER_LIMIT)[0]}"
        for name, value in (
            ("brand", filters.brand),
            ("source", filters.source),
            ("lang", filters.language),
            ("location", filters.location),
        )
        if value
    ]
    return " · ".join(parts)


def _span(period: Period, now: datetime, tz: tzinfo) -> str:
    return f"{local_time(period.start, tz)} – {local_time(min(period.end, now), tz)}"


def kpi_blocks(report: KpiReport) -> list[Block]:
    """The figures as one section of fields, with the periods and filters in a context line."""
    context = [
        f"{_span(report.period, report.now, report.tz)} ({report.tz}), "
        f"compared with {_span(report.previous_period, report.now, report.tz)}"
    ]
    if filters := describe_filters(report.filters):
        context.append(f"Only {filters}")
    return [
        SectionBlock(fields=[mrkdwn_text(text) for text in _fields(report)]),
        ContextBlock(elements=[mrkdwn_text(text) for text in context]),
    ]


def build_kpi_answer(report: KpiReport) -> dict:
    """The /reviews kpi answer: message text and blocks."""
    title = f"*KPIs · {report.label}*"
    if filters := describe_filters(report.filters):
        title += f" · {filters}"
    blocks: list[Block] = [SectionBlock(text=mrkdwn_text(title)), *kpi_blocks(report)]
    if report.current.reviews == 0 and report.previous.reviews == 0:
        blocks.append(SectionBlock(text=mrkdwn_text("No reviews were written in either period.")))
    if report.quality is not None:
        blocks.extend(draft_quality_blocks(report.quality))
    k = report.current
    fallback = (
        f"KPIs, {report.label}: {k.reviews} reviews, {k.negatives} negative, "
        f"median time to approved reply {format_hours(k.median_reply_hours)}, "
        f"{k.backlog} waiting"
    )
    return {"text": fallback, "blocks": [block.to_dict() for block in blocks]}
