"""/healthz, /readyz and POST /reviews when the SQLite file is deleted, replaced or locked
under the running server: a quick 503 naming the problem, and nothing stored anywhere."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import Session, select

from storage.models import Review
from tests.support.harness import AppHarness
from tests.support.workflow import NEGATIVE_REVIEW, post_review, start

# An upper bound only: the answer must reach a probe that gives up after 1 s.
PROBE_TIMEOUT = 1.0
LATE_REVIEW = {**NEGATIVE_REVIEW, "external_id": "late-1"}


def db_path(app: AppHarness) -> Path:
    return Path(app.services.engine.url.database)


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def external_ids_in(path: Path) -> set[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {row[0] for row in connection.execute("SELECT external_id FROM review")}
    finally:
        connection.close()


def external_ids_seen_by(app: AppHarness) -> set[str]:
    """What the server's own connection holds, even in a file unlinked under it."""
    with Session(app.services.engine) as session:
        return set(session.exec(select(Review.external_id)))


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.fixture
def served(app_factory, fake_slack) -> AppHarness:
    app = start(app_factory)
    post_review(app, fake_slack)  # the database is in use, as in a running team
    return app


def test_healthz_and_readyz_say_ok_check_by_check(served):
    health = served.http.get("/healthz")
    ready = served.http.get("/readyz")

    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok"}
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "schema": "ok", "pipeline": "ok"}


def test_a_deleted_database_file_fails_health_and_ingest_at_once(served):
    path = db_path(served)
    os.remove(path)

    health, health_took = timed(lambda: served.http.get("/healthz"))
    ingest, ingest_took = timed(lambda: served.post_reviews(LATE_REVIEW))

    assert health.status_code == 503 and health_took < PROBE_TIMEOUT
    assert health.json()["status"] == "failing"
    assert health.json()["database"] == f"database file {path} is gone"
    assert served.http.get("/readyz").status_code == 503
    assert ingest.status_code == 503 and ingest_took < PROBE_TIMEOUT
    assert ingest.json()["error"] == "storage_unavailable"
    assert "is gone" in ingest.json()["message"]
    assert "late-1" not in external_ids_seen_by(served)
    assert not path.exists()  # no new empty database made in its place either


def test_a_replaced_database_file_fails_health_and_ingest(served, tmp_path):
    path = db_path(served)
    copy = tmp_path / "restored.db"
    shutil.copy(path, copy)
    os.replace(copy, path)

    health, health_took = timed(lambda: served.http.get("/healthz"))
    ingest, ingest_took = timed(lambda: served.post_reviews(LATE_REVIEW))

    assert health.status_code == 503 and health_took < PROBE_TIMEOUT
    assert health.json()["database"] == f"database file {path} was replaced by another file"
    assert ingest.status_code == 503 and ingest_took < PROBE_TIMEOUT
    assert "late-1" not in external_ids_in(path)
    assert "late-1" not in external_ids_seen_by(served)


def test_a_locked_database_fails_health_and_ingest_within_a_second(served):
    path = db_path(served)
    with exclusive_lock(path):
        health, health_took = timed(lambda: served.http.get("/healthz"))
        ingest, ingest_took = timed(lambda: served.post_reviews(LATE_REVIEW))

    assert health.status_code == 503 and health_took < PROBE_TIMEOUT
    assert health.json()["database"] == "database is locked: no write lock within 0.5 s"
    assert ingest.status_code == 503 and ingest_took < PROBE_TIMEOUT
    assert "database is locked" in ingest.json()["message"]
    assert "late-1" not in external_ids_in(path)

    # Once the lock is let go, the same review is taken: the sender's retry works.
    assert served.http.get("/healthz").status_code == 200
    assert served.post_reviews(LATE_REVIEW).status_code == 202
    assert "late-1" in external_ids_in(path)


def test_readyz_needs_the_pipeline_running(app_factory):
    app = start(app_factory)
    app.services.pipeline.stop()

    ready = app.http.get("/readyz")

    assert ready.status_code == 503
    assert ready.json()["pipeline"] == "the review pipeline is not running"
    assert app.http.get("/healthz").status_code == 200


@pytest.mark.timed_wait  # its deadline is a timed wait, which libfaketime keeps from ending
def test_a_hung_check_is_answered_on_time_and_not_started_twice():
    from bot.http.health import _Deadline

    release = threading.Event()
    calls: list[int] = []

    def hangs() -> None:
        calls.append(1)
        release.wait(timeout=30)

    check = _Deadline("database", hangs)
    try:
        first, first_took = timed(lambda: check.result(0.2))
        second, second_took = timed(lambda: check.result(0.2))
    finally:
        release.set()

    assert first.startswith("database did not answer within 0.")
    assert first.endswith("s (hung or locked)")
    assert first_took < PROBE_TIMEOUT and second_took < PROBE_TIMEOUT
    assert second.startswith("database did not answer within")
    assert calls == [1]  # the second answer waited on the same stuck check


def test_healthz_answers_ok_on_each_backend(fake_slack, database_url):
    app = AppHarness.start(fake_slack=fake_slack, database_url=database_url)
    try:
        health, took = timed(lambda: app.http.get("/healthz"))
        ready = app.http.get("/readyz")
    finally:
        app.stop()

    assert health.status_code == 200 and took < PROBE_TIMEOUT
    assert health.json() == {"status": "ok", "database": "ok"}
    assert ready.json()["schema"] == "ok"
