"""Slack acknowledgements under load, while reviews keep arriving.

    .venv/bin/python bench/interaction_load.py [--seconds 60] [--runs 3] [--clients 20] [--rate 20]

Starts the fake Slack and fake OpenAI servers and `reviewbot run` as separate processes (the
helpers of bench/chaos.py). For `--seconds`, `--clients` Slack clients each send one signed
request after another — an Approve click on a waiting card, `/reviews pending`, an
`app_home_opened` event, in turn — while real reviews are POSTed to /reviews at `--rate` per
second, each on its own schedule whatever the answers take. Measures the time to the HTTP
answer (Slack's acknowledgement, ingest's 202) and counts failed requests (non-2xx or a
transport error), which must be none. Prints each run and the medians over the runs: these
machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import itertools
import os
import queue
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func
from sqlmodel import Session, col, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.chaos import App, free_port, load_reviews, start_fake  # noqa: E402
from bot.blocks import ids  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.models import Decision, Review, SlackCard  # noqa: E402
from tests.support.harness import INGEST_TOKEN, REVIEWS_CHANNEL, SIGNING_SECRET, SlackRequests  # noqa: E402
from tests.support.workflow import block_action  # noqa: E402

USERS = ("U0ANNA", "U0BJORN", "U0CARL", "U0DINA")
KINDS = ("approve", "pending", "home")
REVIEW_POOL = 1000  # real reviews loaded once; later cycles resend them under new ids
CARD_POLL_SECONDS = 0.5
SETTLE_SECONDS = 120
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


def review_stream(reviews: list[dict], run: int) -> Iterator[dict]:
    """The pool over and over, each pass under new external ids so none is a duplicate."""
    for cycle in itertools.count():
        for review in reviews:
            yield {**review, "external_id": f"{review['external_id']}-r{run}c{cycle}"}


def ingest_stream(
    app_url: str, stream: Iterator[dict], rate: float, results: Results, until: float
) -> int:
    """POST one review every 1/rate s on schedule (open loop); returns how many were sent."""
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
            pool.submit(
                results.timed, "ingest", http.post, "/reviews", json=review, headers=headers
            )
            sent += 1
    return sent


def app_environment(tmp: str, slack_url: str, llm_url: str, database_url: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))},
        "WORKDIR": tmp,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_url,
        "REVIEWS_CHANNEL": REVIEWS_CHANNEL,
        "INGEST_TOKEN": INGEST_TOKEN,
        "OPENAI_API_KEY": "sk-bench-0000000000",
        "OPENAI_BASE_URL": llm_url,
        "DATABASE_URL": database_url,
        "PORT": str(free_port()),
        "HOST": "127.0.0.1",
        # The fake Slack has no rate limit to pace for; pacing is measured elsewhere.
        "CARD_POST_INTERVAL": "0",
        "LOG_LEVEL": "WARNING",
    }


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
    acknowledgement) or SETTLE_SECONDS have passed, and the seconds that took."""
    began = time.monotonic()
    while (approved := approved_decisions(engine, review_ids)) < len(review_ids):
        if time.monotonic() - began > SETTLE_SECONDS:
            break
        time.sleep(0.2)
    return approved, time.monotonic() - began


def one_run(run: int, reviews: list[dict], options: argparse.Namespace) -> dict[str, float]:
    slack, slack_url = start_fake("tests.fakes.slack_api")
    llm, llm_url = start_fake("tests.fakes.openai_api")
    slack_base = slack_url.removesuffix("/").removesuffix("/api")
    results = Results()
    stop = threading.Event()
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{tmp}/load.db"
        env = app_environment(tmp, slack_url, llm_url, database_url)
        app = App(env, int(env["PORT"]), ROOT / "bench" / "out" / "interaction-load-app.log")
        app.start()
        engine = make_engine(database_url)
        try:
            cards = WaitingCards(engine)
            poller = threading.Thread(target=cards.poll, args=(stop,), daemon=True)
            poller.start()
            stream = review_stream(reviews, run)
            warm_up(app.url, stream, cards, options.rate)
            until = time.monotonic() + options.seconds
            with ThreadPoolExecutor(options.clients + 1) as pool:
                ingest = pool.submit(ingest_stream, app.url, stream, options.rate, results, until)
                clients = [
                    pool.submit(
                        slack_client, app.url, slack_base, cards, results, options.mix, n, until
                    )
                    for n in range(options.clients)
                ]
                for future in clients:
                    future.result()
                sent = ingest.result()
            stop.set()
            poller.join()
            clicked = cards.handed_out
            approvals, settled_in = settled_approvals(engine, clicked)
        finally:
            stop.set()
            engine.dispose()
            app.stop()
            slack.terminate()
            llm.terminate()
    figures = report(run, results, sent, options)
    print(
        f"  Approve on {len(clicked)} waiting cards -> {approvals} approved decisions "
        f"({settled_in:.1f} s after the load stopped)"
    )
    return figures


def report(
    run: int,
    results: Results,
    sent: int,
    options: argparse.Namespace,
) -> dict[str, float]:
    figures: dict[str, float] = {}
    print(
        f"run {run}: {options.seconds:.0f} s, {options.clients} Slack clients "
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
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    options = parser.parse_args()
    if not set(options.mix) <= set(KINDS):
        parser.error(f"--mix takes {', '.join(KINDS)}")
    if not options.data.is_dir():
        raise SystemExit(f"no review data in {options.data} (give --data DIR)")

    reviews = load_reviews(options.data, REVIEW_POOL)
    runs = [one_run(run, reviews, options) for run in range(1, options.runs + 1)]
    print(f"medians over {len(runs)} runs:")
    for name in ("slack", "ingest"):
        median = statistics.median(r[f"{name}_median"] for r in runs)
        p99 = statistics.median(r[f"{name}_p99"] for r in runs)
        failed = sum(r[f"{name}_failed"] for r in runs)
        requests = statistics.median(r[f"{name}_requests"] for r in runs)
        print(
            f"  {name:<6} ack median {median:6.1f} ms  p99 {p99:6.1f} ms"
            f"  ({requests:.0f} requests a run, {failed:.0f} failed in all)"
        )
    print(f"  ingest rate achieved: {statistics.median(r['achieved_rate'] for r in runs):.1f}/s")
    if any(r["slack_failed"] or r["ingest_failed"] for r in runs):
        raise SystemExit("FAILED: some requests failed")


if __name__ == "__main__":
    main()
