"""Intake throughput through POST /reviews into storage, and the processes' resident memory.

    .venv/bin/python bench/intake_throughput.py [--runs 5] [--reviews 2000] [--workers 2]
                                                [--concurrency 2] [--worker-nice 19]
                                                [--postgres URL] [--backends sqlite,postgresql]

The app runs as real processes against the fake Slack and fake OpenAI servers; a light
asyncio client posts reviews over keep-alive connections, one review per request, then in
arrays of 100. Each run measures three layouts on a fresh database, one after the other:
intake alone (`reviewbot web` with no worker: what POST /reviews can take in, each review
stored with its triage work), today's single process (`reviewbot run`, triaging, drafting and
carding what it stores), and the pipeline in workers (`reviewbot web` + `--workers` ×
`reviewbot worker --concurrency N`, on the same two cores). PostgreSQL is measured too when
--postgres or TEST_DATABASE_URL gives a server URL. `--worker-nice 19` lowers the workers'
priority, for the figure web would give with the workers on machines of their own. Prints medians over the runs and each
layout's share of intake alone: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.deployment import INGEST_TOKEN as TOKEN
from bench.deployment import (
    add_deployment_options,
    app_environment,
    deployed,
    fakes,
    fresh_database,
)

# name → (layout, workers): intake alone is web with nobody to do the work it stores.
LAYOUTS = {
    "intake alone (web, no worker)": ("split", 0),
    "reviewbot run (pipeline in-process)": ("run", 0),
    "web + workers (pipeline in workers)": ("split", None),
}
SENTENCES = [
    "Kaffet var kallt och vi fick vänta i 25 minuter.",
    "Pakken kom aldri, og kundeservice svarer ikke.",
    "Eg venta i ein time og maten var kald.",
    "Tuote oli rikki ja palautus ei onnistu.",
    "房間很髒，櫃檯人員態度冷淡。",
    "更新以后应用一打开就闪退。",
]


def review(i: int) -> dict:
    return {
        "source": "bench",
        "external_id": f"r{i}-{uuid.uuid4().hex[:8]}",
        "rating": 1 + i % 5,
        "text": SENTENCES[i % len(SENTENCES)],
        "author": "Bench Mark",
        "created_at": "2026-11-20T18:03:00+01:00",
        "location": "Oslo sentrum",
    }


# A 503 (SQLite's write lock not free within INGEST_LOCK_WAIT) is sent again, as a source would.
RESEND_AFTER_503 = 0.05


async def _post_all(url: str, bodies: list, concurrency: int) -> int:
    """Every body POSTed until answered 202; how many answers were 503 first."""
    # A raw keep-alive HTTP/1.1 client: the load generator shares the machine's two cores
    # with the server, so it must cost as little CPU as possible.
    host, port = url.removeprefix("http://").split(":")
    requests = [
        (
            f"POST /reviews HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKEN}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        ).encode()
        + payload
        for payload in (json.dumps(body).encode() for body in bodies)
    ]
    queue = iter(requests)
    refused = 0

    async def worker() -> None:
        nonlocal refused
        reader, writer = await asyncio.open_connection(host, int(port))
        for request in queue:
            while True:
                writer.write(request)
                status = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                body = await reader.readexactly(length)
                if b" 202 " in status:
                    break
                if b" 503 " not in status:
                    raise RuntimeError(f"{status!r}: {body[:200]!r}")
                refused += 1
                await asyncio.sleep(RESEND_AFTER_503)
        writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return refused


def post_all(url: str, bodies: list, concurrency: int) -> tuple[float, int]:
    """Seconds until every body was taken, and how many 503s were answered on the way."""
    start = time.perf_counter()
    refused = asyncio.run(_post_all(url, bodies, concurrency))
    return time.perf_counter() - start, refused


def one_run(
    database_url: str, layout: str, workers: int, options: argparse.Namespace
) -> tuple[float, float, dict[str, float], int, int]:
    """Reviews per second one per request and in arrays, each process's RSS (MB) after the
    load, how many reviews were stored, and how many requests were answered 503 first."""
    n = options.reviews
    with fakes() as (slack_url, llm_url), tempfile.TemporaryDirectory() as tmp:
        env = app_environment(Path(tmp), slack_url, llm_url, database_url)
        with deployed(
            layout,
            env,
            Path(tmp),
            workers=workers,
            concurrency=options.concurrency,
            worker_nice=options.worker_nice,
        ) as app:
            single, refused = post_all(app.url, [review(i) for i in range(n)], options.connections)
            batches = [[review(i * 100 + j) for j in range(100)] for i in range(n // 100)]
            batched, refused_batches = post_all(app.url, batches, options.connections)
            rss = app.rss()
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT count(*) FROM review")).scalar_one()
    engine.dispose()
    return n / single, (n // 100 * 100) / batched, rss, stored, refused + refused_batches


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reviews", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=8)
    add_deployment_options(parser)
    options = parser.parse_args()

    backends = [b for b in options.backends if b == "sqlite" or options.postgres]
    print(
        f"{options.reviews} reviews per run and layout, {options.connections} connections,"
        f" {options.runs} runs, {options.workers} workers × {options.concurrency} threads"
        f" at nice {options.worker_nice},"
        f" {os.cpu_count()} cores"
    )
    expected = options.reviews + options.reviews // 100 * 100
    for backend in backends:
        figures: dict[str, dict[str, list]] = {
            name: {"single": [], "batched": [], "rss": []} for name in LAYOUTS
        }
        for run in range(1, options.runs + 1):
            for name, (layout, workers) in LAYOUTS.items():
                with fresh_database(backend, options.postgres) as url:
                    single, batched, rss, stored, refused = one_run(
                        url, layout, options.workers if workers is None else workers, options
                    )
                if stored != expected:
                    raise SystemExit(f"{backend}: stored {stored} reviews, expected {expected}")
                figures[name]["single"].append(single)
                figures[name]["batched"].append(batched)
                figures[name]["rss"].append(rss)
                print(
                    f"  run {run} {backend} {name}: {single:.0f}/s one per request,"
                    f" {batched:.0f}/s in arrays"
                    + (f" ({refused} answers 503, sent again)" if refused else ""),
                    flush=True,
                )
        alone = statistics.median(figures[next(iter(LAYOUTS))]["single"])
        alone_batched = statistics.median(figures[next(iter(LAYOUTS))]["batched"])
        for name, measured in figures.items():
            singles, batches = measured["single"], measured["batched"]
            rss = {
                process: statistics.median(r[process] for r in measured["rss"])
                for process in measured["rss"][0]
            }
            print(
                f"{backend:10s} {name:38s} one per request: {statistics.median(singles):5.0f}/s"
                f" (min {min(singles):.0f}, max {max(singles):.0f};"
                f" {statistics.median(singles) / alone:4.0%} of intake alone)"
                f" | arrays of 100: {statistics.median(batches):5.0f}/s"
                f" ({statistics.median(batches) / alone_batched:4.0%})"
                f" | RSS {', '.join(f'{p} {mb:.0f} MB' for p, mb in rss.items())}"
            )


if __name__ == "__main__":
    main()
