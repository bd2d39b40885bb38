"""Commands: build settings → services → app; nothing else lives here."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bot.config import EXAMPLE_PROFILE, ConfigError, Settings, load_settings
from bot.logging_setup import configure_logging
from bot.manifest import manifest_command
from bot.wiring import build_services

cli = typer.Typer(
    help="reviewbot: answer negative customer reviews from Slack.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True, soft_wrap=True)
log = logging.getLogger("reviewbot")


def _refuse(problems: list[str], code: int = 2) -> typer.Exit:
    for problem in problems:
        err.print(f"reviewbot: {problem}", markup=False, highlight=False)
    return typer.Exit(code)


def _settings(*, with_profile: bool = False, **overrides: object) -> Settings:
    """The settings; `with_profile`: the command drafts or triages, so the profile must load."""
    from bot.startup.preflight import unreadable_profile

    try:
        settings = load_settings(**overrides)
    except ConfigError as exc:
        raise _refuse(exc.problems) from None
    problems = unreadable_profile(settings) if with_profile else []
    if problems:
        raise _refuse(problems)
    return settings


def _secrets(settings: Settings) -> list[str]:
    values = (
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_app_token,
        settings.openai_api_key,
        settings.ingest_token,
        settings.metrics_token,
        settings.reply_webhook_secret,
    )
    return [v.get_secret_value() for v in values if v is not None]


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
def run() -> None:
    """Serve Slack (HTTP or Socket Mode), POST /reviews and GET /healthz."""
    from bot.app import create_app, create_bolt_app
    from bot.http.server import HttpServer
    from bot.startup.run_checks import checked_settings, debugging

    settings = checked_settings(_refuse)
    configure_logging(
        settings.log_level, secrets=_secrets(settings), log_format=settings.log_format
    )
    try:
        services = build_services(settings, environ=os.environ)
        services.start()
    except Exception as exc:
        if debugging(settings):
            raise
        raise _refuse([f"could not start: {exc}"]) from None
    bolt = create_bolt_app(services)
    socket_handler = None
    if settings.socket_mode:
        from bot.socket_mode import connect, socket_mode_handler

        socket_handler = socket_mode_handler(bolt, settings)
        connect(socket_handler)
        log.info("connected to Slack in Socket Mode")
    server = HttpServer(
        create_app(services, None if settings.socket_mode else bolt),
        host=settings.host,
        port=settings.port,
    )
    log.info("listening on %s:%s", settings.host, settings.port)
    try:
        server.run()
    finally:
        if socket_handler is not None:
            socket_handler.close()
        services.close()


@cli.command()
def migrate(
    revision: Annotated[
        str, typer.Argument(help="the revision to go to, forward or back")
    ] = "head",
) -> None:
    """Apply database migrations (they also run on every start), or roll back to REVISION."""
    from storage.db import current_revision, make_engine
    from storage.db import migrate as apply

    settings = _settings()
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
        made = backup_sqlite(_settings().database_url, path)
    except BackupError as exc:
        err.print(f"reviewbot: {exc}", markup=False)
        raise typer.Exit(2) from None
    console.print(
        f"backup written to {made.path} (schema {made.revision}, {made.reviews} reviews)",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@cli.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    file_format: Annotated[
        str | None, typer.Option("--format", help="csv or jsonl (default: from the file name)")
    ] = None,
) -> None:
    """Import reviews from a CSV or JSON-lines file with the POST /reviews columns."""
    from bot.reviews.importer import import_file
    from bot.sources.files import count_lines

    services = build_services(_settings(with_profile=True))
    total = count_lines(file)
    with Progress(
        TextColumn("importing {task.fields[name]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
    ) as progress:
        task = progress.add_task("import", total=total, name=file.name)
        try:
            report = import_file(
                file,
                services.intake,
                file_format=file_format,  # type: ignore[arg-type]
                on_progress=lambda line: progress.update(task, completed=line),
            )
        except ValueError as exc:
            err.print(f"reviewbot: {exc}")
            raise typer.Exit(2) from None
        progress.update(task, completed=total)
    for problem in report.problems:
        err.print(f"{file.name}:{problem.index}: {problem.field}: {problem.problem}")
    console.print(
        f"{report.accepted} accepted, {report.updated} updated, "
        f"{report.duplicate} duplicates, {report.bad_rows} bad rows"
    )
    services.close()
    if report.problems:
        raise typer.Exit(1)


@cli.command()
def triage(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    file_format: Annotated[
        str | None, typer.Option("--format", help="csv or jsonl (default: from the file name)")
    ] = None,
) -> None:
    """Print one JSON line per review: language, negative, themes, urgency. No Slack, no
    database."""
    from bot.drafting import BusinessProfile
    from bot.reviews.intake import Problem, ReviewIn, parse_review
    from bot.sources.files import read_rows
    from bot.wiring import build_triage

    settings = _settings(with_profile=True)
    triager = build_triage(settings, BusinessProfile.from_file(settings.business_profile))
    bad = 0
    try:
        for row in read_rows(file, file_format):  # type: ignore[arg-type]
            parsed = parse_review(row.raw, row.line) if row.raw is not None else None
            if not isinstance(parsed, ReviewIn):
                bad += 1
                problems = parsed or [Problem("row", row.error or "unreadable", row.line)]
                for problem in problems:
                    err.print(f"{file.name}:{row.line}: {problem.field}: {problem.problem}")
                continue
            result = triager.assess(
                text=parsed.text,
                title=parsed.title,
                rating=parsed.rating,
                language_hint=parsed.language,
                location=parsed.location,
            )
            print(
                json.dumps(
                    {
                        "source": parsed.source,
                        "external_id": parsed.external_id,
                        "language": result.language,
                        "language_assumed": result.language_assumed,
                        "negative": result.negative,
                        "themes": result.themes,
                        "urgent": result.urgency.category if result.urgency else None,
                    },
                    ensure_ascii=False,
                )
            )
    except ValueError as exc:
        err.print(f"reviewbot: {exc}")
        raise typer.Exit(2) from None
    if bad:
        raise typer.Exit(1)


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

    settings = _settings()
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


# --- The weekly digest ---------------------------------------------------------------------------
def _frozen(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


@cli.command()
def digest(
    preview: Annotated[
        bool, typer.Option("--preview", help="print it and write the chart; send nothing")
    ] = False,
    at: Annotated[
        str | None,
        typer.Option(help="as if run at this ISO date or time (default: now); the week before"),
    ] = None,
    out: Annotated[Path, typer.Option(help="where --preview writes the chart")] = Path(
        "digest-out"
    ),
) -> None:
    """The weekly digest: --preview shows it here; without it, it is sent to DIGEST_CHANNEL
    (once per week: a week already sent is not sent again)."""
    from storage.models import utcnow

    settings = _settings(with_profile=True)
    clock: Callable[[], datetime] = utcnow
    if at:
        try:
            fixed = datetime.fromisoformat(at)
        except ValueError:
            err.print(f"reviewbot: --at: not an ISO date or time: {at!r}")
            raise typer.Exit(2) from None
        if fixed.tzinfo is None:
            fixed = fixed.replace(tzinfo=settings.tz)
        clock = _frozen(fixed)  # the whole command runs as if at that moment
    if not preview and not (settings.slack_bot_token and settings.digest_channel_id):
        err.print("reviewbot: sending the digest needs SLACK_BOT_TOKEN and DIGEST_CHANNEL")
        raise typer.Exit(2)
    services = build_services(settings, clock=clock)
    now = services.clock()
    try:
        if preview:
            text, chart = services.digests.preview(now, out)
            # soft_wrap: the tables and the path must come out as they are, not re-wrapped.
            console.print(text, markup=False, highlight=False, soft_wrap=True)
            console.print(f"\nChart: {chart.resolve()}", markup=False, soft_wrap=True)
        elif services.digests.send(now):
            console.print(f"digest sent to {settings.digest_channel_id}")
        else:
            console.print("that week's digest was already sent")
    finally:
        services.close()


@cli.command()
def erase(
    author: Annotated[str | None, typer.Option(help="erase every review by this author")] = None,
    review: Annotated[
        str | None, typer.Option(help="erase one review, given as SOURCE:EXTERNAL_ID")
    ] = None,
    by: Annotated[str, typer.Option(help="who asked, for the audit")] = "operator",
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
) -> None:
    """Erase a customer's personal data (GDPR), in the database and on their Slack cards."""
    if (author is None) == (review is None):
        err.print("reviewbot: give exactly one of --author or --review")
        raise typer.Exit(2)
    if review is not None and ":" not in review:
        err.print("reviewbot: --review must look like SOURCE:EXTERNAL_ID, e.g. google:abc123")
        raise typer.Exit(2)
    what = f"every review by {author!r}" if author is not None else f"review {review}"
    if not yes:
        typer.confirm(f"Erase the personal data of {what}? This cannot be undone", abort=True)
    services = build_services(_settings(with_profile=True))
    assert services.erasure is not None  # build_services always builds it
    try:
        if author is not None:
            erased = services.erasure.erase_author(author, actor=by)
        else:
            assert review is not None  # exactly one of the two, checked above
            source, external_id = review.split(":", 1)
            erased = services.erasure.erase_review(source, external_id, actor=by)
    finally:
        services.close()
    console.print(f"erased the personal data of {len(erased)} review(s)")


@cli.command()
def demo(
    database: Annotated[
        str, typer.Option(help="database for the walk-through")
    ] = "sqlite:///reviewbot-demo.db",
    out: Annotated[Path, typer.Option(help="where files the demo writes go")] = Path("demo-out"),
) -> None:
    """Offline walk-through on bundled sample reviews: no Slack, no LLM account needed."""
    from bot.demo import run_demo

    # The demo drafts as the example café, on purpose.
    settings = _settings(
        database_url=database, business_profile=EXAMPLE_PROFILE, reviewbot_demo=True
    )
    run_demo(settings, out=out, console=console)


cli.command("manifest")(manifest_command)


def main() -> None:
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)


# --- The operator's start: a profile of their own, and a live check of the installation ------
def _ask(text: str, **kwargs: Any) -> Any:
    return typer.Option(prompt=text, **kwargs)


@cli.command()
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
    """Write your business profile (brand, sign-off, contact, policy, markets) and name it in
    .env as BUSINESS_PROFILE (and LANGUAGES)."""
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
        raise _refuse(exc.problems, code=1) from None
    values = {"BUSINESS_PROFILE": str(profile)}
    if languages.strip():
        values["LANGUAGES"] = ",".join(p.strip() for p in languages.split(",") if p.strip())
    name_in_env(env_file, values)
    console.print(f"wrote {profile}; {env_file} now names it: BUSINESS_PROFILE={profile}")
    console.print("next: reviewbot doctor")


@cli.command()
def doctor(
    url: Annotated[
        str | None,
        typer.Option(help="public base URL in HTTP mode: checks the slash command answers"),
    ] = None,
) -> None:
    """Check Slack, the database, the model, the sources and the profile, live; exit 0 only
    when nothing failed."""
    from bot.startup.doctor import diagnose, show
    from storage.models import utcnow

    rows = diagnose(clock=utcnow, url=url)
    show(rows, console)
    if any(row.failed for row in rows):
        raise typer.Exit(1)
