"""The operator's start: a business profile of their own, and a live check of the
installation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from bot.commands.common import console, refuse


def _ask(text: str, **kwargs: Any) -> Any:
    return typer.Option(prompt=text, **kwargs)


def init(
    brand: Annotated[str, _ask("Brand (as customers know it)")],
    signoff: Annotated[str, _ask("Sign-off when no responder is named (e.g. Team Lumi)")],
    contact: Annotated[str, _ask("Contact customers may use (e-mail, https://… or +46…)")],
    compensation: Annotated[
        str, _ask("Compensation policy, in plain words (empty: none in public replies)")
    ] = "",
    compensation_kinds: Annotated[
        str, _ask("Remedies a draft may name: refund, voucher, discount, free_item, replacement")
    ] = "",
    languages: Annotated[
        str, _ask("Languages customers write in, the usual one first (e.g. sv,en)")
    ] = "en",
    markets: Annotated[str, _ask("Countries served (e.g. SE,NO)")] = "",
    locations: Annotated[
        str, _ask("Locations, ';'-separated, each NAME or NAME=language,contact")
    ] = "",
    lead_contacts: Annotated[
        str, _ask("Slack ids mentioned on urgent cards (e.g. U0123ABCD)")
    ] = "",
    voice: Annotated[str, typer.Option(help="how the brand sounds, in a sentence")] = "",
    max_compensation: Annotated[
        float | None, typer.Option(help="the most a reply may offer, in --currency")
    ] = None,
    currency: Annotated[str, typer.Option(help="e.g. SEK")] = "",
    profile: Annotated[Path, typer.Option(help="where to write it")] = Path(
        "reviewbot/business.yml"
    ),
    env_file: Annotated[Path, typer.Option(help="the .env to name it in")] = Path(".env"),
    force: Annotated[bool, typer.Option("--force", help="replace an existing profile")] = False,
) -> None:
    """Write your business profile and name it in .env as BUSINESS_PROFILE (and LANGUAGES)."""
    from bot.startup.profile_init import (
        InitError,
        ProfileAnswers,
        build_profile,
        name_in_env,
        write_profile,
    )

    answers = ProfileAnswers(
        brand=brand,
        signoff=signoff,
        contact=contact,
        voice=voice,
        compensation=compensation,
        compensation_kinds=compensation_kinds,
        max_compensation=max_compensation,
        currency=currency,
        languages=languages,
        markets=markets,
        locations=locations,
        lead_contacts=lead_contacts,
    )
    try:
        write_profile(build_profile(answers), profile, force=force)
    except InitError as exc:
        raise refuse(exc.problems, code=1) from None
    values = {"BUSINESS_PROFILE": str(profile)}
    if languages.strip():
        values["LANGUAGES"] = ",".join(p.strip() for p in languages.split(",") if p.strip())
    name_in_env(env_file, values)
    console.print(f"wrote {profile}; {env_file} now names it: BUSINESS_PROFILE={profile}")
    console.print("next: reviewbot doctor")


def doctor(
    url: Annotated[
        str | None,
        typer.Option(help="public base URL in HTTP mode: checks the slash command answers"),
    ] = None,
) -> None:
    """Check Slack, the database, the model, the sources and the profile live; 0 if all pass."""
    from bot.startup.doctor import diagnose, show
    from storage.models import utcnow

    rows = diagnose(clock=utcnow, url=url)
    show(rows, console)
    if any(row.failed for row in rows):
        raise typer.Exit(1)
