"""Storage on SQLite and (in CI) PostgreSQL: migrations, uniqueness, changes, time zones."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.reviews.intake import IntakeService
from bot.reviews.work_queue import WorkQueue
from storage.db import current_revision, make_engine, migrate, session_scope
from storage.models import Decision, Draft, Review, ReviewChange, SlackCard, Work, WorkKind
from storage.reviews import ReviewData, upsert_reviews

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def review(external_id: str = "r1", **kw) -> ReviewData:
    return ReviewData(
        source="google", external_id=external_id, text=kw.pop("text", "Kallt kaffe"), **kw
    )


def test_migrations_create_every_table_and_are_idempotent(engine):
    migrate(engine)  # a second start applies nothing and fails on nothing
    assert current_revision(engine) is not None
    tables = set(sa.inspect(engine).get_table_names())
    assert {"review", "review_change", "draft", "decision", "slack_card"} <= tables


def test_sqlite_runs_with_wal_and_foreign_keys(sqlite_url):
    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_source_and_external_id_are_unique(engine):
    with session_scope(engine) as session:
        upsert_reviews(session, [review()], now=NOW)
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(
            Review(
                source="google",
                external_id="r1",
                text="",
                created_at=NOW,
                received_at=NOW,
                updated_at=NOW,
            )
        )
        session.flush()


def test_upsert_reports_accepted_duplicate_and_updated(engine):
    with session_scope(engine) as session:
        first = upsert_reviews(session, [review(rating=1), review("r2")], now=NOW)
    with session_scope(engine) as session:
        second = upsert_reviews(
            session,
            [review(rating=4, text="Bättre nu"), review("r2"), review("r2")],
            now=NOW + timedelta(days=2),
        )
    assert [r.status for r in first] == ["accepted", "accepted"]
    assert [r.status for r in second] == ["updated", "duplicate", "duplicate"]
    with Session(engine) as session:
        stored = session.exec(select(Review).where(Review.external_id == "r1")).one()
        [change] = session.exec(select(ReviewChange)).all()
    assert (stored.rating, stored.first_rating, stored.text) == (4, 1, "Bättre nu")
    assert stored.updated_at == NOW + timedelta(days=2)
    assert (change.old_rating, change.new_rating, change.new_text) == (1, 4, "Bättre nu")


def test_times_come_back_as_utc_whatever_offset_went_in(engine):
    written = datetime(2026, 11, 20, 18, 3, tzinfo=timezone(timedelta(hours=1)))
    with session_scope(engine) as session:
        upsert_reviews(session, [review(created_at=written)], now=NOW)
    with Session(engine) as session:
        stored = session.exec(select(Review)).one()
    assert stored.created_at == written
    assert stored.created_at.tzinfo == UTC


def test_drafts_decisions_and_cards_hang_off_a_review(engine):
    with session_scope(engine) as session:
        [result] = upsert_reviews(session, [review()], now=NOW)
        draft = Draft(
            review_id=result.review_id,
            version=1,
            text="Hej!",
            kind="template",
            created_at=NOW,
            findings=[{"code": "length", "message": "too long"}],
        )
        session.add(draft)
        session.flush()
        session.add(
            Decision(
                review_id=result.review_id,
                draft_id=draft.id,
                action="approved",
                actor="U1",
                at=NOW,
                final_text="Hej!",
                detail={"edited": False},
            )
        )
        session.add(SlackCard(review_id=result.review_id, channel="C1", ts="1.2", created_at=NOW))
    with Session(engine) as session:
        assert session.exec(select(Draft)).one().findings == [
            {"code": "length", "message": "too long"}
        ]
        assert session.exec(select(Decision)).one().detail == {"edited": False}
        assert session.exec(select(SlackCard)).one().version == 1
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(
            Draft(review_id=result.review_id, version=1, text="again", kind="llm", created_at=NOW)
        )


def test_a_draft_must_belong_to_a_stored_review(engine):
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(Draft(review_id=9999, version=1, text="orphan", kind="llm", created_at=NOW))


def test_concurrent_deliveries_of_one_review_store_it_once(engine):
    intake = IntakeService(engine, clock=lambda: NOW)

    def deliver(_):
        return [r.status for r in intake.ingest([review("burst"), review(f"own-{_}")])]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = [s for result in pool.map(deliver, range(16)) for s in result]
    with Session(engine) as session:
        burst = session.exec(select(Review).where(Review.external_id == "burst")).all()
        total = len(session.exec(select(Review)).all())
    assert len(burst) == 1
    assert total == 17
    assert statuses.count("accepted") == 17


def test_concurrent_single_deliveries_of_one_review_store_it_once(engine):
    # A single review is inserted before it is looked up: the insert must be the lookup.
    intake = IntakeService(engine, clock=lambda: NOW)

    def deliver(_):
        [result] = intake.ingest([review("burst")])
        return result.status

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(deliver, range(16)))
    with Session(engine) as session:
        burst = session.exec(select(Review).where(Review.external_id == "burst")).all()
    assert len(burst) == 1
    assert sorted(statuses) == ["accepted"] + ["duplicate"] * 15


def test_a_new_review_alone_is_stored_with_its_triage_in_two_statements(engine):
    intake = IntakeService(
        engine, clock=lambda: NOW, work=WorkQueue(engine, lease=timedelta(seconds=60))
    )
    statements: list[str] = []

    def capture(_connection, _cursor, statement, *_args) -> None:
        if not statement.startswith(("BEGIN", "PRAGMA")):
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        [result] = intake.ingest([review("alone")])
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)

    assert result.status == "accepted"
    assert [s.split()[:3] for s in statements] == [
        ["INSERT", "INTO", "review"],
        ["WITH", "added", "AS"]
        if engine.dialect.name == "postgresql"
        else ["INSERT", "INTO", "work"],
    ]
    with Session(engine) as session:
        [work] = session.exec(select(Work)).all()
    assert (work.kind, work.review_id) == (WorkKind.triage, result.review_id)


def test_intake_tells_the_pipeline_what_needs_work(engine):
    told: list[list[int]] = []
    intake = IntakeService(engine, clock=lambda: NOW, on_stored=told.append)
    first = intake.ingest([review("a"), review("b")])
    intake.ingest([review("a")])  # a duplicate needs nothing
    intake.ingest([review("a", rating=5)])
    assert told == [[first[0].review_id, first[1].review_id], [first[0].review_id]]
