"""Commands on the reviews themselves: import a file, triage one, erase personal data, and
the weekly digest."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bot.commands.common import console, err, settings_or_exit
from bot.commands.review_files import FileFormat, ReviewsFile
from bot.wiring import build_services


def import_(
    file: ReviewsFile,
    file_format: FileFormat = None,
) -> None:
    """Import reviews from a CSV or JSON-lines file with the POST /reviews columns."""
    from bot.reviews.importer import import_file
    from bot.sources.files import count_lines

    services = build_services(settings_or_exit(with_profile=True))
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


def triage(
    file: ReviewsFile,
    file_format: FileFormat = None,
) -> None:
    """Print one JSON line per review (language, negative, themes, urgency); stores nothing."""
    from bot.commands.review_files import ReviewsOfFile, assess
    from bot.drafting import BusinessProfile
    from bot.wiring import build_triage

    settings = settings_or_exit(with_profile=True)
    triager = build_triage(settings, BusinessProfile.from_file(settings.business_profile))
    reviews = ReviewsOfFile(file, file_format)
    try:
        for _line, review in reviews:
            result = assess(triager, review)
            print(
                json.dumps(
                    {
                        "source": review.source,
                        "external_id": review.external_id,
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
    if reviews.bad:
        raise typer.Exit(1)


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
    services = build_services(settings_or_exit(with_profile=True))
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


def _frozen(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


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
    """The weekly digest: --preview shows it here; else it goes to DIGEST_CHANNEL, once a week."""
    from storage.models import utcnow

    settings = settings_or_exit(with_profile=True)
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
