"""Where a review goes: its brand, then the first route whose every `match` key holds.

A deployment without ROUTES_FILE has no brands and no routes: every review goes to
REVIEWS_CHANNEL with the base profile, as a one-brand deployment always has. The file's format
and how it is read are in routes_file.py; docs/routing.md is the operator's page.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from bot.drafting.profile import BusinessProfile

# `match: {language: no}` takes both written standards of Norwegian.
_LANGUAGE_GROUPS = {"no": ("nb", "nn", "no")}


@dataclass(frozen=True)
class Brand:
    id: str
    profile: BusinessProfile
    channel: str | None  # its cards; None: REVIEWS_CHANNEL
    digest_channel: str | None  # its weekly digest; None: its channel
    approvers: tuple[str, ...]
    escalation_contacts: tuple[str, ...]
    sla: timedelta
    locations: tuple[str, ...] = ()  # globs: a review from one of these belongs to the brand

    @property
    def name(self) -> str:
        return self.profile.brand

    def owns_location(self, location: str | None) -> bool:
        if not location:
            return False
        return any(glob_matches(glob, location) for glob in self.locations)


@dataclass(frozen=True)
class ReviewFacts:
    """What a route may look at, read off the stored review."""

    brand: str | None
    source: str
    location: str | None
    language: str | None
    rating: int | None


@dataclass(frozen=True)
class Match:
    brand: str | None = None
    source: str | None = None
    location: str | None = None  # a glob, compared case-insensitively
    language: str | None = None
    ratings: tuple[int, int] | None = None  # inclusive

    def holds(self, facts: ReviewFacts) -> bool:
        return (
            (self.brand is None or facts.brand == self.brand)
            and (self.source is None or facts.source == self.source)
            and (
                self.location is None
                or (facts.location is not None and glob_matches(self.location, facts.location))
            )
            and (self.language is None or language_matches(self.language, facts.language))
            and (
                self.ratings is None
                or (facts.rating is not None and self.ratings[0] <= facts.rating <= self.ratings[1])
            )
        )

    def describe(self) -> str:
        """The rule as the card says it: "brand lumi, location Oslo *"."""
        parts = []
        for key in ("brand", "source", "location", "language"):
            value = getattr(self, key)
            if value is not None:
                parts.append(f"{key} {value}")
        if self.ratings is not None:
            low, high = self.ratings
            parts.append(f"rating {low}" if low == high else f"rating {low}-{high}")
        return ", ".join(parts) or "every review"


@dataclass(frozen=True)
class Route:
    number: int  # 1-based, as the operator counts the file's rules
    match: Match
    channel: str | None  # None: the brand's channel
    assign: str | None = None  # a user (U…) or user group (S…): the card's owner


@dataclass(frozen=True)
class Destination:
    """Where one review's card goes, and the line on the card that says why."""

    brand: Brand | None
    channel: str | None
    assign: str | None
    rule: int | None
    reason: str


@dataclass(frozen=True)
class Routing:
    # The settings as a brand of their own: BUSINESS_PROFILE, REVIEWS_CHANNEL, APPROVERS,
    # ESCALATION_CONTACTS and SLA, for reviews of no brand and for what a brand leaves out.
    base: Brand
    brands: Mapping[str, Brand] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()

    @property
    def default_channel(self) -> str | None:
        return self.base.channel

    @property
    def branded(self) -> bool:
        return bool(self.brands)

    def brand(self, brand_id: str | None) -> Brand | None:
        return self.brands.get(brand_id) if brand_id else None

    def team(self, brand_id: str | None) -> Brand:
        """Who answers for a review of this brand: its approvers, contacts, SLA and profile."""
        return self.brand(brand_id) or self.base

    def brand_of(
        self, *, given: str | None, source_brand: str | None, location: str | None
    ) -> str | None:
        """The review's brand: its own field, then its source's, then the first brand whose
        locations take the review's location. An unknown `given` id is the caller's to refuse
        (intake answers 422 before it gets here)."""
        for brand_id in (given, source_brand):
            if brand_id:
                return brand_id
        for brand in self.brands.values():
            if brand.owns_location(location):
                return brand.id
        return None

    def destination(self, facts: ReviewFacts) -> Destination:
        brand = self.brand(facts.brand)
        brand_channel = brand.channel if brand and brand.channel else self.default_channel
        for route in self.routes:
            if route.match.holds(facts):
                return Destination(
                    brand=brand,
                    channel=route.channel or brand_channel,
                    assign=route.assign,
                    rule=route.number,
                    reason=f"routed by rule {route.number}: {route.match.describe()}",
                )
        if brand is not None:
            reason = f"brand {brand.id}'s channel" if brand.channel else "no route matched"
        else:
            reason = "no route matched" if self.routes else ""
        return Destination(
            brand=brand, channel=brand_channel, assign=None, rule=None, reason=reason
        )

    def channels(self) -> list[str]:
        """Every channel a card or digest of this deployment may go to, each once."""
        found = [c for c in (self.base.channel, self.base.digest_channel) if c]
        for brand in self.brands.values():
            found += [c for c in (brand.channel, brand.digest_channel) if c]
        found += [route.channel for route in self.routes if route.channel]
        return list(dict.fromkeys(found))


def glob_matches(glob: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value.casefold(), glob.casefold())


def language_matches(wanted: str, language: str | None) -> bool:
    """`zh` takes zh-Hans and zh-Hant; `no` takes nb and nn; `nb` only nb."""
    if not language:
        return False
    wanted_folded, language_folded = wanted.casefold(), language.casefold()
    if wanted_folded in _LANGUAGE_GROUPS:
        return language_folded in _LANGUAGE_GROUPS[wanted_folded]
    return language_folded == wanted_folded or language_folded.startswith(wanted_folded + "-")
