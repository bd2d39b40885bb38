"""`reviewbot routes`: the brands and routes of ROUTES_FILE as the app understands them, each
channel checked in Slack; `reviewbot routes test FILE`: where each review of a file would go.
Both store nothing and post nothing."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bot.commands.common import console, refuse, settings_or_exit
from bot.commands.review_files import FileFormat, ReviewsFile
from bot.config import Settings
from bot.routing import Brand, Destination, ReviewFacts, RoutesFileError, Routing
from bot.startup.doctor_row import Row

routes_cli = typer.Typer(
    help="The brands and routing rules of ROUTES_FILE: show them, check their channels, "
    "or try them on a file of reviews.",
)

_NONE = "–"


def _routing(settings: Settings) -> Routing:
    from bot.drafting import BusinessProfile
    from bot.wiring import build_routing

    try:
        return build_routing(settings, BusinessProfile.from_file(settings.business_profile))
    except RoutesFileError as exc:
        raise refuse([f"ROUTES_FILE: {exc}"]) from None


def _listed(values: tuple[str, ...], empty: str = _NONE) -> str:
    return ", ".join(values) if values else empty


def brands_table(routing: Routing) -> Table:
    """One row per brand, and first the settings' own, for reviews of no brand."""
    from bot.blocks.format import duration_words

    table = Table(title="brands", title_justify="left")
    columns = ("brand", "name", "channel", "digest", "approvers", "escalation", "SLA", "locations")
    for column in columns:
        table.add_column(column, overflow="fold")

    def row(brand: Brand, label: str) -> None:
        table.add_row(
            label,
            brand.name,
            brand.channel or f"{routing.default_channel or _NONE} (REVIEWS_CHANNEL)",
            # A brand without a channel of its own is only in the deployment's digest.
            brand.digest_channel or "only the deployment's",
            _listed(brand.approvers, "everyone"),
            _listed(brand.escalation_contacts),
            duration_words(brand.sla),
            _listed(brand.locations),
        )

    row(routing.base, "(no brand)")
    for brand in routing.brands.values():
        row(brand, brand.id)
    return table


def routes_table(routing: Routing) -> Table:
    table = Table(title="routes, in order: the first match wins", title_justify="left")
    for column in ("rule", "match", "channel", "assign"):
        table.add_column(column, overflow="fold")
    for route in routing.routes:
        table.add_row(
            str(route.number),
            route.match.describe(),
            route.channel or "the brand's channel",
            route.assign or _NONE,
        )
    table.add_row(
        "—", "no route matched", "the brand's channel, else REVIEWS_CHANNEL", _NONE, style="dim"
    )
    return table


def channel_uses(routing: Routing) -> dict[str, list[str]]:
    """Each channel of `routing.channels()` and what sends cards or digests there."""
    uses: dict[str, list[str]] = {channel: [] for channel in routing.channels()}
    if routing.default_channel:
        uses[routing.default_channel].append("REVIEWS_CHANNEL")
    if routing.base.digest_channel:
        uses[routing.base.digest_channel].append("the deployment's digest")
    for brand in routing.brands.values():
        if brand.channel:
            uses[brand.channel].append(f"{brand.id} cards")
        if brand.digest_channel and brand.digest_channel != brand.channel:
            uses[brand.digest_channel].append(f"{brand.id} digest")
    for route in routing.routes:
        if route.channel:
            uses[route.channel].append(f"rule {route.number}")
    return uses


def channels_table(checked: list[Row], uses: dict[str, list[str]]) -> Table:
    """The doctor's rows for each channel (or for the token), with what uses the channel."""
    table = Table(title="channels", title_justify="left")
    for column in ("channel", "used by", "status", "detail / fix"):
        table.add_column(column, overflow="fold")
    for row in checked:
        table.add_row(
            row.check, ", ".join(uses.get(row.check, [])), row.status_text, Text(row.detail)
        )
    return table


@routes_cli.callback(invoke_without_command=True)
def routes(
    context: typer.Context,
    check: Annotated[
        bool, typer.Option("--check/--no-check", help="ask Slack about each channel")
    ] = True,
) -> None:
    """Print the brands and routes as understood and check that the bot is in each channel."""
    if context.invoked_subcommand is not None:
        return
    from bot.startup.doctor_slack import channel_rows

    settings = settings_or_exit(with_profile=True)
    routing = _routing(settings)
    if settings.routes_file is None:
        console.print("ROUTES_FILE is not set: one brand, every card to REVIEWS_CHANNEL")
    else:
        console.print(f"ROUTES_FILE {settings.routes_file}", markup=False, highlight=False)
    console.print(brands_table(routing))
    if routing.routes:
        console.print(routes_table(routing))
    uses = channel_uses(routing)
    if not check or not uses:
        return
    checked = list(channel_rows(settings, [(channel, channel) for channel in uses]))
    console.print(channels_table(checked, uses))
    if any(row.failed for row in checked):
        raise typer.Exit(1)


def _where_to(destination: Destination, routing: Routing) -> tuple[str, str]:
    """The channel and why, as the operator reads it."""
    channel = destination.channel or _NONE
    if destination.channel and destination.channel == routing.default_channel:
        channel += " (REVIEWS_CHANNEL)"
    if destination.rule is not None:
        return channel, destination.reason
    why = "no route matched"
    if destination.reason and destination.reason != why:
        why += f"; {destination.reason}"
    return channel, why


@routes_cli.command("test")
def test_file(file: ReviewsFile, file_format: FileFormat = None) -> None:
    """For each review in a CSV or JSON-lines file: its brand, the channel its card would go
    to and the rule that sends it there. Stores nothing."""
    from bot.commands.review_files import ReviewsOfFile, assess
    from bot.drafting import BusinessProfile
    from bot.wiring import build_triage

    settings = settings_or_exit(with_profile=True)
    routing = _routing(settings)
    triage = build_triage(settings, BusinessProfile.from_file(settings.business_profile))
    table = Table(title=f"{file.name}: where each review would go", title_justify="left")
    for column in ("line", "review", "language", "brand", "channel", "why", "assign"):
        table.add_column(column, overflow="fold")
    reviews = ReviewsOfFile(file, file_format, brands=routing.brands)
    try:
        for line, review in reviews:
            language = assess(triage, review).language
            brand_id = routing.brand_of(
                given=review.brand, source_brand=None, location=review.location
            )
            destination = routing.destination(
                ReviewFacts(
                    brand=brand_id,
                    source=review.source,
                    location=review.location,
                    language=language,
                    rating=review.rating,
                )
            )
            channel, why = _where_to(destination, routing)
            brand = destination.brand
            table.add_row(
                str(line),
                f"{review.source}:{review.external_id}",
                language,
                f"{brand.id} ({brand.name})" if brand else "(no brand)",
                channel,
                why,
                destination.assign or _NONE,
            )
    except ValueError as exc:
        raise refuse([str(exc)]) from None
    console.print(table)
    if reviews.bad:
        raise typer.Exit(1)
