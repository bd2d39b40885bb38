"""Intake throughput through POST /reviews into storage, and the server's resident memory.

    .venv/bin/python bench/intake_throughput.py [--runs 5] [--reviews 2000] [--postgres URL]

The app runs in its own process (uvicorn, as `reviewbot run` serves it); a light asyncio client
posts reviews over keep-alive connections, one review per request, then in arrays
of 100. Measured twice: intake alone (what POST /reviews can take in), and with the pipeline
triaging and drafting every stored review in the same process, as `reviewbot run` does. PostgreSQL is measured when --postgres or TEST_DATABASE_URL gives a server URL.
Prints medians over the runs: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TOKEN = "bench-ingest-token"
SENTENCES = [
    "Kaffet var kallt och vi fick vänta i 25 minuter.",
    "Pakken kom aldri, og kundeservice svarer ikke.",
    "Eg venta i ein time og maten var kald.",
    "Tuote oli rikki ja palautus ei onnistu.",
    "房間很髒，櫃檯人員態度冷淡。",
    "更新以后应用一打开就闪退。",
]


def serve(database_url: str, pipeline: bool, port_queue: multiprocessing.Queue) -> None:
    from bot.app import create_app
    from bot.config import Settings
    from bot.http.server import HttpServer
    from bot.reviews.intake import IntakeService
    from bot.wiring import build_services

    settings = Settings(database_url=database_url, ingest_token=TOKEN)
    services = build_services(settings)
    if not pipeline:
        # Intake alone: what POST /reviews can take in. The pipeline would catch up later.
        services.intake = IntakeService(services.engine)
    services.start()
    server = HttpServer(create_app(services, None), host="127.0.0.1", port=0)
    port_queue.put(server.start_in_thread())
    while True:
        time.sleep(3600)


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


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _post_all(url: str, bodies: list, concurrency: int) -> None:
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

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        for request in queue:
            writer.write(request)
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = await reader.readexactly(length)
            if b" 202 " not in status:
                raise RuntimeError(f"{status!r}: {body[:200]!r}")
        writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


def post_all(url: str, bodies: list, concurrency: int) -> float:
    start = time.perf_counter()
    asyncio.run(_post_all(url, bodies, concurrency))
    return time.perf_counter() - start


def one_run(
    database_url: str, n: int, concurrency: int, pipeline: bool
) -> tuple[float, float, float, int]:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(
        target=serve, args=(database_url, pipeline, queue), daemon=True
    )
    process.start()
    try:
        url = queue.get(timeout=60)
        idle_rss = rss_mb(process.pid)
        single = post_all(url, [review(i) for i in range(n)], concurrency)
        batches = [[review(i * 100 + j) for j in range(100)] for i in range(n // 100)]
        batched = post_all(url, batches, concurrency)
        loaded_rss = rss_mb(process.pid)
    finally:
        process.kill()
        process.join()
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT count(*) FROM review")).scalar_one()
    engine.dispose()
    return n / single, (n // 100 * 100) / batched, max(idle_rss, loaded_rss), stored


def fresh_postgres(admin_url: str) -> tuple[str, callable]:
    name = f"reviewbot_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return sa.engine.make_url(admin_url).set(database=name).render_as_string(
        hide_password=False
    ), drop


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reviews", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()

    backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
    print(
        f"{args.reviews} reviews per run, {args.concurrency} connections, {args.runs} runs, {os.cpu_count()} cores"
    )
    for backend in backends:
        for pipeline in (False, True):
            singles, batches, rss = [], [], []
            for _ in range(args.runs):
                with tempfile.TemporaryDirectory() as tmp:
                    if backend == "sqlite":
                        url, drop = f"sqlite:///{tmp}/bench.db", lambda: None
                    else:
                        url, drop = fresh_postgres(args.postgres)
                    try:
                        single, batched, peak, stored = one_run(
                            url, args.reviews, args.concurrency, pipeline
                        )
                    finally:
                        drop()
                expected = args.reviews + args.reviews // 100 * 100
                if stored != expected:
                    raise SystemExit(f"{backend}: stored {stored} reviews, expected {expected}")
                singles.append(single)
                batches.append(batched)
                rss.append(peak)
            mode = "with the pipeline triaging and drafting" if pipeline else "intake alone"
            print(
                f"{backend:10s} {mode:40s} one per request: {statistics.median(singles):5.0f}/s"
                f" (min {min(singles):.0f}, max {max(singles):.0f}) | arrays of 100:"
                f" {statistics.median(batches):5.0f}/s | server RSS {statistics.median(rss):.0f} MB"
            )


if __name__ == "__main__":
    main()
