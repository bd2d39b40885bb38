"""`reviewbot backup PATH`: a copy of the SQLite database that opens and holds every committed
row, made while the app goes on writing."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime

from sqlmodel import Session
from typer.testing import CliRunner

from bot.cli import cli
from bot.demo import SAMPLES
from storage.db import current_revision, head_revision, make_engine, migrate, session_scope
from storage.reviews import ReviewData, count_reviews, upsert_reviews

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
runner = CliRunner()


def sample_reviews(count: int) -> list[ReviewData]:
    """`count` reviews with the bundled sample texts (the suite runs without ../shared too)."""
    texts = [json.loads(line)["text"] for line in SAMPLES.read_text(encoding="utf-8").splitlines()]
    return [
        ReviewData(source="google", external_id=f"backup-{n}", text=texts[n % len(texts)])
        for n in range(count)
    ]


def stored_reviews(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        count = count_reviews(session)
    engine.dispose()
    return count


def reviews_in_plain_copy(path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        if "review" not in tables:
            return 0
        return connection.execute("SELECT count(*) FROM review").fetchone()[0]


def test_the_backup_holds_committed_rows_the_db_file_alone_does_not(tmp_path, monkeypatch):
    live = tmp_path / "reviewbot.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{live}")
    engine = make_engine(f"sqlite:///{live}")
    migrate(engine)
    with session_scope(engine) as session:
        upsert_reviews(session, sample_reviews(40), now=NOW)
    # The app is still running: its last transactions are in reviewbot.db-wal, not yet in
    # reviewbot.db, so a plain copy of the .db file misses them.
    shutil.copy(live, tmp_path / "copied.db")

    result = runner.invoke(cli, ["backup", str(tmp_path / "backup.db")])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        f"backup written to {tmp_path / 'backup.db'} (schema {head_revision()}, 40 reviews)"
    )
    assert stored_reviews(f"sqlite:///{tmp_path / 'backup.db'}") == 40
    assert reviews_in_plain_copy(tmp_path / "copied.db") < 40
    backup = make_engine(f"sqlite:///{tmp_path / 'backup.db'}")
    assert current_revision(backup) == head_revision()
    backup.dispose()
    engine.dispose()


def test_a_backup_made_while_another_connection_writes_is_whole(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'reviewbot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    migrate(engine)
    reviews = sample_reviews(400)
    with session_scope(engine) as session:
        upsert_reviews(session, reviews[:100], now=NOW)
    writing, done, failures = threading.Event(), threading.Event(), []

    def writer() -> None:
        try:
            for start in range(100, 400, 10):
                with session_scope(engine) as session:
                    upsert_reviews(session, reviews[start : start + 10], now=NOW)
                writing.set()
        except Exception as exc:  # the test reports it below
            failures.append(exc)
        finally:
            writing.set()
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    writing.wait()
    results = [runner.invoke(cli, ["backup", str(tmp_path / f"backup-{n}.db")]) for n in range(3)]
    done.wait()
    thread.join()

    assert failures == []
    assert [r.exit_code for r in results] == [0, 0, 0], [r.output for r in results]
    counts = [stored_reviews(f"sqlite:///{tmp_path / f'backup-{n}.db'}") for n in range(3)]
    # Each backup is one moment of the database: whole batches of ten, never part of one.
    assert all(100 <= count <= 400 and count % 10 == 0 for count in counts), counts
    assert counts == sorted(counts)
    assert stored_reviews(url) == 400
    engine.dispose()


def test_backup_refuses_an_existing_file_and_names_the_fix(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'reviewbot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    migrate(make_engine(url))
    (tmp_path / "old.db").write_text("yesterday's backup")

    result = runner.invoke(cli, ["backup", str(tmp_path / "old.db")])

    assert result.exit_code == 2
    assert result.output.strip() == (
        f"reviewbot: {tmp_path / 'old.db'} exists already: give a new file name"
    )
    assert (tmp_path / "old.db").read_text() == "yesterday's backup"


def test_backup_of_a_missing_database_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'gone.db'}")

    result = runner.invoke(cli, ["backup", str(tmp_path / "backup.db")])

    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"reviewbot: no database at {tmp_path / 'gone.db'}: check DATABASE_URL"
    )
    assert not (tmp_path / "gone.db").exists()
    assert not (tmp_path / "backup.db").exists()


def test_backup_of_postgresql_says_to_use_pg_dump(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://reviewbot@db.internal/reviewbot")

    result = runner.invoke(cli, ["backup", str(tmp_path / "backup.db")])

    assert result.exit_code == 2
    assert "back it up with pg_dump" in result.output
    assert len(result.output.strip().splitlines()) == 1
