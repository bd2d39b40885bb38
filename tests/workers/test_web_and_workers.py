"""`reviewbot web` and two `reviewbot worker` processes on one database (SQLite, and
PostgreSQL when TEST_DATABASE_URL is set): a burst of reviews, a worker killed in the middle
of it, and still every negative review carded once, drafted once, and every approval
published once. A worker cut off from PostgreSQL stops, and the others take its work over."""

from __future__ import annotations

import json
import signal
from collections import Counter

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from bot.blocks import ids
from storage.db import make_engine
from storage.models import Decision, Draft, Review, SlackCard, Work
from tests.support.harness import REVIEWS_CHANNEL, SlackRequests
from tests.support.processes import TcpProxy, wait_until
from tests.support.workflow import block_action

pytestmark = pytest.mark.timed_wait  # the workers' poll is a timed wait: not under faketime

NEGATIVE = "Kaffet var kallt och personalen otrevlig. Vi väntade en halvtimme."
POSITIVE = "Underbart fika, vi kommer tillbaka!"


def review(n: int, *, negative: bool) -> dict:
    return {
        "source": "google",
        "external_id": f"burst-{n}",
        "rating": 1 if negative else 5,
        "text": NEGATIVE if negative else POSITIVE,
        "author": f"Kund {n}",
        "language": "sv",
    }


def cards_in_slack(fake_slack) -> Counter[int]:
    """review id → how many card messages Slack holds for it."""
    found: Counter[int] = Counter()
    for message in fake_slack.messages(REVIEWS_CHANNEL):
        payload = (message.get("metadata") or {}).get("event_payload") or {}
        if "review_id" in payload:
            found[payload["review_id"]] += 1
    return found


def stored(database_url: str) -> dict[str, object]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            reviews = {r.external_id: r for r in session.exec(select(Review))}
            return {
                "reviews": reviews,
                "drafts": Counter(d.review_id for d in session.exec(select(Draft))),
                "cards": {c.review_id: c for c in session.exec(select(SlackCard))},
                "work": session.exec(select(sa.func.count()).select_from(Work)).one(),
                "approvals": Counter(
                    d.review_id
                    for d in session.exec(select(Decision).where(Decision.action == "approved"))
                ),
            }
    finally:
        engine.dispose()


def approvable(fake_slack) -> set[int]:
    """The reviews whose card in Slack offers Approve: drafted, as the team sees it."""
    return {
        (m.get("metadata") or {}).get("event_payload", {}).get("review_id")
        for m in fake_slack.messages(REVIEWS_CHANNEL)
        if ids.ACTION_APPROVE in json.dumps(m.get("blocks") or [])
    }


def all_done(database_url: str, fake_slack, negatives: set[str], total: int) -> bool:
    now = stored(database_url)
    reviews = now["reviews"]
    return (
        len(reviews) == total
        and now["work"] == 0
        and all(reviews[key].status == "pending" for key in negatives)
        and {reviews[key].id for key in negatives} <= approvable(fake_slack)
    )


def progress(database_url: str, fake_slack) -> str:
    now = stored(database_url)
    return (
        f"statuses {Counter(r.status for r in now['reviews'].values())}, work {now['work']}, "
        f"approvable {sorted(approvable(fake_slack))}, cards {sorted(now['cards'])}"
    )


def test_a_burst_survives_a_killed_worker_carded_and_published_once(
    cluster, database_url, fake_slack, fake_openai, receiver
):
    fake_openai.set_fault_rates(hang_rate=1.0, hang_seconds=0.4)  # the model takes its time
    web = cluster.web()
    doomed = cluster.worker("worker-a")
    survivor = cluster.worker("worker-b")
    burst = [review(n, negative=n % 3 != 0) for n in range(36)]
    negatives = {r["external_id"] for r in burst if r["rating"] == 1}

    for start in range(0, 18, 3):
        cluster.post(web, burst[start : start + 3])
    wait_until(
        lambda: (doomed.health() or {}).get("activity", {}).get("running_here", 0) > 0,
        timeout=30,
        what="the first worker busy with a step",
    )
    doomed.popen.send_signal(signal.SIGKILL)
    for start in range(18, 36, 3):
        cluster.post(web, burst[start : start + 3])

    wait_until(
        lambda: all_done(database_url, fake_slack, negatives, len(burst)),
        timeout=60,
        what=lambda: f"every negative review carded: {progress(database_url, fake_slack)}",
    )
    now = stored(database_url)
    reviews = now["reviews"]
    negative_ids = {reviews[key].id for key in negatives}
    positive_ids = {r.id for key, r in reviews.items() if key not in negatives}
    assert cards_in_slack(fake_slack) == Counter({review_id: 1 for review_id in negative_ids})
    assert now["drafts"] == Counter({review_id: 1 for review_id in negative_ids})
    assert all(reviews[key].status == "positive" for key in reviews if key not in negatives)
    assert not positive_ids & set(now["cards"])
    assert "taking over" in survivor.output() or "taking over" in doomed.output()

    # Approvals clicked through web: each decided and published once.
    slack = SlackRequests(httpx.Client(base_url=web.health_url.removesuffix("/healthz")))
    approved = sorted(negative_ids)[:4]
    messages = {
        (m.get("metadata") or {}).get("event_payload", {}).get("review_id"): m
        for m in fake_slack.messages(REVIEWS_CHANNEL)
    }
    for review_id in approved:
        click = block_action(messages[review_id], ids.ACTION_APPROVE)
        assert slack.send_interaction(click).status_code == 200
        assert slack.send_interaction(click).status_code == 200  # a double click
    wait_until(
        lambda: (
            len(receiver.received) >= len(approved)
            and stored(database_url)["approvals"] == Counter({i: 1 for i in approved})
        ),
        timeout=30,
        what="the approvals published",
    )
    published = Counter(item["body"]["external_id"] for item in receiver.received)
    assert published == Counter({reviews_by_id(reviews)[i]: 1 for i in approved})

    web_health, worker_health = web.health(), survivor.health()
    assert web_health["activity"]["role"] == "web"
    assert web_health["activity"]["leader"] is False
    assert web_health["activity"]["work"]["draft"] == {
        "queued": 0,
        "claimed": 0,
        "oldest_queued_seconds": None,
    }
    assert worker_health["activity"]["role"] == "worker"
    wait_until(
        lambda: survivor.health()["activity"]["leader"] is True,
        timeout=10,
        what="the surviving worker leading the jobs",
    )


def reviews_by_id(reviews: dict[str, Review]) -> dict[int, str]:
    return {r.id: key for key, r in reviews.items() if r.id is not None}


def test_a_worker_cut_off_from_postgresql_stops_and_its_work_is_taken_over(
    cluster, database_url, fake_slack, fake_openai
):
    if not database_url.startswith("postgresql"):
        pytest.skip("a SQLite file has no connection to lose")
    url = sa.engine.make_url(database_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    fake_openai.set_fault_rates(hang_rate=1.0, hang_seconds=3)  # claims held while cut off
    web = cluster.web()
    cut_off = cluster.worker("worker-cut-off", DATABASE_URL=proxied)
    burst = [review(n, negative=True) for n in range(6)]
    cluster.post(web, burst)
    # A draft (the model answers in 3 s), not a quick triage or card that may end before the cut.
    wait_until(
        lambda: drafts_claimed(cut_off) > 0,
        timeout=30,
        what="the worker behind the proxy writing a draft",
    )

    proxy.cut()
    fake_openai.set_fault_rates(hang_rate=1.0, hang_seconds=0.2)
    wait_until(
        lambda: (cut_off.health() or {}).get("status") == "failing",
        timeout=10,
        what="the cut-off worker reporting its database gone",
    )
    taking_over = cluster.worker("worker-b")

    negatives = {r["external_id"] for r in burst}
    wait_until(
        lambda: all_done(database_url, fake_slack, negatives, len(burst)),
        timeout=60,
        what=lambda: f"the work taken over: {progress(database_url, fake_slack)}",
    )
    now = stored(database_url)
    ids_ = {r.id for r in now["reviews"].values()}
    assert cards_in_slack(fake_slack) == Counter({review_id: 1 for review_id in ids_})
    assert now["drafts"] == Counter({review_id: 1 for review_id in ids_})
    assert "taking over" in taking_over.output()
    assert "could not claim" in cut_off.output()


def drafts_claimed(worker) -> int:
    """Drafts held by a worker within their lease, as a worker's /healthz reports them."""
    activity = (worker.health() or {}).get("activity", {})
    return activity.get("work", {}).get("draft", {}).get("claimed", 0)
