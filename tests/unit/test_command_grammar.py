"""/reviews text → request: periods in the team's time zone, filters, and help for the rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.reviews.command_grammar import (
    DigestRequest,
    HelpRequest,
    KpiRequest,
    PendingRequest,
    parse_command,
    resolve_period,
)
from storage.figures import KpiFilter, Period

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TAIPEI = ZoneInfo("Asia/Taipei")
# Friday 20 November 2026, 13:00 in Stockholm (CET, UTC+1).
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def parse(text: str, now: datetime = NOW, tz=STOCKHOLM):
    return parse_command(text, now=now, tz=tz)


def test_rolling_days_end_now_and_compare_with_as_many_days_before():
    period = resolve_period("30d", now=NOW, tz=STOCKHOLM)
    assert period.label == "last 30 days"
    assert period.current == Period(NOW - timedelta(days=30), NOW)
    assert period.previous == Period(NOW - timedelta(days=60), NOW - timedelta(days=30))


def test_this_week_starts_at_local_monday_midnight_and_compares_the_same_stretch():
    period = resolve_period("week", now=NOW, tz=STOCKHOLM)
    # Monday 16 November 00:00 in Stockholm is 23:00 UTC on Sunday.
    assert period.current == Period(utc(2026, 11, 15, 23), NOW)
    assert period.previous == Period(utc(2026, 11, 8, 23), utc(2026, 11, 13, 12))


def test_the_same_instant_is_another_week_in_taipei():
    # 20:00 UTC on Sunday the 15th is already Monday 04:00 in Taipei.
    sunday_night = utc(2026, 11, 15, 20)
    assert resolve_period("week", now=sunday_night, tz=TAIPEI).current.start == utc(
        2026, 11, 15, 16
    )
    assert resolve_period("week", now=sunday_night, tz=STOCKHOLM).current.start == utc(
        2026, 11, 8, 23
    )


def test_last_week_across_the_end_of_summer_time_is_a_week_and_an_hour():
    # Summer time ended on Sunday 25 October 2026: that week had 169 hours in Stockholm.
    period = resolve_period("last-week", now=utc(2026, 10, 28, 9), tz=STOCKHOLM)
    assert period.current == Period(utc(2026, 10, 18, 22), utc(2026, 10, 25, 23))
    assert period.previous == Period(utc(2026, 10, 11, 22), utc(2026, 10, 18, 22))


def test_this_month_compares_with_the_same_days_of_last_month_cut_at_its_end():
    mid = resolve_period("month", now=utc(2026, 11, 20, 12), tz=STOCKHOLM)
    assert mid.current == Period(utc(2026, 10, 31, 23), utc(2026, 11, 20, 12))
    assert mid.previous == Period(utc(2026, 9, 30, 22), utc(2026, 10, 20, 11))
    end_of_march = resolve_period("month", now=utc(2026, 3, 31, 10), tz=STOCKHOLM)
    assert end_of_march.previous == Period(utc(2026, 1, 31, 23), utc(2026, 2, 28, 23))


def test_a_date_range_is_whole_local_days_inclusive():
    period = resolve_period("2026-11-01..2026-11-15", now=NOW, tz=STOCKHOLM)
    assert period.label == "2026-11-01 – 2026-11-15"
    assert period.current == Period(utc(2026, 10, 31, 23), utc(2026, 11, 15, 23))
    assert period.previous == Period(utc(2026, 10, 16, 22), utc(2026, 10, 31, 23))
    single = resolve_period("2026-11-02", now=NOW, tz=STOCKHOLM)
    assert single.current == Period(utc(2026, 11, 1, 23), utc(2026, 11, 2, 23))


def test_kpi_with_no_period_is_the_last_7_days_and_filters_are_read():
    request = parse('kpi source:google lang:sv location:"Oslo sentrum"')
    assert isinstance(request, KpiRequest)
    assert request.period.label == "last 7 days"
    assert request.filters == KpiFilter(source="google", language="sv", location="Oslo sentrum")


def test_filters_may_come_before_the_period_and_slack_quotes_and_entities_are_undone():
    request = parse("kpi loc:“H&amp;M Kista” 90d")
    assert isinstance(request, KpiRequest)
    assert request.period.label == "last 90 days"
    assert request.filters == KpiFilter(location="H&M Kista")


def test_the_other_subcommands():
    assert parse("pending") == PendingRequest(KpiFilter())
    assert parse("PENDING source:trustpilot") == PendingRequest(KpiFilter(source="trustpilot"))
    assert parse("digest") == DigestRequest()
    assert parse("help") == HelpRequest()
    assert parse("   ") == HelpRequest()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("stats", 'I don\'t know "stats".'),
        ("kpi yesterday", 'I don\'t know the period "yesterday".'),
        ("kpi 7d 30d", 'I can show one period at a time, not "7d 30d".'),
        ("kpi 0d", "A period of days is 1d to 366d, not 0d."),
        ("kpi 2026-11-15..2026-11-01", "2026-11-15..2026-11-01 ends before it starts."),
        ("kpi 2026-02-30", "2026-02-30 is not a date (YYYY-MM-DD)."),
        ("kpi 2024-01-01..2026-01-01", "2024-01-01..2026-01-01 is longer than 366 days."),
        ("kpi author:kari", 'I can filter by source:, lang: and location:, not "author:".'),
        ('kpi source:""', '"source:" needs a value.'),
        ("pending 7d", 'I don\'t understand "7d" here.'),
        ("digest now", '"digest" takes nothing after it.'),
        ("<!channel>", 'I don\'t know "<!channel>".'),
    ],
)
def test_what_is_not_understood_becomes_help_naming_the_problem(text, problem):
    request = parse(text)
    assert isinstance(request, HelpRequest)
    assert request.problem is not None and request.problem.startswith(problem)
