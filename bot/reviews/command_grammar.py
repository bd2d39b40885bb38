"""The grammar of `/reviews …`: the subcommand, the period in the team's time zone, filters.

Calendar periods (week, month, dates) start at local midnight in the team's time zone and
are turned into UTC instants here, so storage only ever sees UTC. A period that is still
running ("week", "month") is compared with the same stretch of the period before, so a
Wednesday's "this week" is set against last Monday-to-Wednesday, not a whole week.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from storage.figures import KpiFilter, Period

DEFAULT_PERIOD = "7d"
MAX_DAYS = 366
_FILTER = re.compile(r'(?P<key>[a-z]+):(?:"(?P<quoted>[^"]*)"|(?P<bare>\S+))', re.IGNORECASE)
_TOKEN = re.compile(r'[a-z]+:"[^"]*"|\S+', re.IGNORECASE)
_FILTER_KEYS = {"source": "source", "lang": "language", "language": "language"}
_FILTER_KEYS |= {"location": "location", "loc": "location"}
_BRAND_KEY = "brand"  # known only in a deployment with ROUTES_FILE brands
_DAYS = re.compile(r"(\d{1,3})d")
_DATE_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\.\.(\d{4}-\d{2}-\d{2}))?")
# Slack may turn typed quotes into typographic ones.
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})


class CommandError(ValueError):
    """The command could not be understood; the message says what, for the help answer."""


class UnknownBrand(CommandError):
    """A `brand:` the routes file does not have: said in one line, without the whole help."""


@dataclass(frozen=True)
class ReportPeriod:
    """A period to report on, the one to compare it with, and how to name them."""

    label: str  # "last 7 days", "this week", "2026-11-01 – 2026-11-15"
    current: Period
    previous: Period


@dataclass(frozen=True)
class KpiRequest:
    period: ReportPeriod
    filters: KpiFilter


@dataclass(frozen=True)
class PendingRequest:
    filters: KpiFilter


@dataclass(frozen=True)
class DigestRequest:
    pass


@dataclass(frozen=True)
class HelpRequest:
    problem: str | None = None
    with_help: bool = True  # False: the problem alone says what to type instead


ReviewsCommand = KpiRequest | PendingRequest | DigestRequest | HelpRequest


def parse_command(
    text: str, *, now: datetime, tz: tzinfo, brands: Collection[str] = ()
) -> ReviewsCommand:
    """The request in a /reviews text; anything not understood is help naming the problem.
    `brands`: the brand ids `brand:` takes (none: the deployment has no brands)."""
    # Slack sends &, < and > in a command's text as HTML entities.
    words = _TOKEN.findall(html.unescape(text).translate(_QUOTES).strip())
    if not words:
        return HelpRequest()
    verb, args = words[0].lower(), words[1:]
    try:
        if verb == "help" and not args:
            return HelpRequest()
        if verb == "kpi":
            periods = [w for w in args if not _FILTER.fullmatch(w)]
            if len(periods) > 1:
                raise CommandError(f'I can show one period at a time, not "{" ".join(periods)}".')
            spec = periods[0] if periods else DEFAULT_PERIOD
            filters = _filters([w for w in args if _FILTER.fullmatch(w)], brands)
            return KpiRequest(resolve_period(spec, now=now, tz=tz), filters)
        if verb == "pending":
            return PendingRequest(_filters(args, brands))
        if verb == "digest" and not args:
            return DigestRequest()
        if verb in ("help", "digest"):
            raise CommandError(f'"{verb}" takes nothing after it.')
    except UnknownBrand as exc:
        return HelpRequest(str(exc), with_help=False)
    except CommandError as exc:
        return HelpRequest(str(exc))
    return HelpRequest(f'I don\'t know "{words[0]}".')


def _filters(words: list[str], brands: Collection[str]) -> KpiFilter:
    keys = _FILTER_KEYS | ({_BRAND_KEY: _BRAND_KEY} if brands else {})
    values: dict[str, str] = {}
    for word in words:
        match = _FILTER.fullmatch(word)
        if match is None:
            raise CommandError(f'I don\'t understand "{word}" here.')
        name = keys.get(match["key"].lower())
        if name is None:
            known = (
                "brand:, source:, lang: and location:"
                if brands
                else ("source:, lang: and location:")
            )
            raise CommandError(f'I can filter by {known}, not "{match["key"]}:".')
        value = (match["quoted"] if match["quoted"] is not None else match["bare"]).strip()
        if not value:
            raise CommandError(f'"{match["key"]}:" needs a value.')
        values[name] = _brand(value, brands) if name == _BRAND_KEY else value
    return KpiFilter(**values)


def _brand(value: str, brands: Collection[str]) -> str:
    if value.lower() in brands:
        return value.lower()
    raise UnknownBrand(f'There is no brand "{value}": the brands are {", ".join(brands)}.')


def resolve_period(spec: str, *, now: datetime, tz: tzinfo) -> ReportPeriod:
    """The period a word names, as of `now` (aware), in the time zone `tz`."""
    spec = spec.lower()
    local_now = now.astimezone(tz)
    today = local_now.date()
    if match := _DAYS.fullmatch(spec):
        days = int(match[1])
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"A period of days is 1d to {MAX_DAYS}d, not {spec}.")
        current = Period(now - timedelta(days=days), now)
        return ReportPeriod(f"last {days} days", current, current.previous())
    if spec == "week":
        return _running("this week", _monday(today), now, tz, lambda d: d - timedelta(days=7))
    if spec == "month":
        return _running("this month", today.replace(day=1), now, tz, _month_before)
    if spec == "last-week":
        start = _monday(today) - timedelta(days=7)
        return _whole("last week", start, start + timedelta(days=7), tz, timedelta(days=7))
    if spec == "last-month":
        end = today.replace(day=1)
        start = _month_before(end)
        current = Period(midnight(start, tz), midnight(end, tz))
        return ReportPeriod(
            "last month", current, Period(midnight(_month_before(start), tz), current.start)
        )
    if match := _DATE_RANGE.fullmatch(spec):
        first = _date(match[1])
        last = _date(match[2]) if match[2] else first
        if last < first:
            raise CommandError(f"{spec} ends before it starts.")
        days = (last - first).days + 1
        if days > MAX_DAYS:
            raise CommandError(f"{spec} is longer than {MAX_DAYS} days.")
        label = first.isoformat() if days == 1 else f"{first.isoformat()} – {last.isoformat()}"
        return _whole(label, first, last + timedelta(days=1), tz, timedelta(days=days))
    raise CommandError(
        f'I don\'t know the period "{spec}". Try 7d, 30d, 90d, week, last-week, month '
        "or YYYY-MM-DD..YYYY-MM-DD."
    )


def midnight(day: date, tz: tzinfo) -> datetime:
    """The UTC instant at which `day` starts in `tz`."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text} is not a date (YYYY-MM-DD).") from None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month_before(first_of_month: date) -> date:
    return (first_of_month - timedelta(days=1)).replace(day=1)


def _whole(label: str, start: date, end: date, tz: tzinfo, step: timedelta) -> ReportPeriod:
    """Whole local days [start, end), against as many days just before (by the calendar,
    so a change to or from summer time does not shift the comparison by an hour)."""
    current = Period(midnight(start, tz), midnight(end, tz))
    return ReportPeriod(label, current, Period(midnight(start - step, tz), current.start))


def _running(
    label: str, start: date, now: datetime, tz: tzinfo, back: Callable[[date], date]
) -> ReportPeriod:
    """From local midnight on `start` to `now`, against the same stretch (by the wall clock)
    from `back(start)`, cut at `start` when the earlier period is shorter (months are)."""
    current = Period(midnight(start, tz), now)
    elapsed = now.astimezone(tz).replace(tzinfo=None) - datetime.combine(start, time(0))
    earlier = back(start)
    local_end = datetime.combine(earlier, time(0)) + elapsed
    previous_end = min(local_end.replace(tzinfo=tz).astimezone(UTC), current.start)
    return ReportPeriod(label, current, Period(midnight(earlier, tz), previous_end))
