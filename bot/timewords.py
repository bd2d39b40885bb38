"""Working hours and days in the team's time zone, and durations as operators write them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def parse_duration(text: str) -> timedelta:
    """ "4h", "30m", "7d", "1h30m" → timedelta; ValueError on anything else."""
    compact = text.strip().lower().replace(" ", "")
    match = _DURATION.fullmatch(compact)
    if not compact or match is None:
        raise ValueError(f"not a duration like 4h, 30m or 7d: {text!r}")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def parse_hours(text: str) -> tuple[time, time]:
    """ "08:00-17:00" → (08:00, 17:00); "24:00" may end the day."""
    match = _HOURS.fullmatch(text)
    if match is None:
        raise ValueError(f"not hours like 08:00-17:00: {text!r}")
    sh, sm, eh, em = (int(g) for g in match.groups())
    if eh == 24 and em == 0:
        end = time.max
    elif eh < 24 and em < 60:
        end = time(eh, em)
    else:
        raise ValueError(f"not a time of day: {eh:02d}:{em:02d}")
    if sh >= 24 or sm >= 60:
        raise ValueError(f"not a time of day: {sh:02d}:{sm:02d}")
    start = time(sh, sm)
    if start >= end:
        raise ValueError(f"working hours must end after they start: {text!r}")
    return start, end


def parse_days(text: str) -> frozenset[int]:
    """ "mon-fri", "mon,wed,fri" or "sun-thu" → weekday numbers (Monday is 0)."""
    days: set[int] = set()
    for part in (p.strip().lower() for p in text.split(",")):
        first, _, last = part.partition("-")
        try:
            start = DAY_NAMES.index(first[:3])
            end = DAY_NAMES.index(last[:3]) if last else start
        except ValueError:
            raise ValueError(f"not days like mon-fri or mon,wed,fri: {text!r}") from None
        # A range may wrap round the week, as "sun-thu" does.
        days.update((start + i) % 7 for i in range((end - start) % 7 + 1))
    return frozenset(days)


@dataclass(frozen=True)
class WorkingTime:
    start: time
    end: time
    days: frozenset[int]
    tz: tzinfo

    @classmethod
    def parse(cls, hours: str, days: str, tz: tzinfo) -> WorkingTime:
        start, end = parse_hours(hours)
        parsed_days = parse_days(days)
        if not parsed_days:
            raise ValueError("no working days")
        return cls(start, end, parsed_days, tz)

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.tz)
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def next_open(self, at: datetime) -> datetime:
        """`at` itself when it falls in working hours, else the start of the next working
        period, in UTC. A nudge due at 03:00 goes out when the team starts work."""
        if self.is_open(at):
            return at.astimezone(UTC)
        local = at.astimezone(self.tz)
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            # Built from the wall clock, so a start on a daylight-saving day is still 08:00.
            opening = datetime.combine(day, self.start, tzinfo=self.tz)
            if opening >= local:
                return opening.astimezone(UTC)
        raise AssertionError("a non-empty set of working days opens within a week")
