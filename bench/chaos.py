"""Crash and fault run: nothing lost, nothing doubled, and how long a card takes.

    .venv/bin/python bench/chaos.py [--reviews 500] [--faults] [--kill-at 4] [--redeliver]
                                    [--negative-share 0.85] [--data ../shared/data]

The storm of the reviews: `--reviews 60 --faults --kill-at 4 --redeliver --negative-share 0.85`.

Starts the fake Slack and fake OpenAI servers and `reviewbot run` as separate processes, sends
a burst of real reviews (one per request, eight at a time, each retried until it is accepted,
as a source would), kills the app with SIGKILL half-way through (or --kill-at seconds into the
burst), starts it again, with --redeliver sends the whole burst again (as a source that
re-delivers after an outage), waits for the flow to settle, then clicks Approve twice at once
on a sample of cards. With --faults the fake Slack answers 429 (Retry-After) to --rate-429 of
calls and 5xx to --rate-5xx, and the fake LLM fails or hangs past the client's timeout on a
fifth of requests. Prints the counts, the time from a review being stored to its card being
in Slack (p50, p95, max), the time from the restart to the last card, and how many outbox
sweeps (one at each start, then one every JOB_INTERVAL) had begun by the last card.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.blocks import ids  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.models import Decision, Review, SlackCard  # noqa: E402
from tests.support.harness import SlackRequests  # noqa: E402

SECRET = "chaos-signing-secret"
INGEST = "chaos-ingest-token"
CHANNEL = "C0CHAOS"
FILES = ("sv.jsonl", "no.jsonl", "fi.jsonl", "zh-Hans.jsonl", "zh-Hant.jsonl")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_fake(module: str, *args: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--port", str(free_port()), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = process.stdout.readline().strip().split()[-1]
    return process, url


def load_reviews(data: Path, count: int, negative_share: float | None) -> list[dict]:
    """`negative_share`: that share of the reviews labelled negative (else as sampled)."""
    rng = random.Random(7)
    per_file = count // len(FILES) + 1
    reviews = []
    for name in FILES:
        rows = [json.loads(line) for line in (data / name).read_text(encoding="utf-8").splitlines()]
        if negative_share is None:
            chosen = rng.sample(rows, per_file)
        else:
            wanted = round(per_file * negative_share)
            negative = [r for r in rows if r["label"] == "negative"]
            positive = [r for r in rows if r["label"] == "positive"]
            chosen = rng.sample(negative, wanted) + rng.sample(positive, per_file - wanted)
            rng.shuffle(chosen)
        for row in chosen:
            rating = row["rating"] or {
                "negative": rng.choice([1, 2]),
                "positive": rng.choice([4, 5]),
            }.get(row["label"], 3)
            reviews.append(
                {
                    "source": "chaos",
                    "external_id": row["external_id"],
                    "rating": rating,
                    "text": row["text"],
                    "author": "Chaos Test",
                }
            )
    return reviews[:count]


class App:
    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.process = env, port, None
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log
        self.log = log.open("w")
        self.url = f"http://127.0.0.1:{port}"
        self.starts: list[float] = []  # wall-clock times the app began serving

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            env=self.env,
            cwd=self.env["WORKDIR"],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    self.starts.append(time.time())
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise SystemExit("reviewbot run did not start")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def send_burst(app: App, reviews: list[dict], *, kill_after: int, kill_at: float | None) -> int:
    """Every review until it is accepted; the app is killed and restarted along the way, after
    `kill_after` accepted or, when given, `kill_at` seconds into the burst."""
    accepted = 0
    lock = threading.Lock()
    killed = threading.Event()
    attempts = Counter()

    def crash() -> None:
        if not killed.is_set():
            killed.set()
            app.kill()
            app.start()

    def send(review: dict) -> None:
        nonlocal accepted
        with httpx.Client(timeout=30) as client:
            while True:
                attempts[review["external_id"]] += 1
                try:
                    response = client.post(
                        f"{app.url}/reviews",
                        json=review,
                        headers={"Authorization": f"Bearer {INGEST}"},
                    )
                    if response.status_code == 202:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
        with lock:
            accepted += 1
            if kill_at is None and accepted == kill_after:
                crash()

    timer = threading.Timer(kill_at, crash) if kill_at is not None else None
    if timer is not None:
        timer.start()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(send, reviews))
    if timer is not None:
        timer.join()
    return sum(attempts.values())


def settle(engine, timeout: float) -> None:
    """Until every negative review has a posted card and nothing is mid-flow."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with Session(engine) as session:
            busy = session.exec(
                select(func.count())
                .select_from(Review)
                .where(Review.status.in_(["received", "triaged", "drafting"]))
            ).one()
            uncarded = session.exec(
                select(func.count())
                .select_from(Review)
                .where(Review.negative.is_(True))
                .where(
                    ~select(SlackCard.id)
                    .where(SlackCard.review_id == Review.id, SlackCard.state == "posted")
                    .exists()
                )
            ).one()
        if busy == 0 and uncarded == 0:
            return
        time.sleep(1)
    print(
        f"  did not settle in {timeout:.0f}s: {busy} reviews mid-flow, {uncarded} negatives without a card"
    )


def card_posts(slack_url: str) -> dict[int, list[float]]:
    """review id → when each card for it was accepted by Slack (epoch seconds)."""
    base = slack_url.removesuffix("/").removesuffix("/api")
    calls = httpx.get(f"{base}/_fake/calls", timeout=30).json()["calls"]
    posts: dict[int, list[float]] = {}
    for call in calls:
        if call["method"] != "chat.postMessage" or call["error"] is not None:
            continue
        metadata = call["args"].get("metadata") or {}
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        if metadata.get("event_type") != "review_card":
            continue
        review_id = (metadata.get("event_payload") or {}).get("review_id")
        if review_id is not None:
            posts.setdefault(review_id, []).append(call["at"])
    return posts


_LOG_TIME = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) .*running job bot\.jobs\.outbox:run"
)


def sweeps_before(app: App, last_card: float) -> int:
    """Outbox sweeps begun by `last_card`: one as each process starts, then the scheduled ones."""
    app.log.flush()
    scheduled = 0
    for line in app.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _LOG_TIME.match(line)
        if match:
            at = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=UTC)
            scheduled += at.timestamp() <= last_card
    return sum(start <= last_card for start in app.starts) + scheduled


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def double_approvals(app: App, engine, sample: int) -> tuple[int, int]:
    with Session(engine) as session:
        cards = session.exec(
            select(SlackCard)
            .join(Review, Review.id == SlackCard.review_id)
            .where(Review.status == "pending", SlackCard.state == "posted")
            # A review whose draft failed has nothing to approve yet (its card offers Try again).
            .where(Review.draft_error.is_(None))
            .limit(sample)
        ).all()
    slack = SlackRequests(httpx.Client(base_url=app.url, timeout=30))

    def click(card: SlackCard, user: str) -> None:
        payload = {
            "type": "block_actions",
            "team": {"id": "T0TEST"},
            "user": {"id": user, "team_id": "T0TEST"},
            "api_app_id": "A0APP",
            "container": {"type": "message", "message_ts": card.ts, "channel_id": card.channel},
            "channel": {"id": card.channel},
            "message": {"ts": card.ts, "blocks": []},
            "trigger_id": f"t-{time.monotonic_ns()}",
            "actions": [
                {
                    "type": "button",
                    "action_id": ids.ACTION_APPROVE,
                    "block_id": "review_actions",
                    "value": ids.encode_ref(card.review_id, card.version),
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return slack.send_interaction(payload, secret=SECRET).status_code

    with ThreadPoolExecutor(16) as pool:
        clicks = [(c, u) for c in cards for u in ("U0ANNA", "U0BJORN")]
        statuses = Counter(pool.map(lambda args: click(*args), clicks))
    if set(statuses) != {200}:
        print(f"  clicks answered: {dict(statuses)}")
    reviews = [c.review_id for c in cards]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with Session(engine) as session:
            approvals = session.exec(
                select(Decision.review_id).where(
                    Decision.action == "approved", Decision.review_id.in_(reviews)
                )
            ).all()
        if len(set(approvals)) == len(reviews):
            break
        time.sleep(0.5)
    return len(reviews), len(approvals)  # rows, so a doubled decision shows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reviews", type=int, default=500)
    parser.add_argument("--faults", action="store_true")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--settle", type=float, default=600)
    parser.add_argument("--kill-at", type=float, help="seconds into the burst (default: half-way)")
    parser.add_argument("--no-crash", action="store_true", help="quiet weather: no SIGKILL")
    parser.add_argument("--redeliver", action="store_true", help="send the burst again after")
    parser.add_argument("--negative-share", type=float, help="share of negative reviews sent")
    parser.add_argument("--seed", type=int, default=1, help="of the fake Slack's faults")
    parser.add_argument("--rate-429", type=float, default=0.3)
    parser.add_argument("--rate-5xx", type=float, default=0.1)
    args = parser.parse_args()

    rates = ["--rate-429", str(args.rate_429), "--rate-5xx", str(args.rate_5xx)]
    slack_args = [*rates, "--seed", str(args.seed)] if args.faults else []
    llm_args = (
        ["--fail-rate", "0.2", "--delay-rate", "0.05", "--delay-seconds", "3", "--seed", "1"]
        if args.faults
        else []
    )
    slack, slack_url = start_fake("tests.fakes.slack_api", *slack_args)
    llm, llm_url = start_fake("tests.fakes.openai_api", *llm_args)
    reviews = load_reviews(args.data, args.reviews, args.negative_share)
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{tmp}/chaos.db"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))},
            "WORKDIR": tmp,
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack_url,
            "REVIEWS_CHANNEL": CHANNEL,
            "INGEST_TOKEN": INGEST,
            "OPENAI_API_KEY": "sk-chaos-0000000000",
            "OPENAI_BASE_URL": llm_url,
            "OPENAI_TIMEOUT": "2",
            "OPENAI_MAX_RETRIES": "2",
            "DATABASE_URL": database_url,
            "PORT": str(free_port()),
            "HOST": "127.0.0.1",
            "CARD_POST_INTERVAL": "0",
            "LOG_LEVEL": "INFO",
        }
        app = App(env, int(env["PORT"]), ROOT / "bench" / "out" / "chaos-app.log")
        app.start()
        started = time.monotonic()
        try:
            requests = send_burst(
                app,
                reviews,
                kill_after=-1 if args.no_crash else len(reviews) // 2,
                kill_at=None if args.no_crash else args.kill_at,
            )
            if args.redeliver:
                requests += send_burst(app, reviews, kill_after=0, kill_at=None)
            engine = make_engine(database_url)
            settle(engine, args.settle)
            settled = time.time()
            sample, approvals = double_approvals(app, engine, 50)
            elapsed = time.monotonic() - started
            posts = card_posts(slack_url)
            with Session(engine) as session:
                stored = session.exec(select(func.count()).select_from(Review)).one()
                stored_at = dict(
                    session.exec(
                        select(Review.id, Review.received_at).where(Review.negative.is_(True))
                    ).all()
                )
                negatives = set(stored_at)
                positives = session.exec(
                    select(func.count()).select_from(Review).where(Review.negative.is_(False))
                ).one()
                failed_drafts = session.exec(
                    select(func.count()).select_from(Review).where(Review.draft_error.is_not(None))
                ).one()
            engine.dispose()
        finally:
            app.stop()
            slack.terminate()
            llm.terminate()

    unique = len({r["external_id"] for r in reviews})
    carded = negatives & set(posts)
    killed = (
        "never"
        if args.no_crash
        else f"{args.kill_at:g}s into the burst"
        if args.kill_at
        else f"after {len(reviews) // 2} accepted"
    )
    print(
        f"{'faults' if args.faults else 'quiet'}{'' if args.no_crash else ' + crash'} run: {len(reviews)} reviews ({requests} requests{', re-delivered' if args.redeliver else ''}), app killed with SIGKILL: {killed}, {elapsed:.0f}s"
    )
    print(f"  reviews in: {unique}   stored: {stored}   lost: {unique - stored}")
    print(
        f"  negative: {len(negatives)}   cards out: {len(carded)}   negatives without a card: {len(negatives - carded)}   duplicate card posts: {sum(len(n) - 1 for n in posts.values() if len(n) > 1)}"
    )
    restart = app.starts[-1]
    first_cards = {rid: min(posts[rid]) for rid in carded}
    waits = [first_cards[rid] - stored_at[rid].replace(tzinfo=UTC).timestamp() for rid in carded]
    if waits:
        last = max(first_cards.values())
        late = sum(at > restart + 150 for at in first_cards.values()) + len(negatives - carded)
        print(
            f"  stored to card: p50 {statistics.median(waits):.1f}s   p95 {percentile(waits, 0.95):.1f}s   max {max(waits):.1f}s   last card {last - restart:.0f}s after the restart   negatives without a card 150s after the restart: {late}   sweeps begun by the last card: {sweeps_before(app, last)}"
        )
    if negatives - carded:
        print(
            f"  still without a card when the run settled ({settled - restart:.0f}s after the restart)"
        )
    print(f"  positive carded: {len(set(posts) - negatives)}")
    print(f"  positive stored: {positives}   drafts failed (card shows Try again): {failed_drafts}")
    print(
        f"  approvals: {sample} cards clicked Approve by two people at once -> {approvals} approved decisions (doubled: {max(approvals - sample, 0)}, missing: {max(sample - approvals, 0)})"
    )


if __name__ == "__main__":
    main()
