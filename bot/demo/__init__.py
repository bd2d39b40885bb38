"""`reviewbot demo`: the flow on bundled sample reviews, offline, printed as a user sees it."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlmodel import Session, select

from bot.config import Settings
from bot.reviews.importer import import_file
from bot.services import build_services
from storage.models import Review

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
        table = Table("id", "source", "rating", "author", "location", "status", "text")
        for r in reviews:
            table.add_row(
                str(r.id),
                r.source,
                "★" * (r.rating or 0),
                r.author or "",
                r.location or "",
                r.status,
                (r.text[:60] + "…") if len(r.text) > 60 else r.text,
            )
        console.print(table)
    finally:
        services.close()
