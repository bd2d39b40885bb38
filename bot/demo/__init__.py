"""`reviewbot demo`: the flow on bundled sample reviews, offline, printed as a user sees it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from sqlmodel import Session, select

from bot.blocks.as_text import blocks_as_text
from bot.blocks.card import build_card
from bot.config import Settings
from bot.jobs.digest import preview
from bot.reviews.importer import import_file
from bot.services import Services, build_services
from bot.triage.themes import THEME_LABELS
from storage.models import Decision, Draft, Review

SAMPLES = Path(__file__).resolve().parent / "sample_reviews.jsonl"
DEMO_RESPONDER = "U0DEMO01"
DEMO_LEAD = "U0LEAD01"
# The samples were written in the week of 16 November 2026; its digest goes out on the 23rd.
DEMO_DIGEST_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _fresh_sqlite(url: str) -> None:
    # The walk-through starts from an empty database every time so it always shows the same.
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != prefix:
        path = Path(url.removeprefix(prefix))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _find(reviews: list[Review], external_id: str) -> Review:
    return next(r for r in reviews if r.external_id == external_id)


def _show_card(
    services: Services, review_id: int, console: Console, path: Path, tz: tzinfo
) -> None:
    message = build_card(services.cards.view_for(review_id), tz=tz)
    path.write_text(json.dumps(message, ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(Panel(Text(blocks_as_text(message)), title=f"card of review {review_id}"))


def run_demo(settings: Settings, *, out: Path, console: Console) -> None:
    _fresh_sqlite(settings.database_url)
    out.mkdir(parents=True, exist_ok=True)
    services = build_services(settings)
    tz = settings.tz
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

        console.rule("3. Cards in Slack")
        console.print(
            "No OPENAI_API_KEY is set, so every draft comes from the language's reply template in "
            "prompts/templates/ and is labelled as a template."
            if settings.openai_api_key is None
            else f"Drafts written by {settings.openai_model}."
        )
        cards_dir = out / "cards"
        cards_dir.mkdir(exist_ok=True)
        for r in reviews:
            if r.id in drafts or r.draft_error:
                _show_card(services, r.id, console, cards_dir / f"review-{r.id}.json", tz)
        console.print(f"Block Kit JSON of every card: {cards_dir}/ (paste into Block Kit Builder)")

        console.rule("4. The team decides")
        swedish, bokmal, attack = (
            _find(reviews, key) for key in ("demo-sv-1", "demo-nb-1", "demo-en-1")
        )
        decisions = services.decisions
        version = services.cards.current_version
        decisions.approve(swedish.id, version(swedish.id), DEMO_RESPONDER)
        edited = drafts[bokmal.id].text.replace(
            "Vi vil gjerne", "Vi har sendt en ny jakke i dag, og vi vil gjerne"
        )
        decisions.edit(bokmal.id, version(bokmal.id), DEMO_RESPONDER, edited, approve_now=True)
        decisions.decline(
            attack.id, version(attack.id), DEMO_LEAD, "spam_or_fake", "Not a customer"
        )
        stale = decisions.approve(swedish.id, 1, DEMO_LEAD)
        console.print(f"A second approval is refused: {stale}")
        _show_card(
            services, swedish.id, console, cards_dir / f"review-{swedish.id}-approved.json", tz
        )
        with Session(services.engine) as session:
            audit = session.exec(select(Decision).order_by(Decision.id)).all()
        table = Table("review", "action", "who", "edited", "reason", title="Decision audit")
        for d in audit:
            table.add_row(
                str(d.review_id), d.action, d.actor or "", "yes" if d.edited else "", d.reason or ""
            )
        console.print(table)

        console.rule("5. Monday's digest")
        text, png = preview(services, DEMO_DIGEST_AT, out / "digest")
        console.print(Text(text))
        console.print(f"Chart: {png}")
    finally:
        services.close()
