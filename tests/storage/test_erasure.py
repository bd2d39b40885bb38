"""Personal data erased on request and after the retention period; the KPI numbers stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.reviews.erasure import ErasureService
from storage.db import session_scope
from storage.erasure import ERASED
from storage.models import Decision, Draft, Review, ReviewChange
from storage.reviews import ReviewData, upsert_reviews

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def seed(engine, external_id: str, author: str, *, written: datetime) -> int:
    with session_scope(engine) as session:
        [result] = upsert_reviews(
            session,
            [
                ReviewData(
                    source="google",
                    external_id=external_id,
                    text=f"{author} says: cold coffee",
                    rating=1,
                    author=author,
                    title="Cold",
                    url="https://g.example/r",
                    location="Oslo sentrum",
                    created_at=written,
                )
            ],
            now=written,
        )
        review = session.get(Review, result.review_id)
        review.language, review.negative, review.themes = "nb", True, ["product_quality"]
        review.review_translation = "Cold coffee"
        session.add(
            Draft(
                review_id=review.id,
                version=1,
                text=f"Hei {author}!",
                kind="llm",
                created_at=written,
                reply_translation=f"Hi {author}!",
            )
        )
        session.add(
            Decision(
                review_id=review.id,
                action="approved",
                actor="U1",
                at=written,
                final_text=f"Hei {author}! Beklager.",
            )
        )
        session.add(
            ReviewChange(
                review_id=review.id,
                changed_at=written,
                old_rating=1,
                new_rating=1,
                old_text="before",
                new_text="after",
            )
        )
        return review.id


def test_erasing_an_author_removes_their_data_and_keeps_the_numbers(engine):
    calls: list[list[int]] = []
    service = ErasureService(engine, retention_days=None, clock=lambda: NOW, on_erased=calls.append)
    kari = seed(engine, "k1", "Kari Nordmann", written=NOW)
    kari_again = seed(engine, "k2", "kari nordmann", written=NOW)
    ola = seed(engine, "o1", "Ola", written=NOW)

    erased = service.erase_author("Kari Nordmann ", actor="dpo@example.com")

    assert sorted(erased) == sorted([kari, kari_again])
    assert calls == [erased]
    with Session(engine) as session:
        review = session.get(Review, kari)
        assert (
            review.author,
            review.title,
            review.text,
            review.url,
            review.review_translation,
        ) == (
            None,
            None,
            ERASED,
            None,
            None,
        )
        assert review.erased_at == NOW
        # What the KPIs need is untouched.
        assert (
            review.rating,
            review.language,
            review.negative,
            review.themes,
            review.location,
        ) == (
            1,
            "nb",
            True,
            ["product_quality"],
            "Oslo sentrum",
        )
        assert {d.text for d in session.exec(select(Draft).where(Draft.review_id == kari))} == {
            ERASED
        }
        finals = session.exec(
            select(Decision.final_text, Decision.action).where(Decision.review_id == kari)
        ).all()
        assert sorted(finals, key=lambda f: f[1]) == [(ERASED, "approved"), (None, "erased")]
        change = session.exec(select(ReviewChange).where(ReviewChange.review_id == kari)).one()
        assert (change.old_text, change.new_text, change.old_rating) == (None, None, 1)
        assert session.get(Review, ola).author == "Ola"
        texts = " ".join(
            str(v) for v in session.exec(select(Draft.text, Draft.reply_translation)).all()
        )
        assert "Kari" not in texts and "kari" not in texts


def test_erasing_one_review_by_its_key(engine):
    service = ErasureService(engine, retention_days=None, clock=lambda: NOW)
    review_id = seed(engine, "k1", "Kari", written=NOW)
    assert service.erase_review("google", "k1", actor="cli") == [review_id]
    assert service.erase_review("google", "nope", actor="cli") == []


def test_retention_purges_only_old_reviews_once(engine):
    service = ErasureService(engine, retention_days=365, clock=lambda: NOW)
    old = seed(engine, "old", "Old Timer", written=NOW - timedelta(days=400))
    recent = seed(engine, "new", "New Comer", written=NOW - timedelta(days=10))

    assert service.purge(NOW) == [old]
    assert service.purge(NOW) == []  # already erased
    with Session(engine) as session:
        assert session.get(Review, old).author is None
        assert session.get(Review, recent).author == "New Comer"


def test_no_retention_period_keeps_everything(engine):
    service = ErasureService(engine, retention_days=None, clock=lambda: NOW)
    seed(engine, "old", "Old Timer", written=NOW - timedelta(days=4000))
    assert service.purge(NOW) == []


def test_erasing_also_removes_what_the_checks_the_audit_and_triage_say_about_the_review(engine):
    service = ErasureService(engine, retention_days=None, clock=lambda: NOW)
    kari = seed(engine, "k1", "Kari Nordmann", written=NOW)
    with session_scope(engine) as session:
        review = session.get(Review, kari)
        review.urgent_reason = "Kari Nordmann threatens to call the newspaper"
        draft = session.exec(select(Draft).where(Draft.review_id == kari)).one()
        draft.findings = [{"code": "name", "message": "The reply misspells Kari's name"}]
        draft.instruction = "Nevn at Kari fikk kald kaffe"
        session.add(
            Decision(
                review_id=kari,
                action="regenerated",
                actor="U1",
                at=NOW,
                detail={"instruction": "Nevn at Kari fikk kald kaffe"},
            )
        )
        session.add(
            Decision(
                review_id=kari,
                action="edited",
                actor="U1",
                at=NOW,
                edited=True,
                detail={"model_draft_id": 1, "model_text": "Hei Kari!", "diff": "-Hei Kari!"},
            )
        )
        session.add(
            Decision(
                review_id=kari,
                action="declined",
                actor="U1",
                at=NOW,
                reason="other",
                detail={"note": "Kari is our neighbour"},
            )
        )

    service.erase_author("Kari Nordmann", actor="dpo")

    with Session(engine) as session:
        assert session.get(Review, kari).urgent_reason is None
        draft = session.exec(select(Draft).where(Draft.review_id == kari)).one()
        assert (draft.findings, draft.instruction) == ([], None)
        details = [
            d.detail for d in session.exec(select(Decision).where(Decision.review_id == kari))
        ]
    assert "Kari" not in str(details)
    assert {"model_draft_id": 1} in details  # what is not personal stays in the audit
