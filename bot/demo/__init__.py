"""`reviewbot demo`: the flow on bundled sample reviews, offline, printed as a user sees it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from sqlmodel import Session

from bot.blocks.as_text import blocks_as_text
from bot.blocks.card import build_card
from bot.config import Settings
from bot.reviews.digest_data import digest_week, next_run
from bot.reviews.importer import import_file
from bot.services import Services
from bot.triage.themes import THEME_LABELS
from bot.wiring import build_services
from storage.cards import reviews_with_cards
from storage.decisions import audit_trail
from storage.drafts import latest_drafts
from storage.models import Review, utcnow
from storage.reviews import all_reviews

SAMPLES = Path(__file__).resolve().parent / "sample_reviews.jsonl"
# Two brands in three channels; reviews of no brand go to the café's channel.
ROUTES = Path(__file__).resolve().parent / "routes.yml"
DEMO_REVIEWS_CHANNEL = "C0DEMOLUMI"
DEMO_RESPONDER = "U0DEMO01"
DEMO_SIGNATURE = "Ingrid"
DEMO_LEAD = "U0LEAD01"
# The samples are spread over the last few days before the demo runs (within the week the
# next digest covers), in the order and spacing they were written in.
SAMPLE_SPAN = timedelta(days=3)
NEWEST_SAMPLE_AGE = timedelta(minutes=30)


def _fresh_sqlite(url: str) -> None:
    # The walk-through starts from an empty database every time so it always shows the same.
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != prefix:
        path = Path(url.removeprefix(prefix))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _find(reviews: list[Review], external_id: str) -> int:
    """The id of the stored demo review with this external id."""
    review_id = next(r.id for r in reviews if r.external_id == external_id)
    assert review_id is not None  # a stored row
    return review_id


def _show_card(
    services: Services, review_id: int, console: Console, path: Path, tz: tzinfo
) -> None:
    view = services.cards.view_for(review_id)
    assert view is not None  # every demo review is stored
    message = build_card(view, tz=tz)
    path.write_text(json.dumps(message, ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(Panel(Text(blocks_as_text(message)), title=f"card of review {review_id}"))


def _show_channels(services: Services, console: Console) -> None:
    """Which channel each card went to, for which brand, and why (ROUTES_FILE)."""
    table = Table("review", "location", "language", "brand", "channel", "why", title="Routing")
    with Session(services.engine) as session:
        for review, card in reviews_with_cards(session):
            brand = services.routing.brand(review.brand)
            table.add_row(
                str(review.id),
                review.location or "–",
                review.language or "–",
                brand.name if brand else "–",
                card.channel,
                review.route or "",
            )
    console.print(table)


def dated_samples(now: datetime, week_start: datetime, path: Path) -> Path:
    """The bundled samples written to `path`, moved to the days just before `now` (but not
    before `week_start`), so the demo's cards, KPIs and digest read as this week's."""
    rows = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line]
    written = [datetime.fromisoformat(row["created_at"]) for row in rows]
    oldest, newest = min(written), max(written)
    end = now - min(NEWEST_SAMPLE_AGE, (now - week_start) / 2)
    start = max(week_start, end - SAMPLE_SPAN)
    scale = (end - start) / max(newest - oldest, timedelta(seconds=1))
    with path.open("w", encoding="utf-8") as file:
        for row, at in zip(rows, written, strict=True):
            moved = start + (at - oldest) * scale
            row["created_at"] = moved.astimezone(at.tzinfo).isoformat(timespec="seconds")
            file.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def run_demo(
    settings: Settings,
    *,
    out: Path,
    console: Console,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    _fresh_sqlite(settings.database_url)
    out.mkdir(parents=True, exist_ok=True)
    services = build_services(settings, clock=clock)
    tz = settings.tz
    now = services.clock()
    # The first digest whose week holds now, so it shows the decisions the demo makes.
    digest_at = next_run(settings.digest_cron, tz, now)
    while (week := digest_week(digest_at, tz, settings.digest_cron)).period.end <= now:
        digest_at = next_run(settings.digest_cron, tz, digest_at)
    samples = dated_samples(now, week.period.start, out / SAMPLES.name)
    try:
        console.rule("1. Intake")
        report = import_file(samples, services.intake)
        again = import_file(samples, services.intake)
        console.print(
            f"Imported {SAMPLES.name} (dated to the last few days): {report.accepted} stored; "
            "the same file again: "
            f"{again.duplicate} duplicates, {again.accepted} stored twice."
        )
        with Session(services.engine) as session:
            reviews = all_reviews(session)
            drafts = latest_drafts(session)

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
                (r.language or "–") + (" (assumed)" if r.language_assumed else ""),
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
            assert r.id is not None  # a stored row
            if r.id in drafts or r.draft_error:
                _show_card(services, r.id, console, cards_dir / f"review-{r.id}.json", tz)
        _show_channels(services, console)
        console.print(f"Block Kit JSON of every card: {cards_dir}/ (paste into Block Kit Builder)")

        console.rule("4. The team decides")
        swedish, bokmal, attack = (
            _find(reviews, key) for key in ("demo-sv-1", "demo-nb-1", "demo-en-1")
        )
        decisions = services.decisions

        def version(review_id: int) -> int:
            current = services.cards.current_version(review_id)
            assert current is not None  # the demo queued every card
            return current

        # The responder signs with the signature they set on App Home.
        services.signers.set_own_signature(DEMO_RESPONDER, DEMO_SIGNATURE)
        decisions.approve(swedish, version(swedish), DEMO_RESPONDER)
        # The Norwegian draft gets a sentence of the responder's own before it is approved.
        greeting, body = drafts[bokmal].text.split("\n\n", 1)
        edited = f"{greeting}\n\nVi har sendt deg en ny jakke i dag. {body}"
        decisions.edit(bokmal, version(bokmal), DEMO_RESPONDER, edited, approve_now=True)
        decisions.decline(attack, version(attack), DEMO_LEAD, "spam_or_fake", "Not a customer")
        stale = decisions.approve(swedish, 1, DEMO_LEAD)
        console.print(f"A second approval is refused: {stale}")
        _show_card(services, swedish, console, cards_dir / f"review-{swedish}-approved.json", tz)
        with Session(services.engine) as session:
            audit = audit_trail(session)
        table = Table("review", "action", "who", "edited", "reason", title="Decision audit")
        for d in audit:
            table.add_row(
                str(d.review_id), d.action, d.actor or "", "yes" if d.edited else "", d.reason or ""
            )
        console.print(table)

        console.rule(f"5. The next weekly digest, due {digest_at.astimezone(tz):%A %-d %B %H:%M}")
        text, png = services.digests.preview(digest_at, out / "digest")
        console.print(Text(text))
        console.print(f"Chart: {png}")
    finally:
        services.close()
