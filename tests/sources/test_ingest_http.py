"""POST /reviews and GET /healthz through the real app over HTTP."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import Draft, Review, ReviewChange
from tests.support.harness import INGEST_TOKEN

KARI = {
    "source": "google",
    "external_id": "abc123",
    "rating": 1,
    "title": "Kald mat",
    "text": "Maten var kald og vi ventet en time.",
    "author": "Kari Nordmann",
    "language": "nb",
    "created_at": "2026-11-20T18:03:00+01:00",
    "url": "https://example.com/r/abc123",
    "location": "Oslo sentrum",
}


def stored(app) -> list[Review]:
    with Session(app.services.engine) as session:
        return list(session.exec(select(Review).order_by(Review.id)))


def test_a_review_walks_from_post_into_storage(app):
    response = app.post_reviews(KARI)

    assert response.status_code == 202
    body = response.json()
    assert (body["accepted"], body["duplicate"], body["updated"]) == (1, 0, 0)
    [review] = stored(app)
    assert body["reviews"] == [
        {"id": review.id, "source": "google", "external_id": "abc123", "status": "accepted"}
    ]
    assert (review.source, review.external_id, review.rating) == ("google", "abc123", 1)
    assert review.author == "Kari Nordmann" and review.location == "Oslo sentrum"
    assert review.language_hint == "nb"
    assert review.created_at.isoformat() == "2026-11-20T17:03:00+00:00"

    # Off the request path the pipeline triages it and writes a draft (a template: no LLM).
    review = app.wait_for_status(review.id, "pending")
    assert (review.language, review.negative, review.language_assumed) == ("nb", True, False)
    with Session(app.services.engine) as session:
        [draft] = session.exec(select(Draft).where(Draft.review_id == review.id)).all()
    assert draft.kind == "template" and draft.version == 1
    assert draft.text.startswith("Hei Kari!\n\n")  # the first name, as the guide says


def test_the_same_review_twice_is_stored_once(app):
    first = app.post_reviews([KARI, {**KARI, "external_id": "def456"}])
    again = app.post_reviews([KARI, KARI])

    assert first.json()["accepted"] == 2
    assert again.status_code == 202
    assert (again.json()["accepted"], again.json()["duplicate"]) == (0, 2)
    assert [r.external_id for r in stored(app)] == ["abc123", "def456"]


def test_a_changed_rating_updates_the_review_and_records_the_change(app):
    app.post_reviews(KARI)
    response = app.post_reviews({**KARI, "rating": 4, "text": "De ringte meg og ordnet opp."})

    assert response.json()["updated"] == 1
    [review] = stored(app)
    assert (review.rating, review.first_rating) == (4, 1)
    with Session(app.services.engine) as session:
        [change] = session.exec(select(ReviewChange)).all()
    assert (change.review_id, change.old_rating, change.new_rating) == (review.id, 1, 4)
    assert change.old_text == KARI["text"]


def test_a_wrong_or_missing_token_is_refused_and_stores_nothing(app):
    for token in (None, "not-the-token", INGEST_TOKEN + "x"):
        response = app.post_reviews(KARI, token=token)
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"
    assert stored(app) == []


def test_ingest_is_disabled_without_a_token(app_factory):
    app = app_factory(ingest_token=None)
    response = app.post_reviews(KARI, token="anything")
    assert response.status_code == 503
    assert "INGEST_TOKEN" in response.json()["message"]
    assert stored(app) == []


def test_invalid_json_and_wrong_shapes_get_400(app):
    bad = app.post_reviews(None, raw=b'{"source": "google",')
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_json"
    scalar = app.post_reviews(42)
    assert scalar.status_code == 400
    assert "array" in scalar.json()["message"]
    assert stored(app) == []


def test_each_bad_field_is_named_and_nothing_of_the_batch_is_stored(app):
    response = app.post_reviews(
        [
            KARI,
            {**KARI, "external_id": "x2", "rating": 6},
            {"external_id": "x3", "text": "hei"},
            {**KARI, "external_id": "x4", "created_at": "last tuesday"},
            {**KARI, "external_id": "x5", "text": "", "rating": None},
            "not an object",
        ]
    )

    assert response.status_code == 422
    problems = response.json()["problems"]
    assert {"index": 1, "field": "rating", "problem": "must be an integer from 1 to 5"} in problems
    assert {"index": 2, "field": "source", "problem": "is required"} in problems
    assert any(p["index"] == 3 and p["field"] == "created_at" for p in problems)
    assert {
        "index": 4,
        "field": "text",
        "problem": "may be empty only when a rating is given",
    } in problems
    assert {"index": 5, "field": "review", "problem": "must be a JSON object"} in problems
    assert response.json()["message"] == "rating: must be an integer from 1 to 5"
    assert stored(app) == []


def test_an_empty_text_with_a_rating_is_accepted(app):
    response = app.post_reviews(
        {"source": "google", "external_id": "stars-only", "text": "", "rating": 2}
    )
    assert response.status_code == 202
    assert stored(app)[0].text == ""


def test_an_empty_array_is_refused(app):
    response = app.post_reviews([])
    assert response.status_code == 422
    assert response.json()["error"] == "empty"


def test_a_body_over_the_limit_gets_413(app_factory):
    app = app_factory(ingest_max_bytes=10_000)
    response = app.post_reviews({**KARI, "text": "x" * 20_000})
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert stored(app) == []


def test_too_many_reviews_in_one_request_get_413(app_factory):
    app = app_factory(ingest_max_reviews=3)
    response = app.post_reviews([{**KARI, "external_id": str(i)} for i in range(4)])
    assert response.status_code == 413
    assert "at most 3" in response.json()["message"]


def test_a_nul_character_is_named_not_a_server_error(app):
    response = app.post_reviews({**KARI, "text": "bad\u0000byte"})
    assert response.status_code == 422
    assert response.json()["problems"] == [{"field": "text", "problem": "contains a NUL character"}]


def test_unicode_survives_the_round_trip(app):
    text = "房間很髒 — 🙁 \u200b\u202eעברית\u202c"
    app.post_reviews({**KARI, "text": text, "author": "陳小姐"})
    [review] = stored(app)
    assert (review.text, review.author) == (text, "陳小姐")


def test_healthz_reports_the_database(app):
    response = app.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_unknown_paths_and_methods(app):
    assert app.http.get("/reviews").status_code == 405
    assert app.http.get("/nope").status_code == 404
    assert app.http.post("/healthz").status_code == 405
