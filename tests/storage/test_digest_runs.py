"""The digest's claims: one per week and brand, the whole deployment's (no brand) one too, on a
database upgraded from the release before (SQLite, and PostgreSQL when TEST_DATABASE_URL is
set)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from storage.db import make_engine, migrate, session_scope
from storage.digests import claim_week, record_sent
from storage.models import DigestRun

pytestmark = pytest.mark.storage

MONDAY = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
WEEK = "2026-11-23"


def claim(engine: sa.Engine, brand: str | None) -> bool:
    with session_scope(engine) as session:
        return claim_week(session, week=WEEK, brand=brand, now=MONDAY)


@pytest.fixture
def upgraded(database_url):
    """A database at the revision before per-brand digests, holding that week's digest."""
    engine = make_engine(database_url)
    migrate(engine, "0003")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO digest_run (week, claimed_at, sent_at, channel, ts) "
                "VALUES (:week, :at, :at, 'C0DIGEST', '1.000100')"
            ),
            {"week": WEEK, "at": MONDAY.replace(tzinfo=None)},
        )
    migrate(engine)
    yield engine
    engine.dispose()


def test_a_week_is_claimed_once_per_brand_and_once_for_the_whole(upgraded):
    assert claim(upgraded, None) is False  # the week the release before sent
    assert claim(upgraded, "lumi") is True
    assert claim(upgraded, "lumi") is False
    assert claim(upgraded, "norr") is True
    with session_scope(upgraded) as session:
        record_sent(session, week=WEEK, brand="lumi", now=MONDAY, channel="C0LUMI", ts="2.0")
    with Session(upgraded) as session:
        runs = {(r.brand, r.channel) for r in session.exec(select(DigestRun))}
    assert runs == {(None, "C0DIGEST"), ("lumi", "C0LUMI"), ("norr", None)}


def test_rolling_back_keeps_the_whole_deployments_digest_and_upgrades_again(upgraded):
    assert claim(upgraded, "lumi") is True

    migrate(upgraded, "0003")
    with upgraded.connect() as connection:
        rows = connection.execute(sa.text("SELECT week, brand FROM digest_run")).all()
    assert [tuple(row) for row in rows] == [(WEEK, None)]

    migrate(upgraded)
    assert claim(upgraded, None) is False
    assert claim(upgraded, "lumi") is True
