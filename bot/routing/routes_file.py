"""ROUTES_FILE: the brands of one deployment and the ordered rules that route their cards.

Read once when the process starts. Anything wrong in it is one line naming the file, the
place inside it and the problem ("routes.yml: rule 2: match.rating: …"), so `reviewbot run`
stops before it posts a card to the wrong channel.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from bot.config import SLACK_CHANNEL_ID, SLACK_PERSON_ID
from bot.drafting.profile import BusinessProfile, ProfileError
from bot.routing.rules import Brand, Match, Route, Routing
from bot.timewords import parse_duration
from bot.vocabulary import LANGUAGE_NAMES

BRAND_ID = re.compile(r"[a-z0-9_-]{1,32}")
_RATING_RANGE = re.compile(r"([1-5])(?:\s*-\s*([1-5]))?")
# Codes a route may name: ours, and the two that stand for a family (zh: both scripts, no: nb+nn).
MATCH_LANGUAGES = frozenset(LANGUAGE_NAMES) | {"zh", "no"}


class RoutesFileError(Exception):
    """One line: the file, where in it, and what is wrong."""


def _channel(value: str | None) -> str | None:
    if value is not None and not SLACK_CHANNEL_ID.fullmatch(value):
        raise ValueError(f"{value!r} is not a channel id (C… or G…, from the channel's Copy link)")
    return value


def _people(values: list[str]) -> list[str]:
    wrong = [v for v in values if not SLACK_PERSON_ID.fullmatch(v)]
    if wrong:
        raise ValueError(f"not Slack user (U…) or user group (S…) ids: {', '.join(wrong)}")
    return values


def _glob(value: str) -> str:
    if not value.strip():
        raise ValueError("an empty location pattern matches nothing")
    if value.count("[") != value.count("]"):
        raise ValueError(f"{value!r} is not a valid pattern: a [ without its ] (or the reverse)")
    return value


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BrandEntry(_Entry):
    profile: Path
    channel: str | None = None
    digest_channel: str | None = None
    approvers: list[str] | None = None
    escalation_contacts: list[str] | None = None
    sla: str | None = None
    locations: list[str] = []

    _channels = field_validator("channel", "digest_channel")(_channel)
    _ids = field_validator("approvers", "escalation_contacts")(
        lambda values: None if values is None else _people(values)
    )
    _globs = field_validator("locations")(lambda values: [_glob(v) for v in values])

    @field_validator("sla")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value


class MatchEntry(_Entry):
    brand: str | None = None
    source: str | None = None
    location: str | None = None
    language: str | None = None
    rating: str | int | None = None

    _location = field_validator("location")(lambda value: None if value is None else _glob(value))

    @field_validator("language", mode="before")
    @classmethod
    def _bare_no(cls, value: object) -> object:
        # YAML 1.1 reads an unquoted `language: no` as false; no other language is a boolean.
        return "no" if value is False else value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and value not in MATCH_LANGUAGES:
            raise ValueError(
                f"unknown language {value!r}; use one of {', '.join(sorted(MATCH_LANGUAGES))}"
            )
        return value

    @field_validator("rating")
    @classmethod
    def _rating(cls, value: str | int | None) -> str | int | None:
        if value is not None:
            rating_range(value)
        return value


class RouteEntry(_Entry):
    match: MatchEntry
    channel: str | None = None
    assign: str | None = None

    _channel = field_validator("channel")(_channel)

    @field_validator("assign")
    @classmethod
    def _assign(cls, value: str | None) -> str | None:
        return None if value is None else _people([value])[0]

    @model_validator(mode="after")
    def _does_something(self) -> RouteEntry:
        if self.channel is None and self.assign is None:
            raise ValueError("a route needs a channel, an assign, or both")
        return self


class RoutesFileEntries(_Entry):
    brands: dict[str, BrandEntry] = {}
    routes: list[RouteEntry] = []

    @field_validator("brands")
    @classmethod
    def _brand_ids(cls, brands: dict[str, BrandEntry]) -> dict[str, BrandEntry]:
        wrong = [key for key in brands if not BRAND_ID.fullmatch(str(key))]
        if wrong:
            raise ValueError(
                f"brand id {wrong[0]!r}: use lower-case letters, digits, - and _ (at most 32)"
            )
        return brands

    @model_validator(mode="after")
    def _known_brands(self) -> RoutesFileEntries:
        for number, route in enumerate(self.routes, start=1):
            if route.match.brand is not None and route.match.brand not in self.brands:
                raise ValueError(
                    f"rule {number}: match.brand: unknown brand {route.match.brand!r}; "
                    f"the file defines {', '.join(sorted(self.brands)) or 'no brands'}"
                )
        return self


def rating_range(value: str | int) -> tuple[int, int]:
    """ "1-2" → (1, 2); "3" or 3 → (3, 3)."""
    found = _RATING_RANGE.fullmatch(str(value).strip())
    if found is None:
        raise ValueError(f'{value!r} is not a rating or range of ratings 1-5, like "1-2" or "3"')
    low = int(found.group(1))
    high = int(found.group(2) or low)
    if low > high:
        raise ValueError(f'{value!r}: the range runs backwards; write "{high}-{low}"')
    return low, high


def _where(location: tuple[Any, ...]) -> str:
    """Pydantic's ('routes', 1, 'match', 'rating') as read: rule 2: match.rating."""
    parts = list(location)
    if len(parts) >= 2 and parts[0] == "routes" and isinstance(parts[1], int):
        rest = ".".join(str(part) for part in parts[2:])
        return f"rule {parts[1] + 1}" + (f": {rest}" if rest else "")
    return ".".join(str(part) for part in parts)


def read_entries(path: Path) -> RoutesFileEntries:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RoutesFileError(f"{path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise RoutesFileError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(raw, dict):
        raise RoutesFileError(f"{path}: must be a mapping with brands: and routes:")
    try:
        return RoutesFileEntries.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "unknown key"
        where = _where(tuple(first["loc"]))
        raise RoutesFileError(
            f"{path}: {where}: {message}" if where else f"{path}: {message}"
        ) from None


def load_routing(path: Path | None, *, base: Brand) -> Routing:
    """The deployment's routing; without a file, every review goes where `base` says."""
    if path is None:
        return Routing(base=base)
    entries = read_entries(path)
    brands: dict[str, Brand] = {}
    for brand_id, entry in entries.brands.items():
        profile_path = entry.profile if entry.profile.is_absolute() else path.parent / entry.profile
        try:
            profile = BusinessProfile.from_file(profile_path, defaults=base.profile)
        except ProfileError as exc:
            # One line: a YAML error in the profile spans several.
            problem = " ".join(str(exc).split())
            raise RoutesFileError(f"{path}: brands.{brand_id}.profile: {problem}") from None
        brands[brand_id] = Brand(
            id=brand_id,
            profile=profile,
            channel=entry.channel,
            digest_channel=entry.digest_channel or entry.channel,
            approvers=tuple(entry.approvers) if entry.approvers is not None else base.approvers,
            escalation_contacts=(
                tuple(entry.escalation_contacts)
                if entry.escalation_contacts is not None
                else base.escalation_contacts
            ),
            sla=parse_duration(entry.sla) if entry.sla else base.sla,
            locations=tuple(entry.locations),
        )
    routes = tuple(
        Route(
            number=number,
            match=Match(
                brand=route.match.brand,
                source=route.match.source,
                location=route.match.location,
                language=route.match.language,
                ratings=rating_range(route.match.rating)
                if route.match.rating is not None
                else None,
            ),
            channel=route.channel,
            assign=route.assign,
        )
        for number, route in enumerate(entries.routes, start=1)
    )
    return Routing(base=base, brands=brands, routes=routes)


def base_brand(
    profile: BusinessProfile,
    *,
    channel: str | None,
    digest_channel: str | None,
    approvers: tuple[str, ...],
    escalation_contacts: tuple[str, ...],
    sla: timedelta,
) -> Brand:
    """The settings as the brand of reviews that belong to none."""
    return Brand(
        id="",
        profile=profile,
        channel=channel,
        digest_channel=digest_channel,
        approvers=approvers,
        escalation_contacts=escalation_contacts,
        sla=sla,
    )
