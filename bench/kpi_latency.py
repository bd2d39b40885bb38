"""KPI query latency over 1,000,000 stored reviews, and /reviews acknowledgement latency.

    .venv/bin/python bench/kpi_latency.py [--reviews 1000000] [--runs 15] [--postgres URL]
                                          [--requests 400] [--concurrency 20] [--skip-ack]

1. The 30-day KPIs (compute_kpis for one period; the /reviews answer, which is that period
   and the one before; the same filtered by source, and by brand: a quarter of the reviews
   each belong to one of three brands, the rest to none) on SQLite and on PostgreSQL. The
   synthetic database is built once and cached: bench/out/kpi_<n>_<schema>.sqlite, and a
   PostgreSQL database of the same name (given by --postgres or TEST_DATABASE_URL).
   Targets: median under 100 ms on both.
2. The real app (tests/support/harness.AppHarness with the fake Slack) on the cached SQLite
   database answers `/reviews kpi 30d` from `--concurrency` clients at once: the time to
   the HTTP acknowledgement, median and 99th percentile (target: p99 under 300 ms), and
   whether every lazy answer then reached the response_url.
Prints medians over the runs: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402

from bot.reviews.command_grammar import resolve_period  # noqa: E402
from bot.reviews.kpi import read_report  # noqa: E402
from storage.db import make_engine, migrate  # noqa: E402
from storage.figures import KpiFilter  # noqa: E402
from storage.kpi import compute_kpis  # noqa: E402
from storage.models import Decision, Draft, Review, ReviewChange  # noqa: E402

OUT = ROOT / "bench" / "out"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SPAN = timedelta(days=730)  # the reviews are spread over two years before NOW
TZ_NAME = "Europe/Stockholm"
CHUNK = 50_000
SOURCES = ["google", "trustpilot", "app_store", "google_play", "webshop"]
LANGUAGES = ["sv", "nb", "nn", "fi", "zh-Hant", "zh-Hans", "en"]
LOCATIONS = [f"Store {i}" for i in range(20)]
BRANDS = ["lumi", "norr", "kvarn", None]
DATA_VERSION = "brands"  # bumped when synthetic() changes, so no cache holds older rows


def schema_key() -> str:
    """Changes with the migrations (a released one never changes: a new one is added) and
    the synthetic data, so a cached database always has today's schema and rows."""
    versions = sorted(p.name for p in (ROOT / "storage" / "migrations" / "versions").glob("*.py"))
    key = "\n".join([DATA_VERSION, *versions]).encode()
    return hashlib.sha1(key).hexdigest()[:8]  # a cache key, not security


# --- synthetic data -----------------------------------------------------------------------
def synthetic(n: int) -> Iterator[tuple[list[dict], list[dict], list[dict], list[dict]]]:
    """Reviews with their drafts, decisions and rating changes, in chunks, reproducibly.

    About 30% negative; negatives older than two weeks are decided (85% approved), newer
    ones pending half the time. Statuses the pipeline would pick up again on start
    (received, triaged, drafting) are left out, so the app can serve this database."""
    rng = random.Random(42)
    start = NOW - SPAN
    ids = {"draft": 0, "decision": 0, "change": 0}
    for first in range(1, n + 1, CHUNK):
        reviews, drafts, decisions, changes = [], [], [], []
        for review_id in range(first, min(first + CHUNK, n + 1)):
            written = start + SPAN * ((review_id - 1) / n) + timedelta(seconds=rng.randint(0, 600))
            received = written + timedelta(minutes=rng.randint(1, 240))
            negative = rng.random() < 0.3
            rating = rng.choice([1, 1, 2, 3]) if negative else rng.choice([3, 4, 5, 5, 5])
            status, decided = ("positive", None) if not negative else ("pending", None)
            if negative and (NOW - written > timedelta(days=14) or rng.random() < 0.5):
                decided = received + timedelta(hours=rng.lognormvariate(2.3, 1.0))
                decided = min(decided, NOW - timedelta(minutes=1))
                status = "approved" if rng.random() < 0.85 else "declined"
            reviews.append(
                {
                    "id": review_id,
                    "source": SOURCES[review_id % len(SOURCES)],
                    "external_id": f"bench-{review_id}",
                    "rating": rating,
                    "first_rating": rating,
                    "text": "Synthetic review for the KPI benchmark.",
                    "language": LANGUAGES[review_id % len(LANGUAGES)],
                    "location": LOCATIONS[review_id % len(LOCATIONS)],
                    "brand": BRANDS[review_id % len(BRANDS)],
                    "created_at": written,
                    "received_at": received,
                    "updated_at": decided or received,
                    "status": status,
                    "negative": negative,
                    "decided_at": decided,
                }
            )
            if decided is not None:
                draft_id = None
                if status == "approved":
                    ids["draft"] += 1
                    draft_id = ids["draft"]
                    kind = "llm" if rng.random() < 0.9 else "template"
                    drafts.append(
                        {
                            "id": draft_id,
                            "review_id": review_id,
                            "version": 1,
                            "text": "Tack för att du hörde av dig.",
                            "kind": kind,
                            "created_at": received,
                        }
                    )
                ids["decision"] += 1
                decisions.append(
                    {
                        "id": ids["decision"],
                        "review_id": review_id,
                        "draft_id": draft_id,
                        "action": status,
                        "actor": "U0BENCH",
                        "at": decided,
                        "edited": rng.random() < 0.3,
                    }
                )
                if rng.random() < 0.03:
                    ids["change"] += 1
                    changes.append(
                        {
                            "id": ids["change"],
                            "review_id": review_id,
                            "changed_at": decided + timedelta(days=rng.randint(1, 10)),
                            "old_rating": rating,
                            "new_rating": rng.choice([4, 5]),
                        }
                    )
        yield reviews, drafts, decisions, changes


TABLES = (Review.__table__, Draft.__table__, Decision.__table__, ReviewChange.__table__)


def load_core(engine: sa.Engine, n: int) -> None:
    """SQLite: Core executemany, one transaction per chunk (column defaults fill the rest)."""
    for chunk in synthetic(n):
        with engine.begin() as connection:
            for table, rows in zip(TABLES, chunk, strict=True):
                if rows:
                    connection.execute(sa.insert(table), rows)


def _full_row(table: sa.Table, row: dict) -> tuple:
    """Every column for COPY, which applies no Python-side defaults."""
    from psycopg.types.json import Json

    values = []
    for column in table.columns:
        if column.name in row:
            value = row[column.name]
        elif column.default is not None and column.default.is_scalar:
            value = column.default.arg
        elif column.default is not None and column.default.is_callable:
            value = column.default.arg({})
        else:
            value = None
        values.append(Json(value) if isinstance(value, list | dict) else value)
    return tuple(values)


def load_copy(engine: sa.Engine, n: int) -> None:
    """PostgreSQL: COPY, the fastest way in."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for chunk in synthetic(n):
            for table, rows in zip(TABLES, chunk, strict=True):
                names = ", ".join(f'"{c.name}"' for c in table.columns)
                with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(_full_row(table, row))
            raw.commit()
        for table in TABLES:  # ids were given explicitly: move the sequences past them
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f'COALESCE(MAX(id), 1)) FROM "{table.name}"'
            )
        raw.commit()
    finally:
        raw.close()


def count_reviews(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(Review)).scalar_one()


def prepared(url: str, n: int, load: Callable[[sa.Engine, int], None]) -> sa.Engine:
    engine = make_engine(url)
    migrate(engine)
    have = count_reviews(engine)
    if have != n:
        if have:
            raise SystemExit(f"{url} holds {have} reviews, not {n}: delete it and run again")
        began = time.perf_counter()
        load(engine, n)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(
                "ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE"
            )
        print(f"  loaded {n:,} reviews in {time.perf_counter() - began:.0f} s")
    else:
        print(f"  cached: {n:,} reviews")
    return engine


def postgres_database(admin_url: str, name: str) -> str:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)


# --- measurements -------------------------------------------------------------------------
def timed(run: Callable[[], Any], runs: int) -> list[float]:
    run()  # warm the caches
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return times


def measure_queries(engine: sa.Engine, runs: int) -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(TZ_NAME)
    period = resolve_period("30d", now=NOW, tz=tz)

    def one_period(filters: KpiFilter) -> Callable[[], Any]:
        def run() -> Any:
            with Session(engine) as session:
                return compute_kpis(session, period.current, filters, now=NOW)

        return run

    cases = {
        "30-day KPIs (one period)": one_period(KpiFilter()),
        "/reviews kpi 30d (period + period before)": lambda: read_report(
            engine, period, KpiFilter(), now=NOW, tz=tz, sla_hours=24
        ),
        "30-day KPIs, source:google": one_period(KpiFilter(source="google")),
        "30-day KPIs, brand:lumi": one_period(KpiFilter(brand="lumi")),
        "/reviews kpi 30d brand:lumi (both periods)": lambda: read_report(
            engine, period, KpiFilter(brand="lumi"), now=NOW, tz=tz, sla_hours=12
        ),
    }
    sample = one_period(KpiFilter())()
    print(
        f"  (30 days: {sample.reviews:,} reviews, {sample.approved:,} approved, "
        f"median reply {sample.median_reply_hours:.1f} h, backlog {sample.backlog:,})"
    )
    for name, run in cases.items():
        times = timed(run, runs)
        print(
            f"  {name:<45} median {statistics.median(times):7.1f} ms"
            f"   min {min(times):7.1f}   max {max(times):7.1f}   ({runs} runs)"
        )


def measure_ack(database_url: str, requests: int, concurrency: int) -> None:
    from tests.fakes.slack_api import FakeSlack
    from tests.support.harness import AppHarness

    with FakeSlack() as fake_slack:
        app = AppHarness.start(
            fake_slack=fake_slack, database_url=database_url, scheduler_enabled=False
        )
        try:
            app.send_command("kpi 30d", response_url=fake_slack.response_url("warm"))

            def one(i: int) -> float:
                began = time.perf_counter()
                response = app.send_command(
                    "kpi 30d", response_url=fake_slack.response_url(f"r{i}")
                )
                elapsed = (time.perf_counter() - began) * 1000
                assert response.status_code == 200, response.status_code
                return elapsed

            began = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                times = sorted(pool.map(one, range(requests)))
            acked = time.perf_counter() - began
            deadline = time.monotonic() + 300
            while len(fake_slack.responses()) < requests + 1 and time.monotonic() < deadline:
                time.sleep(0.05)
            answered = len(fake_slack.responses()) - 1
            all_done = time.perf_counter() - began
        finally:
            app.stop()
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    print(
        f"  ack latency, {requests} × /reviews kpi 30d from {concurrency} clients at once: "
        f"median {statistics.median(times):.1f} ms, p99 {p99:.1f} ms, max {times[-1]:.1f} ms"
    )
    print(
        f"  all acknowledged in {acked:.1f} s; {answered} of {requests} answers reached the "
        f"response_url within {all_done:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--skip-ack", action="store_true")
    options = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    name = f"kpi_{options.reviews}_{schema_key()}"
    sqlite_url = f"sqlite:///{OUT / (name + '.sqlite')}"
    print(f"SQLite ({OUT / (name + '.sqlite')})")
    engine = prepared(sqlite_url, options.reviews, load_core)
    measure_queries(engine, options.runs)
    engine.dispose()
    if options.postgres:
        url = postgres_database(options.postgres, f"reviewbot_bench_{name}")
        print(f"PostgreSQL ({sa.engine.make_url(url).render_as_string()})")
        engine = prepared(url, options.reviews, load_copy)
        measure_queries(engine, options.runs)
        engine.dispose()
    else:
        print("PostgreSQL: skipped (give --postgres URL or set TEST_DATABASE_URL)")
    if not options.skip_ack:
        print("Acknowledgement (the real app on the SQLite database, fake Slack)")
        measure_ack(sqlite_url, options.requests, options.concurrency)


if __name__ == "__main__":
    main()
