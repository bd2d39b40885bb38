"""Upgrading a database the previous release made, and rolling back: the rows survive and the
app reads them (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlmodel import Session
from typer.testing import CliRunner

from bot.cli import cli
from bot.demo import SAMPLES
from storage.db import MIGRATIONS_DIR, current_revision, head_revision, make_engine, migrate
from storage.examples import approved_replies
from storage.figures import Period
from storage.kpi import compute_kpis
from storage.models import Review
from storage.pending import pending_reviews
from storage.reviews import ReviewData, count_reviews, upsert_reviews
from storage.slack_messages import posted_cards

pytestmark = pytest.mark.storage

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
WRITTEN = NOW - timedelta(days=2)

SCRIPTS = ScriptDirectory(str(MIGRATIONS_DIR))
PREVIOUS_HEAD = SCRIPTS.get_revision(SCRIPTS.get_current_head()).down_revision


def sample_text(starts: str) -> str:
    """A bundled sample review's text (the suite runs without ../shared too)."""
    for line in SAMPLES.read_text(encoding="utf-8").splitlines():
        if (text := json.loads(line)["text"]).startswith(starts):
            return text
    raise AssertionError(f"no sample review starts with {starts!r}")


def insert(connection: sa.Connection, tables: dict[str, sa.Table], name: str, **row) -> int:
    return connection.execute(
        tables[name].insert().values(**row).returning(tables[name].c.id)
    ).scalar_one()


def fill_previous_release(engine: sa.Engine) -> dict[str, object]:
    """Rows as the previous release wrote them: plain SQL against the tables as they are in
    the database at that revision, not through today's models."""
    metadata = sa.MetaData()
    with warnings.catch_warnings():
        # digest_run's unique index on (week, coalesce(brand, '')) is an expression SQLAlchemy
        # does not reflect; only the columns are needed here.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        metadata.reflect(engine)
    tables = metadata.tables
    swedish, chinese = sample_text("Beställde"), sample_text("房間")
    reply = "Hej Anna!\n\nTack för att du hörde av dig, och förlåt.\n\nVänliga hälsningar\nEva"
    common = {"received_at": WRITTEN, "updated_at": WRITTEN, "themes": []}
    with engine.begin() as connection:
        approved = insert(
            connection,
            tables,
            "review",
            source="google",
            external_id="g-approved",
            rating=1,
            first_rating=1,
            text=swedish,
            author="Anna Lindqvist",
            language="sv",
            language_assumed=False,
            negative=True,
            priority="normal",
            status="approved",
            publish_state="manual",
            created_at=WRITTEN,
            decided_at=WRITTEN + timedelta(hours=3),
            **common,
        )
        pending = insert(
            connection,
            tables,
            "review",
            source="google",
            external_id="g-pending",
            rating=2,
            first_rating=2,
            text=chinese,
            author="陳小明",
            language="zh-Hant",
            language_assumed=False,
            negative=True,
            priority="urgent",
            status="pending",
            publish_state="none",
            created_at=WRITTEN + timedelta(hours=1),
            **common,
        )
        insert(
            connection,
            tables,
            "review",
            source="trustpilot",
            external_id="t-positive",
            rating=5,
            first_rating=5,
            text="Hyvää palvelua, kiitos!",
            language="fi",
            language_assumed=False,
            negative=False,
            priority="normal",
            status="positive",
            publish_state="none",
            created_at=WRITTEN,
            **common,
        )
        draft = insert(
            connection,
            tables,
            "draft",
            review_id=approved,
            version=1,
            text=reply.replace("förlåt", "vi ber om ursäkt"),
            kind="llm",
            model="gpt-4o-mini",
            findings=[],
            created_at=WRITTEN + timedelta(minutes=1),
        )
        insert(
            connection,
            tables,
            "draft",
            review_id=pending,
            version=1,
            text="陳小明您好，感謝您的回饋。",
            kind="llm",
            findings=[{"code": "length", "message": "short"}],
            created_at=WRITTEN + timedelta(hours=1, minutes=1),
        )
        insert(
            connection,
            tables,
            "decision",
            review_id=approved,
            draft_id=draft,
            action="approved",
            actor="U0EVA",
            at=WRITTEN + timedelta(hours=3),
            final_text=reply,
            edited=True,
            detail={"edited": True},
        )
        for review_id, ts in ((approved, "1700000000.000100"), (pending, "1700000000.000200")):
            insert(
                connection,
                tables,
                "slack_card",
                review_id=review_id,
                channel="C0REVIEWS",
                ts=ts,
                state="posted",
                version=2,
                created_at=WRITTEN,
                posted_at=WRITTEN,
            )
        insert(
            connection,
            tables,
            "review_change",
            review_id=pending,
            changed_at=WRITTEN + timedelta(hours=2),
            old_rating=1,
            new_rating=2,
            after_reply=False,
        )
    return {"approved": approved, "pending": pending, "reply": reply, "swedish": swedish}


def table_rows(engine: sa.Engine) -> dict[str, list[dict]]:
    """Every row of the tables the previous release had, in the columns it had."""
    metadata = sa.MetaData()
    with engine.connect() as connection:
        metadata.reflect(connection, only=["review", "draft", "decision", "slack_card"])
        return {
            name: [dict(row._mapping) for row in connection.execute(table.select().order_by("id"))]
            for name, table in metadata.tables.items()
        }


def assert_the_app_reads(engine: sa.Engine, filled: dict[str, object]) -> None:
    with Session(engine) as session:
        assert count_reviews(session) == 3
        queue = pending_reviews(session)
        assert queue.total == 1
        [waiting] = queue.reviews
        assert (waiting.review_id, waiting.language, waiting.ts) == (
            filled["pending"],
            "zh-Hant",
            "1700000000.000200",
        )
        [example] = approved_replies(session, language="sv", exclude_review_id=0, limit=5)
        assert (example.review_text, example.reply_text) == (filled["swedish"], filled["reply"])
        assert set(posted_cards(session, [filled["approved"], filled["pending"]])) == {
            filled["approved"],
            filled["pending"],
        }
        kpis = compute_kpis(session, Period(NOW - timedelta(days=7), NOW), now=NOW)
        assert (kpis.reviews, kpis.negatives, kpis.approved, kpis.backlog) == (3, 2, 1, 1)
        assert kpis.median_reply_hours == pytest.approx(3.0)
        assert session.get(Review, filled["approved"]).created_at == WRITTEN
        # New rows get fresh ids after the old ones (PostgreSQL's sequences carried over).
        [stored] = upsert_reviews(
            session, [ReviewData(source="google", external_id="after", text="Kallt")], now=NOW
        )
        session.rollback()
    assert stored.status == "accepted"


@pytest.fixture
def previous_release(database_url):
    if PREVIOUS_HEAD is None:
        pytest.skip("one migration only: there is no previous release to upgrade from")
    engine = make_engine(database_url)
    migrate(engine, PREVIOUS_HEAD)
    yield engine
    engine.dispose()


def test_a_database_of_the_previous_release_upgrades_with_its_rows(previous_release):
    filled = fill_previous_release(previous_release)
    before = table_rows(previous_release)
    migrate(previous_release)
    assert current_revision(previous_release) == head_revision()
    after = table_rows(previous_release)
    for name, rows in before.items():
        assert [{k: row[k] for k in rows[0]} for row in after[name]] == rows, name
    assert_the_app_reads(previous_release, filled)


def test_a_rollback_to_the_previous_release_keeps_its_rows_and_upgrades_again(previous_release):
    filled = fill_previous_release(previous_release)
    before = table_rows(previous_release)
    migrate(previous_release)
    migrate(previous_release, PREVIOUS_HEAD)
    assert current_revision(previous_release) == PREVIOUS_HEAD
    assert table_rows(previous_release) == before
    migrate(previous_release)
    assert current_revision(previous_release) == head_revision()
    assert_the_app_reads(previous_release, filled)


def test_every_migration_goes_down_and_up_again(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    tables = set(sa.inspect(engine).get_table_names())
    for script in SCRIPTS.walk_revisions():  # newest first
        migrate(engine, script.down_revision or "base")
        assert current_revision(engine) == script.down_revision
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    assert set(sa.inspect(engine).get_table_names()) == tables
    engine.dispose()


def test_reviewbot_migrate_to_an_older_revision_rolls_back(sqlite_url, monkeypatch):
    if PREVIOUS_HEAD is None:
        pytest.skip("one migration only: nothing to roll back to")
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    runner = CliRunner()
    up = runner.invoke(cli, ["migrate"])
    down = runner.invoke(cli, ["migrate", PREVIOUS_HEAD])
    again = runner.invoke(cli, ["migrate"])
    assert up.exit_code == down.exit_code == again.exit_code == 0, down.output
    assert up.output.strip() == f"database at revision {head_revision()}"
    assert down.output.strip() == f"database at revision {PREVIOUS_HEAD}"
    assert again.output.strip() == up.output.strip()
