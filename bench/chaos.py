"""Crash and fault run: nothing lost, nothing doubled.

    .venv/bin/python bench/chaos.py [--reviews 500] [--faults] [--data ../shared/data]

Starts the fake Slack and fake OpenAI servers and `reviewbot run` as separate processes, sends
a burst of real reviews (one per request, eight at a time, each retried until it is accepted,
as a source would), kills the app with SIGKILL half-way through, starts it again, waits for the
flow to settle, then clicks Approve twice at once on a sample of cards. With --faults the fake
Slack answers 429 (Retry-After) to a third of calls and 5xx to a tenth, and the fake LLM fails
or hangs past the client's timeout on a fifth of requests. Prints the counts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import func
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.blocks import ids  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.models import Decision, Review, SlackCard  # noqa: E402
from tests.harness import SlackRequests  # noqa: E402

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


def load_reviews(data: Path, count: int) -> list[dict]:
    rng = random.Random(7)
    per_file = count // len(FILES) + 1
    reviews = []
    for name in FILES:
        rows = [json.loads(line) for line in (data / name).read_text(encoding="utf-8").splitlines()]
        for row in rng.sample(rows, per_file):
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
        self.log = log.open("w")
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            env=self.env,
            cwd=self.env["WORKDIR"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
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


def send_burst(app: App, reviews: list[dict], kill_after: int) -> int:
    """Every review until it is accepted; the app is killed and restarted along the way."""
    accepted = 0
    lock = threading.Lock()
    killed = threading.Event()
    attempts = Counter()

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
            if accepted == kill_after and not killed.is_set():
                killed.set()
                app.kill()
                app.start()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(send, reviews))
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


def card_posts(slack_url: str) -> Counter:
    base = slack_url.removesuffix("/").removesuffix("/api")
    calls = httpx.get(f"{base}/_fake/calls", timeout=30).json()["calls"]
    posts = Counter()
    for call in calls:
        if call["method"] != "chat.postMessage" or call["error"] is not None:
            continue
        metadata = call["args"].get("metadata") or {}
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        review_id = (metadata.get("event_payload") or {}).get("review_id")
        if review_id is not None:
            posts[review_id] += 1
    return posts


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
    args = parser.parse_args()

    slack_args = ["--rate-429", "0.33", "--rate-5xx", "0.1", "--seed", "1"] if args.faults else []
    llm_args = (
        ["--fail-rate", "0.2", "--delay-rate", "0.05", "--delay-seconds", "3", "--seed", "1"]
        if args.faults
        else []
    )
    slack, slack_url = start_fake("tests.fakes.slack_api", *slack_args)
    llm, llm_url = start_fake("tests.fakes.openai_api", *llm_args)
    reviews = load_reviews(args.data, args.reviews)
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
            "LOG_LEVEL": "WARNING",
        }
        app = App(env, int(env["PORT"]), ROOT / "bench" / "out" / "chaos-app.log")
        app.start()
        started = time.monotonic()
        try:
            requests = send_burst(app, reviews, kill_after=len(reviews) // 2)
            engine = make_engine(database_url)
            settle(engine, args.settle)
            sample, approvals = double_approvals(app, engine, 50)
            elapsed = time.monotonic() - started
            posts = card_posts(slack_url)
            with Session(engine) as session:
                stored = session.exec(select(func.count()).select_from(Review)).one()
                negatives = set(
                    session.exec(select(Review.id).where(Review.negative.is_(True))).all()
                )
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
    print(
        f"{'faults + crash' if args.faults else 'crash'} run: {len(reviews)} reviews ({requests} requests), app killed with SIGKILL after {len(reviews) // 2} accepted, {elapsed:.0f}s"
    )
    print(f"  reviews in: {unique}   stored: {stored}   lost: {unique - stored}")
    print(
        f"  negative: {len(negatives)}   cards out: {len(carded)}   negatives without a card: {len(negatives - carded)}   duplicate card posts: {sum(n - 1 for n in posts.values() if n > 1)}"
    )
    print(f"  positive stored: {positives}   drafts failed (card shows Try again): {failed_drafts}")
    print(
        f"  approvals: {sample} cards clicked Approve by two people at once -> {approvals} approved decisions (doubled: {max(approvals - sample, 0)}, missing: {max(sample - approvals, 0)})"
    )


if __name__ == "__main__":
    main()
