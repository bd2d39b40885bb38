"""Working hours and days, durations, and the scheduler settings that use them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, load_settings
from bot.reviews.digest_data import digest_week
from bot.timewords import WorkingTime, parse_days, parse_duration

TZ = ZoneInfo("Europe/Stockholm")
WEEKDAYS = WorkingTime.parse("08:00-17:00", "mon-fri", TZ)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in Stockholm in November 2026 (Monday the 23rd), as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ).astimezone(UTC)


@pytest.mark.parametrize(
    ("when", "opens"),
    [
        (at(24, 3), at(24, 8)),  # night: the same morning
        (at(24, 12), at(24, 12)),  # open: at once
        (at(24, 17), at(25, 8)),  # closing time: the next morning
        (at(27, 18), at(30, 8)),  # Friday evening: Monday
        (at(28, 12), at(30, 8)),  # Saturday
    ],
)
def test_next_open(when, opens):
    assert WEEKDAYS.next_open(when) == opens


def test_daylight_saving_keeps_the_wall_clock():
    # Sunday 29 March 2026 the clocks go forward; Monday still opens at 08:00 local.
    monday = WEEKDAYS.next_open(datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    assert monday.astimezone(TZ).hour == 8 and monday.astimezone(TZ).day == 30


def test_days_and_durations():
    assert parse_days("sun-thu") == {6, 0, 1, 2, 3}
    assert parse_days("mon,wed,fri") == {0, 2, 4}
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("7d") == timedelta(days=7)
    with pytest.raises(ValueError):
        parse_duration("soon")


def test_scheduler_settings_are_checked_when_read():
    settings = load_settings(
        nudge_after="2h", working_days="sun-thu", escalation_contacts="U1A,S2B"
    )
    assert settings.nudge_after == timedelta(hours=2)
    assert settings.escalation_contacts == ("U1A", "S2B")
    for bad, name in [
        ({"digest_cron": "0 8 * * 1"}, "DIGEST_CRON"),
        ({"digest_cron": "every monday"}, "DIGEST_CRON"),
        ({"working_hours": "17:00-08:00"}, "WORKING_HOURS"),
        ({"working_days": "weekdays"}, "WORKING_DAYS"),
        ({"sla": "0h"}, "SLA"),
        ({"escalation_contacts": "boss@example.com"}, "ESCALATION_CONTACTS"),
    ]:
        with pytest.raises(ConfigError, match=name):
            load_settings(**bad)


def test_a_late_digest_reports_the_week_that_was_due():
    on_time = digest_week(at(30, 8), TZ, "0 8 * * mon")
    late = digest_week(at(30, 8) + timedelta(hours=20), TZ, "0 8 * * mon")
    assert on_time == late
    assert (on_time.first_day.isoformat(), on_time.last_day.isoformat()) == (
        "2026-11-23",
        "2026-11-29",
    )
    assert on_time.period.start == at(23, 0)
