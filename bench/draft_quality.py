"""What the "Draft quality" figures cost, and what they show for a realistic team.

    .venv/bin/python bench/draft_quality.py [--per-week 2000] [--weeks 52] [--runs 9]
                                            [--postgres URL]

Seeds a database with `--weeks` weeks of negative reviews from the real public reviews in
../shared/data (sv, no as nb, fi, zh-Hant, zh-Hans, not copied in), each drafted by the
template drafter with the repository's prompts, and decided the way a team does: most
approved as drafted (signed), some edited first (a sentence added, one rewritten, one cut,
a word fixed), some regenerated, some declined, a few voted on. Then it prints:

1. the cost of one edit measurement (storage/edit_distance.py) at template length and at the
   length of a model's reply, against difflib;
2. draft_quality() for 7, 30 and 365 days (medians of `--runs`), and the /reviews kpi read
   (read_report) with and without it;
3. the table `/reviews kpi 7d` shows for the last week.
Targets: a week's figures in well under 100 ms; a year no slower than the measured cap allows.
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402

from bench.kpi_latency import postgres_database  # noqa: E402
from bot.blocks.draft_quality import draft_quality_table  # noqa: E402
from bot.drafting import BusinessProfile, PromptLibrary, ReviewInput, TemplateDrafter  # noqa: E402
from bot.drafting.signature import SIGNATURE_SLOT  # noqa: E402
from bot.reviews.command_grammar import resolve_period  # noqa: E402
from bot.reviews.kpi import read_report  # noqa: E402
from storage.db import make_engine, migrate  # noqa: E402
from storage.draft_quality import MEASURED_EDITS, draft_quality  # noqa: E402
from storage.edit_distance import edit_distance  # noqa: E402
from storage.figures import KpiFilter, Period  # noqa: E402
from storage.models import Decision, Draft, DraftVote, Review  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "bench" / "out"
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
FILES = {"sv": "sv.jsonl", "nb": "no.jsonl", "fi": "fi.jsonl", "zh-Hant": "zh-Hant.jsonl"}
FILES["zh-Hans"] = "zh-Hans.jsonl"
# Share of the team's reviews per language, and how often each is approved as drafted:
# the Nordic guides are the most worked on, Chinese drafts are checked by fewer readers.
MIX = {"sv": 0.4, "nb": 0.2, "fi": 0.2, "zh-Hant": 0.1, "zh-Hans": 0.1}
AS_DRAFTED = {"sv": 0.62, "nb": 0.55, "fi": 0.48, "zh-Hant": 0.7, "zh-Hans": 0.66}
REGENERATE, DECLINE, VOTE, THUMBS_UP = 0.12, 0.06, 0.2, 0.75
NAMES = ["Maria Ek", "Jonas", "Kari N.", "Aino", "王小明"]


def negatives(language: str, limit: int = 400) -> list[dict]:
    path = SHARED / FILES[language]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [row for row in rows if row["label"] == "negative"][:limit]


def drafted_texts(drafter: TemplateDrafter) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {}
    for language in MIX:
        texts[language] = [
            drafter.draft(
                ReviewInput(
                    source="google",
                    rating=1,
                    title=None,
                    text=row["text"],
                    author=None,
                    language=language,
                    location=None,
                    length_limit=None,
                )
            ).text
            for row in negatives(language)
        ]
    return texts


def sentences(text: str) -> list[str]:
    parts, start = [], 0
    for i, char in enumerate(text):
        if char in ".!?。！？":
            parts.append(text[start : i + 1])
            start = i + 1
    return [p for p in parts if p.strip()]


def human_edit(draft: str, rng: random.Random, pool: list[str]) -> str:
    """What a responder does to a draft before approving it, signing it as they go."""
    body, _, sign_off = draft.rpartition("\n\n")
    found = sentences(body)
    other = rng.choice(sentences(rng.choice(pool)) or [" Tack."])
    kind = rng.random()
    if kind < 0.35 or not found:  # a sentence of their own added
        body = f"{body}{other}"
    elif kind < 0.6:  # one sentence put in their own words
        body = body.replace(rng.choice(found), other, 1)
    elif kind < 0.8:  # one cut
        body = body.replace(rng.choice(found), "", 1)
    else:  # a word fixed
        words = body.split(" ")
        i = rng.randrange(len(words))
        words[i] = words[i][::-1]
        body = " ".join(words)
    return f"{body}\n\n{sign_off}".replace(SIGNATURE_SLOT, rng.choice(NAMES))


def seed(engine: sa.Engine, per_week: int, weeks: int, texts: dict[str, list[str]]) -> None:
    rng = random.Random(20261130)
    languages, weights = list(MIX), list(MIX.values())
    reviews, drafts, decisions, votes = [], [], [], []
    total = per_week * weeks
    span = timedelta(weeks=weeks)
    for review_id in range(1, total + 1):
        language = rng.choices(languages, weights)[0]
        written = NOW - span + span * ((review_id - 0.5) / total)
        received = written + timedelta(minutes=rng.randint(1, 60))
        decided = received + timedelta(hours=rng.lognormvariate(1.5, 0.8))
        draft = rng.choice(texts[language])
        draft_id = len(drafts) + 1
        drafts.append((draft_id, review_id, 1, draft, received))
        if rng.random() < REGENERATE:
            asked = received + timedelta(minutes=rng.randint(5, 90))
            decisions.append((review_id, None, "regenerated", asked, False, None, {}))
            draft = rng.choice(texts[language])
            draft_id = len(drafts) + 1
            drafts.append((draft_id, review_id, 2, draft, asked + timedelta(seconds=20)))
        if rng.random() < VOTE:
            vote = 1 if rng.random() < THUMBS_UP else -1
            votes.append((draft_id, review_id, f"U{review_id % 7}", vote, decided))
        if rng.random() < DECLINE:
            status = "declined"
            decisions.append((review_id, None, "declined", decided, False, None, {}))
        else:
            status = "approved"
            if rng.random() < AS_DRAFTED[language]:
                sent, edited, detail = draft.replace(SIGNATURE_SLOT, rng.choice(NAMES)), False, {}
            else:
                sent, edited = human_edit(draft, rng, texts[language]), True
                detail = {"model_draft_id": draft_id, "model_text": draft}
            decisions.append((review_id, draft_id, "approved", decided, edited, sent, detail))
        reviews.append((review_id, language, written, received, decided, status))
    with engine.begin() as connection:
        connection.execute(
            sa.insert(Review),
            [
                {
                    "id": i,
                    "source": "google",
                    "external_id": f"bench-{i}",
                    "rating": 1,
                    "first_rating": 1,
                    "text": "…",
                    "language": language,
                    "negative": True,
                    "status": status,
                    "created_at": written,
                    "received_at": received,
                    "updated_at": decided,
                    "decided_at": decided,
                }
                for i, language, written, received, decided, status in reviews
            ],
        )
        connection.execute(
            sa.insert(Draft),
            [
                {
                    "id": i,
                    "review_id": r,
                    "version": v,
                    "text": t,
                    "kind": "template",
                    "created_at": at,
                }
                for i, r, v, t, at in drafts
            ],
        )
        connection.execute(
            sa.insert(Decision),
            [
                {
                    "review_id": r,
                    "draft_id": d,
                    "action": action,
                    "actor": "U0BENCH",
                    "at": at,
                    "edited": edited,
                    "final_text": sent,
                    "detail": detail,
                }
                for r, d, action, at, edited, sent, detail in decisions
            ],
        )
        connection.execute(
            sa.insert(DraftVote),
            [
                {"draft_id": d, "review_id": r, "user_id": u, "vote": v, "at": at}
                for d, r, u, v, at in votes
            ],
        )


def timed(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def per_pair(texts: dict[str, list[str]]) -> None:
    rng = random.Random(3)
    short = [(d, human_edit(d, rng, texts["sv"])) for d in texts["sv"][:300]]
    # A model's reply is two to three times a template's: three template bodies joined.
    long = []
    for d in texts["sv"][:300]:
        body, _, sign_off = d.rpartition("\n\n")
        extra = " ".join(rng.choice(texts["sv"]).rpartition("\n\n")[0] for _ in range(2))
        draft = f"{body} {extra}\n\n{sign_off}"
        long.append((draft, human_edit(draft, rng, texts["sv"])))
    print("1. One edit measured (ms per approval, median over 300 Swedish drafts)")
    for label, pairs in (("template length", short), ("model-reply length", long)):
        chars = statistics.median(len(d) for d, _ in pairs)
        ours = timed(lambda p=pairs: [edit_distance(d, s, slot=SIGNATURE_SLOT) for d, s in p], 3)
        theirs = timed(
            lambda p=pairs: [difflib.SequenceMatcher(None, d, s).get_opcodes() for d, s in p], 3
        )
        print(
            f"   {label:<19} {chars:>5.0f} chars: bit-parallel Levenshtein "
            f"{ours / len(pairs):.2f} ms, difflib opcodes {theirs / len(pairs):.2f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-week", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--postgres", help="a PostgreSQL server (URL) to build the database on instead of SQLite"
    )
    args = parser.parse_args()

    drafter = TemplateDrafter(
        PromptLibrary(ROOT / "prompts"),
        profile=BusinessProfile.from_file(ROOT / "prompts" / "business.example.yml"),
        detect_language=lambda text: "sv",
    )
    texts = drafted_texts(drafter)
    per_pair(texts)

    OUT.mkdir(parents=True, exist_ok=True)
    name = f"draft_quality_{args.per_week}x{args.weeks}"
    if args.postgres:
        admin = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "reviewbot_bench_{name}"'))
        admin.dispose()
        url = postgres_database(args.postgres, f"reviewbot_bench_{name}")
    else:
        path = OUT / f"{name}.sqlite"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate(engine)
    started = time.perf_counter()
    seed(engine, args.per_week, args.weeks, texts)
    print(
        f"\n2. {args.per_week:,} negative reviews a week for {args.weeks} weeks "
        f"({engine.dialect.name}, seeded in {time.perf_counter() - started:.0f} s); "
        f"median ms of {args.runs} runs, at most {MEASURED_EDITS} edits measured"
    )
    tz = ZoneInfo("Europe/Stockholm")
    with Session(engine) as session:
        for days in (7, 30, 365):
            period = Period(NOW - timedelta(days=days), NOW)
            report = draft_quality(session, period, slot=SIGNATURE_SLOT)
            ms = timed(lambda p=period: draft_quality(session, p, slot=SIGNATURE_SLOT), args.runs)
            print(
                f"   draft_quality {days:>3}d: {ms:7.1f} ms  "
                f"({report.total.approved:,} approvals, {report.total.edited:,} edited, "
                f"{report.total.measured:,} measured)"
            )
    for quality in (False, True):
        period = resolve_period("7d", now=NOW, tz=tz)
        ms = timed(
            lambda q=quality, p=period: read_report(
                engine, p, KpiFilter(), now=NOW, tz=tz, sla_hours=24, with_quality=q
            ),
            args.runs,
        )
        label = "with" if quality else "without"
        print(f"   /reviews kpi 7d read, {label} draft quality: {ms:.1f} ms")
    with Session(engine) as session:
        week = draft_quality(session, Period(NOW - timedelta(days=7), NOW), slot=SIGNATURE_SLOT)
    print("\n3. What `/reviews kpi 7d` shows for the last week\n")
    print(draft_quality_table(week).strip("`\n"))
    engine.dispose()


if __name__ == "__main__":
    main()
