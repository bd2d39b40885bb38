"""Draft quality against figures worked out by hand, on SQLite and PostgreSQL; and votes.

The week is 13–20 November 2026 (UTC). Every draft ends in the signature slot.

| review | lang | drafts                 | what the team did                              |
|--------|------|------------------------|------------------------------------------------|
| s1     | sv   | llm v1                 | approved as drafted (signed)                   |
| s2     | sv   | llm v1                 | approved, one sentence (14 chars) cut          |
| s3     | sv   | template v1, llm v2    | regenerated, then approved, only signed        |
| s4     | sv   | llm v1                 | declined                                       |
| f1     | fi   | (failed), llm v1       | Try again before any draft; approved, rewritten|
| f2     | fi   | none                   | written by hand and approved                   |
| e1     | fi   | llm v1                 | approved edited, then erased                   |
| old    | sv   | llm v1                 | approved the week before: not counted          |
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from bot.drafting.signature import SIGNATURE_SLOT
from storage import draft_quality as quality_module
from storage.db import session_scope
from storage.draft_quality import draft_quality
from storage.edit_distance import edit_distance
from storage.erasure import erase_reviews
from storage.figures import KpiFilter, Period
from storage.models import DraftVote
from storage.votes import record_vote
from tests.support.kpi import add_decision, add_draft, add_review

WEEK = Period(datetime(2026, 11, 13, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC))
DRAFT = (
    "Hej Anna! Tack för att du berättade om besöket. Vi är ledsna att maten var kall. "
    "Vi ses snart!\n\nVänliga hälsningar,\n[your name], Café Lumi"
)
OWN_TEXT = len(DRAFT) - len(SIGNATURE_SLOT)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def signed(text: str, name: str = "Maria Ek") -> str:
    return text.replace(SIGNATURE_SLOT, name)


def approve(engine, review_id, when, *, draft_id, sent, edited=True) -> None:
    detail = {"model_draft_id": draft_id, "model_text": DRAFT} if edited else {}
    add_decision(
        engine,
        review_id,
        "approved",
        when,
        draft_id=draft_id,
        edited=edited,
        final_text=sent,
        detail=detail,
    )


@pytest.fixture
def week(engine) -> dict[str, int]:
    ids: dict[str, int] = {}

    def review(key: str, day: int, language: str = "sv", status: str = "approved") -> int:
        ids[key] = add_review(engine, key, written=at(day, 9), language=language, status=status)
        return ids[key]

    s1 = review("s1", 14)
    ids["s1_draft"] = add_draft(engine, s1, at(14, 9), text=DRAFT)
    approve(engine, s1, at(14), draft_id=ids["s1_draft"], sent=signed(DRAFT), edited=False)

    s2 = review("s2", 15)
    draft = add_draft(engine, s2, at(15, 9), text=DRAFT)
    approve(engine, s2, at(15), draft_id=draft, sent=signed(DRAFT.replace(" Vi ses snart!", "")))

    s3 = review("s3", 16)
    add_draft(engine, s3, at(16, 9), kind="template", text=DRAFT)
    add_decision(engine, s3, "regenerated", at(16, 10))
    draft = add_draft(engine, s3, at(16, 11), version=2, text=DRAFT)
    # A flag that calls signing an edit still measures as no edit at all.
    approve(engine, s3, at(16), draft_id=draft, sent=signed(DRAFT, "Jonas"))

    s4 = review("s4", 17, status="declined")
    add_draft(engine, s4, at(17, 9), text=DRAFT)
    add_decision(engine, s4, "declined", at(17))

    f1 = review("f1", 14, language="fi")
    add_decision(engine, f1, "regenerated", at(14, 10))  # Try again: no draft had come yet
    draft = add_draft(engine, f1, at(14, 11), text=DRAFT)
    approve(engine, f1, at(14), draft_id=draft, sent="Kiitos palautteesta, Maria")

    f2 = review("f2", 15, language="fi")
    draft = add_draft(engine, f2, at(15, 11), kind="human", text="Kiitos!")
    add_decision(
        engine,
        f2,
        "approved",
        at(15),
        draft_id=draft,
        edited=True,
        final_text="Kiitos!",
        detail={"model_draft_id": None, "written_by_hand": True},
    )

    e1 = review("e1", 16, language="fi")
    draft = add_draft(engine, e1, at(16, 9), text=DRAFT)
    approve(engine, e1, at(16), draft_id=draft, sent=signed(DRAFT.replace("Hej", "Hallå")))
    with session_scope(engine) as session:
        erase_reviews(session, [e1], now=at(19), actor="U0LEAD", reason="request")

    old = add_review(engine, "old", written=at(10, 9), status="approved")
    draft = add_draft(engine, old, at(10, 9), text=DRAFT)
    approve(engine, old, at(10), draft_id=draft, sent="Hej.")
    return ids


def test_the_week_by_language(engine, week):
    with Session(engine) as session:
        report = draft_quality(session, WEEK, slot=SIGNATURE_SLOT)

    sv, fi = report.groups["sv"], report.groups["fi"]
    assert list(report.groups) == ["fi", "sv"]
    # Approved: s1 as drafted; s2 and s3 edited. Unedited: 1 of 3.
    assert (sv.approved, sv.approved_unedited, sv.edited) == (3, 1, 2)
    assert sv.unedited_share == pytest.approx(1 / 3)
    # The edits: 14 characters cut from s2, nothing but the signature in s3.
    assert sv.measured == 2
    assert sv.median_edit == pytest.approx((14 / OWN_TEXT + 0) / 2)
    assert (sv.decided, sv.declined, sv.decline_rate) == (4, 1, 0.25)
    assert (sv.drafted, sv.regenerated, sv.regenerate_rate) == (4, 1, 0.25)

    # f1 rewritten, e1 erased (not measured), f2 written by hand (not a draft's approval).
    assert (fi.approved, fi.approved_unedited, fi.edited, fi.measured) == (2, 0, 2, 1)
    rewritten = edit_distance(DRAFT, "Kiitos palautteesta, Maria", slot=SIGNATURE_SLOT)
    assert fi.median_edit == pytest.approx(rewritten / OWN_TEXT)
    assert (fi.decided, fi.declined) == (3, 0)
    # f1's Try again came before any draft: not a regeneration. f2 never had a draft.
    assert (fi.drafted, fi.regenerated) == (2, 0)

    total = report.total
    assert (total.approved, total.approved_unedited, total.decided, total.drafted) == (5, 1, 7, 6)
    assert total.measured == 3
    assert total.median_edit == pytest.approx(14 / OWN_TEXT)


def test_filters_and_other_splits(engine, week):
    with Session(engine) as session:
        only_fi = draft_quality(
            session, WEEK, filters=KpiFilter(language="fi"), slot=SIGNATURE_SLOT
        )
        by_source = draft_quality(session, WEEK, by="source", slot=SIGNATURE_SLOT)
        with pytest.raises(ValueError):
            draft_quality(session, WEEK, by="author")
    assert list(only_fi.groups) == ["fi"]
    assert only_fi.total.approved == 2
    assert list(by_source.groups) == ["google"]
    assert by_source.total.decided == 7


def test_votes_count_once_per_person_and_draft(engine, week):
    s1, draft = week["s1"], week["s1_draft"]

    def vote(user: str, value: int, *, review_id: int = s1, draft_id: int = draft) -> bool:
        with session_scope(engine) as session:
            return record_vote(
                session, review_id=review_id, draft_id=draft_id, user_id=user, vote=value, at=at(15)
            )

    assert vote("U1", 1) and vote("U2", 1)
    assert vote("U1", -1)  # a second click by the same person changes their vote
    assert not vote("U1", 1, draft_id=987654)  # no such draft
    assert not vote("U1", 1, review_id=week["s2"])  # not that review's draft
    with pytest.raises(ValueError):
        vote("U3", 2)
    with Session(engine) as session:
        report = draft_quality(session, WEEK, slot=SIGNATURE_SLOT)
        rows = session.execute(select(func.count()).select_from(DraftVote)).scalar_one()
        before = draft_quality(session, WEEK.previous(), slot=SIGNATURE_SLOT)
    assert rows == 2
    assert (report.groups["sv"].votes_up, report.groups["sv"].votes_down) == (1, 1)
    assert (before.total.votes_up, before.total.votes_down) == (0, 0)


def test_a_long_period_measures_an_even_sample(engine, monkeypatch):
    monkeypatch.setattr(quality_module, "MEASURED_EDITS", 2)
    for n in range(5):
        review_id = add_review(engine, f"r{n}", written=at(14, 9), status="approved")
        draft = add_draft(engine, review_id, at(14, 9), text=DRAFT)
        cut = DRAFT.replace("Hej Anna! ", "Hej Anna! "[: 10 - n])  # n characters cut
        approve(engine, review_id, at(14) + timedelta(minutes=n), draft_id=draft, sent=cut)
    with Session(engine) as session:
        report = draft_quality(session, WEEK, slot=SIGNATURE_SLOT)
    # Every third of the five (the first and the fourth): 0 and 3 characters cut.
    assert (report.total.edited, report.total.measured) == (5, 2)
    assert report.total.median_edit == pytest.approx(1.5 / OWN_TEXT)


def test_an_empty_period(engine):
    with Session(engine) as session:
        report = draft_quality(session, WEEK, slot=SIGNATURE_SLOT)
    assert report.groups == {}
    assert report.total.is_empty
    assert report.total.unedited_share is None and report.total.median_edit is None
