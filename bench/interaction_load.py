"""Slack acknowledgements under load, while reviews keep arriving; the time from POST /reviews
to the card; the processes' memory. Today's single process against web and workers.

    .venv/bin/python bench/interaction_load.py [--seconds 60] [--runs 3] [--clients 20] [--rate 20]
        [--layouts run,split] [--workers 2] [--concurrency 2] [--worker-nice 19]
        [--postgres URL] [--backends sqlite,postgresql]

Starts the fake Slack and fake OpenAI servers and the app as real processes (bench/deployment.py),
in each run once as `reviewbot run` and once as `reviewbot web` + `--workers` × `reviewbot
worker`, on a fresh database: SQLite, then PostgreSQL when --postgres or TEST_DATABASE_URL
gives a server URL. For `--seconds`, `--clients` Slack clients each send one signed request
after another — an Approve click on a waiting card, `/reviews pending`, an `app_home_opened`
event, in turn — while real reviews are POSTed to /reviews at `--rate` per second, each on its
own schedule whatever the answers take, from a process of their own (in the clients' process
an answer would wait for the GIL behind twenty threads before it is timed). Measures the time to the HTTP answer (Slack's
acknowledgement, ingest's 202) and counts failed requests (non-2xx or a transport error),
which must be none; the time from each negative review's POST to its card's chat.postMessage
arriving at the fake Slack; each process's RSS at the end of the load; and which language
models the web process imported, through which modules. On one machine web and workers share
the cores; `--worker-nice 19` lowers the workers' priority, for the figure web would give with
workers elsewhere. Prints each run, the medians over the
runs and split / run ratios: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import queue
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func
from sqlmodel import Session, col, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.chaos import card_posts, load_reviews  # noqa: E402
from bench.deployment import (  # noqa: E402
    INGEST_TOKEN,
    add_deployment_options,
    app_environment,
    deployed,
    fakes,
    fresh_database,
    postgres_cpu_seconds,
)
from bot.blocks import ids  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.models import Decision, Review, SlackCard, Work  # noqa: E402
from tests.support.harness import SlackRequests  # noqa: E402
from tests.support.workflow import block_action  # noqa: E402

USERS = ("U0ANNA", "U0BJORN", "U0CARL", "U0DINA")
KINDS = ("approve", "pending", "home")
LAYOUTS = ("run", "split")
REVIEW_POOL = 1000  # real reviews loaded once; later cycles resend them under new ids
CARD_POLL_SECONDS = 0.5
SETTLE_SECONDS = 240
APPROVALS_SETTLE_SECONDS = 20
NO_CARD_WAIT = 0.05
WARM_UP_CARDS = 20
WARM_UP_LIMIT = 60


@dataclass
class Results:
    """Latencies (ms) and failures per request kind; appends are safe across threads."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)

    def timed(self, kind: str, send: Callable[..., httpx.Response], *args, **kwargs) -> None:
        began = time.perf_counter()
        try:
            response = send(*args, **kwargs)
            failure = None if 200 <= response.status_code < 300 else str(response.status_code)
        except httpx.TransportError as exc:
            failure = type(exc).__name__
        elapsed = (time.perf_counter() - began) * 1000
        if failure is None:
            self.latencies.setdefault(kind, []).append(elapsed)
        else:
            self.failures.setdefault(kind, []).append(failure)

    def group(self, kinds: tuple[str, ...]) -> tuple[list[float], int]:
        times = [t for k in kinds for t in self.latencies.get(k, [])]
        return times, sum(len(self.failures.get(k, [])) for k in kinds)


def percentile(times: list[float], share: float) -> float:
    """Nearest rank, as bench/kpi_latency.py reports it."""
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class WaitingCards:
    """Cards waiting for a decision, found in the app's database, each handed out once."""

    def __init__(self, engine) -> None:
        self._engine = engine
        self._cards: queue.Queue[SlackCard] = queue.Queue()
        self._seen: set[int] = set()
        self.handed_out: list[int] = []

    def poll(self, stop: threading.Event) -> None:
        while not stop.wait(CARD_POLL_SECONDS):
            with Session(self._engine) as session:
                cards = session.exec(
                    select(SlackCard)
                    .join(Review, col(Review.id) == SlackCard.review_id)
                    .where(Review.status == "pending", SlackCard.state == "posted")
                    .where(col(Review.draft_error).is_(None))
                    # Nothing left to do, its redraw included: the card in Slack shows this
                    # version, as a person clicking it would see it.
                    .where(~select(Work.id).where(Work.review_id == Review.id).exists())
                ).all()
            for card in cards:
                if card.review_id not in self._seen:
                    self._seen.add(card.review_id)
                    self._cards.put(card)

    def waiting(self) -> int:
        return self._cards.qsize()

    def take(self) -> SlackCard | None:
        try:
            card = self._cards.get_nowait()
        except queue.Empty:
            return None
        self.handed_out.append(card.review_id)
        return card


def approve_click(card: SlackCard, user: str) -> dict:
    """The block_actions payload of a click on the card's Approve button."""
    button = {
        "action_id": ids.ACTION_APPROVE,
        "value": ids.encode_ref(card.review_id, card.version),
    }
    message = {"ts": card.ts, "blocks": [{"type": "actions", "elements": [button]}]}
    return block_action(message, ids.ACTION_APPROVE, user=user)


def slack_client(
    app_url: str,
    slack_base: str,
    cards: WaitingCards,
    results: Results,
    kinds: tuple[str, ...],
    n: int,
    until: float,
) -> None:
    """One Slack client: the `kinds` of request in turn, back to back, until `until`."""
    with httpx.Client(base_url=app_url, timeout=30) as http:
        slack = SlackRequests(http)
        for i in itertools.count(n):
            if time.monotonic() >= until:
                return
            user = USERS[i % len(USERS)]
            kind = kinds[i % len(kinds)]
            if kind == "approve":
                card = cards.take()
                if card is None:
                    # Every waiting card is clicked: the next kind in turn instead (or a
                    # moment's wait, with nothing else to send), never a pile of repeat clicks.
                    time.sleep(NO_CARD_WAIT if len(kinds) == 1 else 0)
                    continue
                results.timed(kind, slack.send_interaction, approve_click(card, user))
            elif kind == "home":
                event = {"type": "app_home_opened", "user": user, "tab": "home", "channel": "D0"}
                results.timed(kind, slack.send_event, event)
            elif kind == "pending":
                response_url = f"{slack_base}/response/{n}-{i}"
                results.timed("pending", slack.send_command, "pending", response_url=response_url)


def review_stream(reviews: list[dict], label: str) -> Iterator[dict]:
    """The pool over and over, each pass under new external ids so none is a duplicate
    (`label`: one per stream, so no two streams send the same)."""
    for cycle in itertools.count():
        for review in reviews:
            yield {**review, "external_id": f"{review['external_id']}-{label}c{cycle}"}


def ingest_stream(
    app_url: str,
    stream: Iterator[dict],
    rate: float,
    results: Results,
    until: float,
    sent_at: dict[str, float] | None = None,
) -> int:
    """POST one review every 1/rate s on schedule (open loop); returns how many were sent.
    `sent_at`: external id → when its POST went out (epoch seconds), for the time to the card."""
    headers = {"Authorization": f"Bearer {INGEST_TOKEN}"}
    sent = 0
    began = time.monotonic()
    # Enough senders (sharing one connection pool) that a slow answer delays no later review.
    with (
        httpx.Client(
            base_url=app_url, timeout=30, limits=httpx.Limits(max_connections=None)
        ) as http,
        ThreadPoolExecutor(max(8, int(rate))) as pool,
    ):
        for review in stream:
            due = began + sent / rate
            if due >= until:
                break
            time.sleep(max(0.0, due - time.monotonic()))
            if sent_at is not None:
                sent_at[review["external_id"]] = time.time()
            pool.submit(
                results.timed, "ingest", http.post, "/reviews", json=review, headers=headers
            )
            sent += 1
    return sent


def ingest_process(
    app_url: str, reviews: list[dict], label: str, rate: float, until: float
) -> tuple[Results, int, dict[str, float]]:
    """ingest_stream in a process of its own, so each answer is timed when it comes, not when
    the Slack clients' threads let this one have the GIL of a shared process. `until` is on
    the monotonic clock, which every process of the machine shares."""
    results = Results()
    sent_at: dict[str, float] = {}
    sent = ingest_stream(app_url, review_stream(reviews, label), rate, results, until, sent_at)
    return results, sent, sent_at


def ready() -> None:
    """A first call to the ingest process: it has started and imported this module."""


def warm_up(app_url: str, stream: Iterator[dict], cards: WaitingCards, rate: float) -> None:
    """Reviews until some cards wait for a decision, so the first clicks have a card."""
    deadline = time.monotonic() + WARM_UP_LIMIT
    while cards.waiting() < WARM_UP_CARDS:
        if time.monotonic() > deadline:
            raise SystemExit(f"no {WARM_UP_CARDS} cards within {WARM_UP_LIMIT} s of warm-up")
        ingest_stream(app_url, stream, rate, Results(), time.monotonic() + 1)


def approved_decisions(engine, review_ids: list[int]) -> int:
    with Session(engine) as session:
        return session.exec(
            select(func.count())
            .select_from(Decision)
            .where(Decision.action == "approved", col(Decision.review_id).in_(review_ids))
        ).one()


def settled_approvals(engine, review_ids: list[int]) -> tuple[int, float]:
    """Approved decisions on the clicked cards once they are all in (approval runs after the
    acknowledgement) or APPROVALS_SETTLE_SECONDS have passed, and the seconds that took."""
    began = time.monotonic()
    while (approved := approved_decisions(engine, review_ids)) < len(review_ids):
        if time.monotonic() - began > APPROVALS_SETTLE_SECONDS:
            break
        time.sleep(0.2)
    return approved, time.monotonic() - began


def triage_outcomes(engine, sent_at: dict[str, float]) -> tuple[dict[int, float], int]:
    """Of the reviews sent under load: review id → when its POST went out, of the negative
    ones; and how many are not triaged yet."""
    with Session(engine) as session:
        rows = session.exec(select(Review.id, Review.external_id, Review.negative)).all()
    sent = [
        (review_id, negative, sent_at[ext]) for review_id, ext, negative in rows if ext in sent_at
    ]
    negatives = {review_id: at for review_id, negative, at in sent if negative}
    return negatives, sum(negative is None for _, negative, _ in sent)


def times_to_card(slack_url: str, engine, sent_at: dict[str, float]) -> tuple[list[float], int]:
    """Seconds from each negative review's POST to its card's chat.postMessage reaching the
    fake Slack, once every review sent is triaged and every negative one carded, or
    SETTLE_SECONDS have passed; and how many negatives (or untriaged) had no card by then."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        negatives, untriaged = triage_outcomes(engine, sent_at)
        posts = card_posts(slack_url)
        carded = set(negatives) <= set(posts)
        if (carded and not untriaged) or time.monotonic() > deadline:
            break
        time.sleep(1)
    waits = [min(posts[rid]) - at for rid, at in negatives.items() if rid in posts]
    return waits, len(set(negatives) - set(posts)) + untriaged


def one_run(
    run: int, reviews: list[dict], options: argparse.Namespace, layout: str, backend: str
) -> dict[str, float]:
    results = Results()
    stop = threading.Event()
    with (
        fakes() as (slack_url, llm_url),
        fresh_database(backend, options.postgres) as database_url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        slack_base = slack_url.removesuffix("/").removesuffix("/api")
        env = app_environment(Path(tmp), slack_url, llm_url, database_url)
        engine = make_engine(database_url)
        try:
            with deployed(
                layout,
                env,
                Path(tmp),
                workers=options.workers,
                concurrency=options.concurrency,
                worker_nice=options.worker_nice,
            ) as app:
                cards = WaitingCards(engine)
                poller = threading.Thread(target=cards.poll, args=(stop,), daemon=True)
                poller.start()
                warm_up(app.url, review_stream(reviews, f"r{run}w"), cards, options.rate)
                spawn = multiprocessing.get_context("spawn")
                with (
                    ProcessPoolExecutor(1, mp_context=spawn) as ingester,
                    ThreadPoolExecutor(options.clients) as pool,
                ):
                    ingester.submit(ready).result()
                    cpu_before, postgres_before = app.cpu(), postgres_cpu_seconds()
                    until = time.monotonic() + options.seconds
                    ingest = ingester.submit(
                        ingest_process, app.url, reviews, f"r{run}l", options.rate, until
                    )
                    clients = [
                        pool.submit(
                            slack_client, app.url, slack_base, cards, results, options.mix, n, until
                        )
                        for n in range(options.clients)
                    ]
                    for future in clients:
                        future.result()
                    ingested, sent, sent_at = ingest.result()
                    cpu = {name: seconds - cpu_before[name] for name, seconds in app.cpu().items()}
                    if backend == "postgresql":
                        cpu["postgres"] = postgres_cpu_seconds() - postgres_before
                results.latencies["ingest"] = ingested.latencies.get("ingest", [])
                results.failures.update(ingested.failures)
                rss = app.rss()
                stop.set()
                poller.join()
                clicked = cards.handed_out
                approvals, settled_in = settled_approvals(engine, clicked)
                waits, uncarded = times_to_card(slack_url, engine, sent_at)
                imports = app.web_imports() if layout == "split" else {}
        finally:
            stop.set()
            engine.dispose()
    figures = report(f"{backend} {layout} run {run}", results, sent, options)
    figures["card_p50"] = statistics.median(waits) if waits else float("nan")
    figures["card_p95"] = percentile(waits, 0.95) if waits else float("nan")
    figures["uncarded"] = uncarded
    figures.update({f"rss {name}": mb for name, mb in rss.items()})
    figures.update({f"cpu {name}": seconds for name, seconds in cpu.items()})
    print(
        f"  Approve on {len(clicked)} waiting cards -> {approvals} approved decisions "
        f"({settled_in:.1f} s after the load stopped)\n"
        f"  POST /reviews to card: p50 {figures['card_p50']:.2f} s  p95 {figures['card_p95']:.2f} s"
        f" over {len(waits)} negative reviews, {uncarded} without a card (or triage)"
        f" {SETTLE_SECONDS} s after the load\n"
        f"  RSS {', '.join(f'{name} {mb:.0f} MB' for name, mb in rss.items())}\n"
        f"  CPU during the load {', '.join(f'{name} {s:.1f} s' for name, s in cpu.items())}"
    )
    for module, chain in imports.items():
        print(f"  web imported {module}: {' -> '.join(chain)}")
    return figures


def report(
    title: str,
    results: Results,
    sent: int,
    options: argparse.Namespace,
) -> dict[str, float]:
    figures: dict[str, float] = {}
    print(
        f"{title}: {options.seconds:.0f} s, {options.clients} Slack clients "
        f"({', '.join(options.mix)} in turn), {sent} reviews sent"
    )
    for name, kinds in (("slack", options.mix), ("ingest", ("ingest",))):
        times, failed = results.group(kinds)
        figures[f"{name}_median"] = statistics.median(times) if times else float("nan")
        figures[f"{name}_p99"] = percentile(times, 0.99) if times else float("nan")
        figures[f"{name}_requests"] = len(times) + failed
        figures[f"{name}_failed"] = failed
        print(
            f"  {name:<6} {len(times) + failed:6d} requests  median {figures[f'{name}_median']:7.1f} ms"
            f"  p99 {figures[f'{name}_p99']:7.1f} ms  max {max(times, default=float('nan')):7.1f} ms"
            f"  failed {failed}"
        )
    for kind in options.mix:
        times = results.latencies.get(kind, [])
        if times:
            print(
                f"    {kind:<8} {len(times):6d}  median {statistics.median(times):7.1f} ms"
                f"  p99 {percentile(times, 0.99):7.1f} ms"
            )
    for kind, failures in results.failures.items():
        print(f"  failed {kind}: {dict(Counter(failures))}")
    figures["achieved_rate"] = sent / options.seconds
    return figures


def summary(backend: str, layout: str, runs: list[dict[str, float]]) -> dict[str, float]:
    medians = {
        name: statistics.median(r[name] for r in runs)
        for name in runs[0]
        if all(name in r for r in runs)
    }
    print(f"{backend} {layout}: medians over {len(runs)} runs")
    for name in ("slack", "ingest"):
        failed = sum(r[f"{name}_failed"] for r in runs)
        print(
            f"  {name:<6} answer median {medians[f'{name}_median']:6.1f} ms"
            f"  p99 {medians[f'{name}_p99']:6.1f} ms"
            f"  ({medians[f'{name}_requests']:.0f} requests a run, {failed:.0f} failed in all)"
        )
    print(
        f"  POST /reviews to card: p50 {medians['card_p50']:.2f} s  p95 {medians['card_p95']:.2f} s"
        f"  ({sum(r['uncarded'] for r in runs):.0f} negatives without a card in all)"
    )
    rss = {name.removeprefix("rss "): mb for name, mb in medians.items() if name.startswith("rss ")}
    print(f"  RSS {', '.join(f'{name} {mb:.0f} MB' for name, mb in rss.items())}")
    cpu = {name.removeprefix("cpu "): s for name, s in medians.items() if name.startswith("cpu ")}
    print(f"  CPU during the load {', '.join(f'{name} {s:.1f} s' for name, s in cpu.items())}")
    print(f"  ingest rate achieved: {medians['achieved_rate']:.1f}/s")
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=20, help="concurrent Slack clients")
    parser.add_argument("--rate", type=float, default=20, help="reviews POSTed per second")
    parser.add_argument(
        "--mix",
        type=lambda text: tuple(text.split(",")),
        default=KINDS,
        help=f"Slack requests each client sends in turn (default {','.join(KINDS)})",
    )
    parser.add_argument(
        "--layouts",
        type=lambda text: tuple(text.split(",")),
        default=LAYOUTS,
        help="run (one `reviewbot run`), split (web + workers); default both",
    )
    add_deployment_options(parser)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    options = parser.parse_args()
    if not set(options.mix) <= set(KINDS):
        parser.error(f"--mix takes {', '.join(KINDS)}")
    if not set(options.layouts) <= set(LAYOUTS):
        parser.error(f"--layouts takes {', '.join(LAYOUTS)}")
    if not options.data.is_dir():
        raise SystemExit(f"no review data in {options.data} (give --data DIR)")

    reviews = load_reviews(options.data, REVIEW_POOL, None)
    backends = [b for b in options.backends if b == "sqlite" or options.postgres]
    failed = False
    for backend in backends:
        # Layouts alternate within each run, so both see the same moments of a noisy machine.
        runs: dict[str, list[dict[str, float]]] = {layout: [] for layout in options.layouts}
        for run in range(1, options.runs + 1):
            for layout in options.layouts:
                runs[layout].append(one_run(run, reviews, options, layout, backend))
        medians = {layout: summary(backend, layout, figures) for layout, figures in runs.items()}
        if set(medians) == set(LAYOUTS):
            run_, split = medians["run"], medians["split"]
            print(
                f"{backend} split / run: ingest p50 {split['ingest_median'] / run_['ingest_median']:.2f}"
                f"  p99 {split['ingest_p99'] / run_['ingest_p99']:.2f}"
                f"  slack p99 {split['slack_p99'] / run_['slack_p99']:.2f}"
                f"  card p50 {split['card_p50'] / run_['card_p50']:.2f}"
                f"  p95 {split['card_p95'] / run_['card_p95']:.2f}"
            )
        failed |= any(r["slack_failed"] or r["ingest_failed"] for f in runs.values() for r in f)
    if failed:
        raise SystemExit("FAILED: some requests failed")


if __name__ == "__main__":
    main()
