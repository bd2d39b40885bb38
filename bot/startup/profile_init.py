"""`reviewbot init`: the team's business profile, written where the operator keeps their
files (not in the checkout), validated as the app will read it, and named in .env."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from dotenv import set_key
from pydantic import ValidationError

from bot.drafting.profile import BusinessProfile, LocationProfile, ProfileError
from bot.startup.contacts import contact_problem
from bot.triage.language_tags import normalize_language_tag

HEADER = """\
# The business profile reviewbot drafts as, written by `reviewbot init`.
# Edit it freely: `reviewbot doctor` checks it. The fields are explained in the checkout's
# prompts/business.example.yml. Prompt files placed in prompts/ next to this file (e.g.
# prompts/languages/sv.md) replace the checkout's file of the same name.

"""
_COUNTRY = re.compile(r"[A-Z]{2}")


class InitError(ValueError):
    """What the operator gave cannot make a profile; one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ProfileAnswers:
    """What `reviewbot init` asks, as the operator wrote it (lists comma-separated)."""

    brand: str
    signoff: str
    contact: str
    voice: str = ""
    compensation: str = ""
    compensation_kinds: str = ""
    max_compensation: float | None = None
    currency: str = ""
    languages: str = ""
    markets: str = ""
    locations: str = ""
    lead_contacts: str = ""


def _items(text: str, separator: str = ",") -> list[str]:
    return [item.strip() for item in text.split(separator) if item.strip()]


def _locations(text: str) -> dict[str, LocationProfile]:
    """`Name=language,contact; Other` → each location with its own language and contact."""
    locations = {}
    for entry in _items(text, ";"):
        name, _, rest = entry.partition("=")
        language, contact = None, None
        for part in _items(rest):
            if normalize_language_tag(part) is not None and "@" not in part:
                language = normalize_language_tag(part)
            else:
                contact = part
        locations[name.strip()] = LocationProfile(language=language, contact=contact)
    return locations


def build_profile(answers: ProfileAnswers) -> BusinessProfile:
    """The profile the answers describe, or InitError naming every answer that is wrong."""
    problems: list[str] = []
    languages = _items(answers.languages)
    unknown = [code for code in languages if normalize_language_tag(code) is None]
    if unknown:
        problems.append(f"--languages: unknown language code {', '.join(unknown)}")
    countries = [code.upper() for code in _items(answers.markets)]
    wrong = [code for code in countries if not _COUNTRY.fullmatch(code)]
    if wrong:
        problems.append(
            f"--markets: not two-letter country codes (SE, NO, FI…): {', '.join(wrong)}"
        )
    locations = _locations(answers.locations)
    for contact in [answers.contact, *(loc.contact for loc in locations.values() if loc.contact)]:
        problem = contact_problem(contact, countries)
        if problem:
            problems.append(f"contact: {problem}")
    data = {
        "brand": answers.brand,
        "voice": answers.voice,
        "signoff": answers.signoff,
        "contact": answers.contact,
        "compensation": answers.compensation,
        "compensation_kinds": _items(answers.compensation_kinds),
        "max_compensation_amount": answers.max_compensation,
        "currency": answers.currency,
        "lead_contacts": _items(answers.lead_contacts),
        "default_language": normalize_language_tag(languages[0]) if languages else "en",
        "countries": countries,
        "locations": locations,
    }
    try:
        profile = BusinessProfile.model_validate(data)
    except ValidationError as exc:
        problems += [
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        ]
    if problems:
        raise InitError(problems)
    return profile


def profile_yaml(profile: BusinessProfile) -> str:
    data = profile.model_dump(exclude_defaults=True, exclude_none=True)
    return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def write_profile(profile: BusinessProfile, path: Path, *, force: bool) -> None:
    """Write it, then read it back as the app will; an existing file stays unless `force`."""
    if path.exists() and not force:
        raise InitError([f"{path} exists; pass --force to replace it"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(profile_yaml(profile), encoding="utf-8")
    try:
        BusinessProfile.from_file(path)
    except ProfileError as exc:  # only a bug here could make the round trip fail
        raise InitError([str(exc)]) from None


def name_in_env(env_file: Path, values: dict[str, str]) -> None:
    """Set each KEY=value in the .env file (made if missing), keeping its other lines."""
    for key, value in values.items():
        set_key(env_file, key, value, quote_mode="auto")
