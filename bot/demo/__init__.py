"""`reviewbot demo`: the flow on bundled sample reviews, offline, printed as a user sees it."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from sqlmodel import Session, select

from bot.config import Settings
from bot.reviews.importer import import_file
from bot.services import build_services
from bot.triage.themes import THEME_LABELS
from storage.models import Draft, Review

SAMPLES = Path(__file__).resolve().parent / "sample_reviews.jsonl"


def _fresh_sqlite(url: str) -> None:
    # The walk-through starts from an empty database every time so it always shows the same.
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != prefix:
        path = Path(url.removeprefix(prefix))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def run_demo(settings: Settings, *, out: Path, console: Console) -> None:
    _fresh_sqlite(settings.database_url)
    out.mkdir(parents=True, exist_ok=True)
    services = build_services(settings)
    try:
        console.rule("1. Intake")
        report = import_file(SAMPLES, services.intake)
        again = import_file(SAMPLES, services.intake)
        console.print(
            f"Imported {SAMPLES.name}: {report.accepted} stored; the same file again: "
            f"{again.duplicate} duplicates, {again.accepted} stored twice."
        )
        with Session(services.engine) as session:
            reviews = session.exec(select(Review).order_by(Review.id)).all()
            drafts = {d.review_id: d for d in session.exec(select(Draft).order_by(Draft.version))}

        console.rule("2. Triage")
        table = Table(
            "id", "source", "rating", "author", "language", "negative", "themes", "status"
        )
        for r in reviews:
            table.add_row(
                str(r.id),
                r.source,
                "★" * (r.rating or 0) or "–",
                r.author or "",
                r.language + (" (assumed)" if r.language_assumed else ""),
                "yes" if r.negative else "no",
                ", ".join(THEME_LABELS[t] for t in r.themes),
                r.status,
            )
        console.print(table)

        console.rule("3. Drafts")
        console.print(
            "No OPENAI_API_KEY is set, so every draft comes from the language's reply template in "
            "prompts/templates/ and is labelled as a template."
            if settings.openai_api_key is None
            else f"Drafts written by {settings.openai_model}."
        )
        for r in reviews:
            draft = drafts.get(r.id)
            if draft is None:
                continue
            console.print(
                Panel(
                    Text(draft.text),
                    title=f"review {r.id} · {r.language} · {draft.kind} draft v{draft.version}",
                    subtitle=f"{len(draft.findings)} guardrail finding(s)",
                )
            )
            for finding in draft.findings:
                console.print(f"  [yellow]⚠ {finding['code']}[/]: {escape(finding['message'])}")
    finally:
        services.close()
