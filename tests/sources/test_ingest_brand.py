"""A review's brand, as POST /reviews and `reviewbot import` give it or its location implies."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import Review
from tests.support.routes import write_routes

REVIEW = {
    "source": "google",
    "external_id": "b-1",
    "rating": 1,
    "text": "Kaffet var kallt och ingen brydde sig.",
    "language": "sv",
    "created_at": "2026-11-20T18:03:00+01:00",
}


def stored_brands(app) -> dict[str, str | None]:
    with Session(app.services.engine) as session:
        return {r.external_id: r.brand for r in session.exec(select(Review))}


def test_the_brand_is_the_reviews_own_else_the_first_brand_whose_locations_take_it(
    app_factory, tmp_path
):
    app = app_factory(routes_file=write_routes(tmp_path))
    response = app.post_reviews(
        [
            {**REVIEW, "external_id": "own", "brand": "norr", "location": "Oslo sentrum"},
            {**REVIEW, "external_id": "by-location", "location": "oslo sentrum"},
            {**REVIEW, "external_id": "by-glob-exact", "location": "Södermalm"},
            {**REVIEW, "external_id": "none", "location": "Göteborg"},
        ]
    )
    assert response.status_code == 202, response.text
    assert stored_brands(app) == {
        "own": "norr",
        "by-location": "lumi",
        "by-glob-exact": "lumi",
        "none": None,
    }


def test_an_unknown_brand_is_refused_naming_the_field_and_nothing_of_the_batch_is_stored(
    app_factory, tmp_path
):
    app = app_factory(routes_file=write_routes(tmp_path))
    response = app.post_reviews([REVIEW, {**REVIEW, "external_id": "b-2", "brand": "ghost"}])
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "brand: unknown brand 'ghost'; use one of lumi, norr"
    assert body["problems"] == [
        {"field": "brand", "problem": "unknown brand 'ghost'; use one of lumi, norr", "index": 1}
    ]
    assert stored_brands(app) == {}


def test_without_a_routes_file_a_brand_field_is_ignored_as_today(app):
    response = app.post_reviews({**REVIEW, "brand": "lumi"})
    assert response.status_code == 202, response.text
    assert stored_brands(app) == {"b-1": None}
