"""Each KPI against numbers worked out by hand, on SQLite and PostgreSQL.

The fixture week is 13–20 November 2026 (UTC); the week before is 6–13 November.

| review | written      | rating | negative | outcome                          |
|--------|--------------|--------|----------|----------------------------------|
| r1     | 14th 10:00   | 1 → 4  | yes      | approved 2 h later, AI unedited  |
| r2     | 15th 08:00   | 2      | yes      | approved 24 h later, edited      |
| r3     | 16th 00:00   | none   | yes      | approved 48 h later, AI unedited |
| r4     | 17th 09:00   | 5      | no       | positive                         |
| r5     | 18th 09:00   | 1      | yes      | pending (nb, Oslo)               |
| r6     | 19th 20:00   | 3      | untriaged| received                         |
| r9     | 19th 18:00   | 2      | yes      | pending (deadline after the week)|
| r7     | 12th 10:00   | 1      | yes      | declined 24 h later (13th 10:00) |
| r8     | 10th 10:00   | 4      | no       | positive                         |
"""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from storage.figures import NO_VALUE, KpiFilter, Period
from storage.kpi import Kpis, compute_kpis, kpis_by
from storage.pending import pending_reviews
from tests.support.kpi import add_card, add_decision, add_rating_change, add_review

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WEEK = Period(datetime(2026, 11, 13, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC))
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def fixture_week(engine):
    r1 = add_review(
        engine,
        "r1",
        written=at(14, 10),
        rating=4,
        first_rating=1,
        status="approved",
        decided=at(14, 12),
        location="Stockholm",
    )
    add_decision(engine, r1, "approved", at(14, 12), draft_kind="llm")
    add_rating_change(engine, r1, at(17), old=1, new=4)
    r2 = add_review(engine, "r2", written=at(15, 8), rating=2, status="approved", decided=at(16, 8))
    add_decision(engine, r2, "approved", at(16, 8), draft_kind="human", edited=True)
    r3 = add_review(
        engine,
        "r3",
        written=at(16),
        rating=None,
        status="approved",
        decided=at(18),
        source="trustpilot",
        language="fi",
    )
    add_decision(engine, r3, "approved", at(18), draft_kind="llm")
    r4 = add_review(
        engine,
        "r4",
        written=at(17, 9),
        rating=5,
        negative=False,
        status="positive",
        source="trustpilot",
        language="fi",
    )
    add_rating_change(engine, r4, at(18), old=5, new=4)  # not a negative: not turned around
    add_review(
        engine,
        "r5",
        written=at(18, 9),
        rating=1,
        language="nb",
        location="Oslo sentrum",
        assignee="U0ANNA",
    )
    add_review(
        engine,
        "r6",
        written=at(19, 20),
        rating=3,
        negative=None,
        status="received",
        source="app_store",
        language=None,
    )
    add_review(engine, "r9", written=at(19, 18), rating=2)
    r7 = add_review(engine, "r7", written=at(12, 10), status="declined", decided=at(13, 10))
    add_decision(engine, r7, "declined", at(13, 10))
    add_rating_change(engine, r7, at(14), old=1, new=3)  # better, but not 4–5★
    add_review(engine, "r8", written=at(10, 10), rating=4, negative=False, status="positive")
    return engine


def kpis(engine, period=WEEK, filters=KpiFilter(), **kw) -> Kpis:
    with Session(engine) as session:
        return compute_kpis(session, period, filters, now=kw.pop("now", NOW), **kw)


def test_each_kpi_of_the_week_matches_the_hand_computed_numbers(fixture_week):
    week = kpis(fixture_week)

    assert (week.reviews, week.rated) == (7, 6)
    assert week.average_rating == pytest.approx((4 + 2 + 5 + 1 + 3 + 2) / 6)
    assert (week.negatives, week.triaged) == (5, 6)
    assert week.negative_share == pytest.approx(5 / 6)
    assert (week.approved, week.declined) == (3, 1)
    # Reply times 2 h, 24 h, 48 h: median 24 h; 90th percentile at rank 1.8 → 24 + 0.8 × 24.
    assert week.median_reply_hours == pytest.approx(24, abs=1e-3)
    assert week.p90_reply_hours == pytest.approx(43.2, abs=1e-3)
    # Due in the week: r7 (met, declined at exactly 24 h), r1, r2 (met at exactly 24 h),
    # r3 (48 h) and r5 (still pending); r9's deadline is after the week.
    assert (week.sla_met, week.sla_due) == (3, 5)
    assert week.sla_compliance == pytest.approx(0.6)
    assert (week.ai_unedited, week.ai_unedited_share) == (2, pytest.approx(2 / 3))
    # At the week's end r5 and r9 wait; the untriaged r6 is not (yet) in the queue.
    assert week.backlog == 2
    assert week.oldest_pending_at == at(18, 9)
    assert week.turned_around == 1


def test_the_week_before_counts_its_own_reviews_and_its_backlog_at_its_end(fixture_week):
    before = kpis(fixture_week, WEEK.previous())

    assert WEEK.previous() == Period(at(6), at(13))
    assert (before.reviews, before.rated, before.average_rating) == (2, 2, pytest.approx(2.5))
    assert (before.negatives, before.triaged) == (1, 2)
    assert (before.approved, before.declined, before.median_reply_hours) == (0, 0, None)
    assert (before.sla_due, before.sla_compliance) == (0, None)
    assert before.ai_unedited_share is None
    # r7 was received on the 12th and declined on the 13th: waiting when that week ended.
    assert (before.backlog, before.oldest_pending_at) == (1, at(12, 10))
    assert before.turned_around == 0


def test_an_empty_period_has_zeros_and_no_averages(fixture_week):
    empty = kpis(
        fixture_week, Period(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 8, tzinfo=UTC))
    )

    assert empty == Kpis()
    assert (empty.average_rating, empty.negative_share, empty.sla_compliance) == (None, None, None)


def test_an_empty_database_answers_zeros(engine):
    assert kpis(engine) == Kpis()


def test_deadlines_after_now_are_not_judged_yet(fixture_week):
    # Asked on the 18th at 09:30, r5's deadline (19th 09:00) has not come: only r7, r1, r2, r3.
    early = kpis(fixture_week, now=at(18, 9, 30))
    assert (early.sla_met, early.sla_due) == (3, 4)


def test_a_shorter_sla_moves_the_deadlines_and_raises_the_bar(fixture_week):
    # Deadlines in the week now belong to reviews written in [12th 12:00, 19th 12:00):
    # r7 drops out; of r1 (2 h, met), r2 (24 h), r3 (48 h) and r5 (pending) one is met.
    strict = kpis(fixture_week, sla_hours=12)
    assert (strict.sla_met, strict.sla_due) == (1, 4)


@pytest.mark.parametrize(
    ("filters", "reviews", "negatives", "approved"),
    [
        (KpiFilter(source="google"), 4, 4, 2),
        (KpiFilter(source="GOOGLE"), 4, 4, 2),
        (KpiFilter(source="trustpilot"), 2, 1, 1),
        (KpiFilter(language="fi"), 2, 1, 1),
        (KpiFilter(language="nb"), 1, 1, 0),
        (KpiFilter(location="oslo SENTRUM"), 1, 1, 0),
        (KpiFilter(source="google", language="fi"), 0, 0, 0),
    ],
)
def test_filters_narrow_every_figure(fixture_week, filters, reviews, negatives, approved):
    filtered = kpis(fixture_week, filters=filters)
    assert (filtered.reviews, filtered.negatives, filtered.approved) == (
        reviews,
        negatives,
        approved,
    )


def test_a_language_filter_matches_its_script_variants(engine):
    add_review(engine, "hant", written=at(14), language="zh-Hant")
    add_review(engine, "hans", written=at(15), language="zh-Hans")
    add_review(engine, "sv", written=at(15), language="sv")
    assert kpis(engine, filters=KpiFilter(language="zh")).reviews == 2
    assert kpis(engine, filters=KpiFilter(language="zh-hant")).reviews == 1


def test_kpis_split_by_language_and_source(fixture_week):
    with Session(fixture_week) as session:
        by_language = kpis_by(session, WEEK, "language", now=NOW)
        by_source = kpis_by(session, WEEK, "source", now=NOW)

    assert set(by_language) == {"sv", "fi", "nb", NO_VALUE}
    assert (by_language["sv"].reviews, by_language["sv"].approved) == (3, 2)
    assert by_language["sv"].median_reply_hours == pytest.approx(13, abs=1e-3)  # 2 h and 24 h
    assert by_language["sv"].declined == 1  # r7, decided this week
    assert by_language["fi"].p90_reply_hours == pytest.approx(48, abs=1e-3)
    assert by_language[NO_VALUE].reviews == 1
    assert by_language["nb"].backlog == 1
    assert {k: v.reviews for k, v in by_source.items()} == {
        "app_store": 1,
        "google": 4,
        "trustpilot": 2,
    }
    assert sum(v.negatives for v in by_source.values()) == kpis(fixture_week).negatives


def test_an_unknown_split_is_refused(engine):
    with Session(engine) as session, pytest.raises(ValueError, match="cannot split"):
        kpis_by(session, WEEK, "author", now=NOW)


def test_a_review_on_a_local_monday_counts_in_that_local_week(engine):
    # 23:30 UTC on Sunday the 15th is 00:30 on Monday the 16th in Stockholm.
    add_review(engine, "monday", written=datetime(2026, 11, 15, 23, 30, tzinfo=UTC))
    local_week = Period(
        datetime(2026, 11, 16, tzinfo=STOCKHOLM).astimezone(UTC),
        datetime(2026, 11, 23, tzinfo=STOCKHOLM).astimezone(UTC),
    )
    assert kpis(engine, local_week).reviews == 1
    assert kpis(engine, local_week.previous()).reviews == 0


def test_a_review_written_in_another_offset_is_stored_and_counted_in_utc(engine):
    taipei = ZoneInfo("Asia/Taipei")
    add_review(engine, "tw", written=datetime(2026, 11, 13, 7, 0, tzinfo=taipei))  # 12th 23:00 UTC
    assert kpis(engine).reviews == 0
    assert kpis(engine, WEEK.previous()).reviews == 1


@pytest.mark.parametrize("count", [1, 2, 3, 10, 37])
def test_percentiles_match_linear_interpolation_for_any_count(engine, count):
    rng = random.Random(count)
    hours = [rng.uniform(0.1, 200) for _ in range(count)]
    for i, h in enumerate(hours):
        written = at(1) + timedelta(hours=i)
        add_review(
            engine,
            f"p{i}",
            written=written,
            status="approved",
            decided=written + timedelta(hours=h),
        )
    span = Period(at(1), at(30))
    expected_p90 = (
        statistics.quantiles(hours, n=10, method="inclusive")[8] if count > 1 else hours[0]
    )

    result = kpis(engine, span, now=at(30))
    assert result.median_reply_hours == pytest.approx(statistics.median(hours), abs=1e-3)
    assert result.p90_reply_hours == pytest.approx(expected_p90, abs=1e-3)


def test_percentiles_agree_with_postgresql_percentile_cont(fixture_week):
    if fixture_week.dialect.name != "postgresql":
        pytest.skip("percentile_cont is PostgreSQL's")
    sql = sa.text(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s), "
        "percentile_cont(0.9) WITHIN GROUP (ORDER BY s) FROM ("
        "SELECT EXTRACT(EPOCH FROM decided_at - created_at) / 3600 AS s FROM review "
        "WHERE status = 'approved' AND decided_at >= :start AND decided_at < :end) t"
    )
    with fixture_week.connect() as connection:
        median, p90 = connection.execute(sql, {"start": WEEK.start, "end": WEEK.end}).one()
    week = kpis(fixture_week)
    assert (week.median_reply_hours, week.p90_reply_hours) == (
        pytest.approx(median),
        pytest.approx(p90),
    )


def test_the_pending_queue_is_oldest_first_with_its_cards(fixture_week):
    with Session(fixture_week) as session:
        queue = pending_reviews(session)
        mine = pending_reviews(session, assignee="U0ANNA")
        limited = pending_reviews(session, limit=1)
        norwegian = pending_reviews(session, filters=KpiFilter(language="nb"))

    assert [(r.created_at, r.language) for r in queue.reviews] == [
        (at(18, 9), "nb"),
        (at(19, 18), "sv"),
    ]
    assert queue.total == 2
    assert [r.location for r in mine.reviews] == ["Oslo sentrum"]
    assert (len(limited.reviews), limited.total) == (1, 2)
    assert norwegian.total == 1


def test_a_pending_review_carries_its_card_and_text_excerpt(engine):
    review_id = add_review(engine, "long", written=at(18), text="x" * 5000)
    add_card(engine, review_id, "C0REVIEWS", "1700000000.000100", at(18))
    with Session(engine) as session:
        (pending,) = pending_reviews(session).reviews
    assert (pending.channel, pending.ts) == ("C0REVIEWS", "1700000000.000100")
    assert len(pending.excerpt) == 300
