"""The `reviewbot` command: the database and the demo; the other commands (serving among
them) live in bot/commands/ and are registered here."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.commands.common import console, err, settings_or_exit
from bot.commands.reviews import digest, erase, import_, triage
from bot.commands.routes import routes_cli
from bot.commands.serving import run, web, worker
from bot.commands.setup import doctor, init
from bot.config import EXAMPLE_PROFILE
from bot.manifest import manifest_command

cli = typer.Typer(
    help="reviewbot: answer negative customer reviews from Slack.", no_args_is_help=True
)
log = logging.getLogger("reviewbot")


def _print_version(wanted: bool) -> None:
    if not wanted:
        return
    from importlib.metadata import version

    from storage.db import head_revision

    console.print(
        f"reviewbot {version('reviewbot')} (schema {head_revision()})",
        markup=False,
        highlight=False,
    )
    raise typer.Exit()


@cli.callback()
def _options(
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and the database schema (migration) it runs on.",
        ),
    ] = False,
) -> None:
    # Options of reviewbot itself, before any command; --version acts in its callback.
    return


@cli.command()
def migrate(
    revision: Annotated[
        str, typer.Argument(help="the revision to go to, forward or back")
    ] = "head",
) -> None:
    """Apply database migrations (they also run on every start), or roll back to REVISION."""
    from storage.db import current_revision, make_engine
    from storage.db import migrate as apply

    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    apply(engine, revision)
    console.print(f"database at revision {current_revision(engine)}")


@cli.command()
def backup(
    path: Annotated[
        Path, typer.Argument(help="the new file to write, e.g. reviewbot-2026-12-01.db")
    ],
) -> None:
    """Write a consistent copy of the SQLite database while the app runs (PostgreSQL: pg_dump)."""
    from storage.backup import BackupError, backup_sqlite

    try:
        made = backup_sqlite(settings_or_exit().database_url, path)
    except BackupError as exc:
        err.print(f"reviewbot: {exc}", markup=False)
        raise typer.Exit(2) from None
    console.print(
        f"backup written to {made.path} (schema {made.revision}, {made.reviews} reviews)",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@cli.command("sources")
def sources_(
    check: Annotated[
        bool, typer.Option("--check/--no-check", help="sign in to each platform")
    ] = True,
) -> None:
    """List the review sources of SOURCES_FILE and check each one's credentials."""
    from bot.sources.config import Credentials, SourcesFileError, load_sources
    from bot.sources.connectors import build_connector
    from bot.sources.connectors.status import source_statuses

    settings = settings_or_exit()
    if settings.sources_file is None:
        err.print("reviewbot: SOURCES_FILE is not set; no review platforms are configured")
        raise typer.Exit(2)
    try:
        sources = load_sources(settings.sources_file)
        credentials = Credentials.load(os.environ, settings.sources_secrets_file)
    except SourcesFileError as exc:
        err.print(f"reviewbot: {exc}")
        raise typer.Exit(2) from None
    statuses = source_statuses(sources, credentials, build_connector, call_platforms=check)
    for status in statuses:
        mark = {True: "ok", False: "FAILED", None: "-"}[status.ok]
        console.print(
            f"{status.name}  {status.platform}  every {status.poll_minutes} min  "
            f"{', '.join(status.scopes)}  [{mark}] {status.detail}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if any(status.ok is False for status in statuses):
        raise typer.Exit(1)


@cli.command()
def demo(
    database: Annotated[
        str, typer.Option(help="database for the walk-through")
    ] = "sqlite:///reviewbot-demo.db",
    out: Annotated[Path, typer.Option(help="where files the demo writes go")] = Path("demo-out"),
) -> None:
    """Offline walk-through on bundled sample reviews: no Slack, no LLM account needed."""
    from bot.demo import DEMO_REVIEWS_CHANNEL, ROUTES, run_demo

    # The demo drafts as the example café (and a second brand), on purpose.
    settings = settings_or_exit(
        database_url=database,
        business_profile=EXAMPLE_PROFILE,
        reviewbot_demo=True,
        routes_file=ROUTES,
        reviews_channel=DEMO_REVIEWS_CHANNEL,
    )
    run_demo(settings, out=out, console=console)


cli.command()(run)
cli.command()(web)
cli.command()(worker)
cli.command("import")(import_)
cli.command()(triage)
cli.command()(digest)
cli.command()(erase)
cli.command()(init)
cli.command()(doctor)
cli.command("manifest")(manifest_command)
cli.add_typer(routes_cli, name="routes")


def main() -> None:
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
