"""Trustpilot against a local fake: business-user sign-in and refresh, paged private reviews,
edits found inside the edit window, 429 on the token endpoint, and replies."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.publishing.base import PublishError
from bot.publishing.platforms import platform_publishers
from bot.sources.polling import poll_source
from tests.fakes.platforms import FakeTrustpilot, TrustpilotReview
from tests.fakes.platforms_support import (
    NOW,
    Clock,
    approve,
    changes,
    mark_published,
    poll_services,
    stored,
    stored_one,
)

UNIT = "5a1b2c3d4e5f60718293a4b5"
CREDENTIALS = {
    "TP_KEY": FakeTrustpilot.API_KEY,
    "TP_SECRET": FakeTrustpilot.API_SECRET,
    "TP_USER": FakeTrustpilot.USERNAME,
    "TP_PASSWORD": FakeTrustpilot.PASSWORD,
}


@pytest.fixture
def trustpilot():
    with FakeTrustpilot() as fake:
        yield fake


def _source(fake: FakeTrustpilot) -> dict:
    return {
        "name": "trustpilot-shop",
        "platform": "trustpilot",
        "api_url": fake.url,
        "business_units": [{"id": UNIT, "name": "verkkokauppa.fi"}],
        "business_user_id": FakeTrustpilot.BUSINESS_USER,
        "api_key_env": "TP_KEY",
        "api_secret_env": "TP_SECRET",
        "username_env": "TP_USER",
        "password_env": "TP_PASSWORD",
    }


def _review(n: int, *, days_ago: float = 0, stars: int = 1, language: str = "fi"):
    return TrustpilotReview(
        business_unit=UNIT,
        review_id=f"tp{n}",
        stars=stars,
        title=f"Toimitus myöhässä {n}",
        text="Paketti tuli kaksi viikkoa myöhässä.",
        author=f"Asiakas {n}",
        created=NOW - timedelta(days=days_ago),
        language=language,
    )


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def services(engine, trustpilot, clock):
    built = poll_services(engine, [_source(trustpilot)], CREDENTIALS, clock=clock)
    yield built
    built.close()


def test_reviews_are_read_page_by_page_as_the_business_user(engine, trustpilot, services):
    for n in range(3):
        trustpilot.add(_review(n, days_ago=n))
    trustpilot.add(_review(9, language="no"))

    report = poll_source(services, "trustpilot-shop", NOW)

    assert (report.accepted, report.error) == (4, None)
    rows = {r.external_id: r for r in stored(engine, "trustpilot")}
    assert set(rows) == {f"{UNIT}/tp{n}" for n in (0, 1, 2, 9)}
    first = rows[f"{UNIT}/tp0"]
    assert (first.rating, first.title, first.author, first.location, first.language_hint) == (
        1,
        "Toimitus myöhässä 0",
        "Asiakas 0",
        "verkkokauppa.fi",
        "fi",
    )
    # "no" does not say Bokmål or Nynorsk: detection decides, so no hint is stored.
    assert rows[f"{UNIT}/tp9"].language_hint is None
    assert [g["grant_type"] for g in trustpilot.token_grants] == ["password"]
    assert all(c.headers.get("apikey") == FakeTrustpilot.API_KEY for c in trustpilot.api_calls())
    assert len(trustpilot.api_calls("GET")) == 2


def test_an_edit_inside_the_window_is_picked_up_and_old_reviews_are_not_read_again(
    engine, trustpilot, services
):
    trustpilot.add(_review(1, days_ago=40))
    trustpilot.add(_review(2, days_ago=3))
    poll_source(services, "trustpilot-shop", NOW)
    review = stored_one(engine, f"{UNIT}/tp2")
    mark_published(engine, review.id)

    edited = _review(2, days_ago=3, stars=4)
    edited.text = "Asia hoitui, kiitos!"
    edited.updated = NOW + timedelta(hours=1)
    trustpilot.add(edited)
    trustpilot.calls.clear()
    report = poll_source(services, "trustpilot-shop", NOW + timedelta(hours=2))

    assert (report.accepted, report.updated, report.duplicate) == (0, 1, 0)
    [call] = trustpilot.api_calls("GET")
    # Only the edit window is read again (14 days back from the last review seen).
    assert call.query["startDateTime"] == (NOW + timedelta(hours=2) - timedelta(days=14)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    [change] = changes(engine, review.id)
    assert (change.after_reply, change.new_rating, change.new_text) == (
        True,
        4,
        "Asia hoitui, kiitos!",
    )


def test_an_expired_access_token_is_renewed_with_the_refresh_token(
    engine, trustpilot, services, clock
):
    trustpilot.add(_review(1))
    poll_source(services, "trustpilot-shop", NOW)
    clock.now += 100 * 3600  # Trustpilot's access tokens live 100 hours

    poll_source(services, "trustpilot-shop", NOW + timedelta(hours=100))

    assert [g["path"].rsplit("/", 1)[1] for g in trustpilot.token_grants] == [
        "accesstoken",
        "refresh",
    ]


def test_a_429_from_the_token_endpoint_postpones_the_poll(engine, trustpilot, services):
    trustpilot.add(_review(1))
    trustpilot.fail(429, path_part="/oauth/", headers={"Retry-After": "900"})

    report = poll_source(services, "trustpilot-shop", NOW)

    assert report.not_before == NOW + timedelta(seconds=900)
    assert stored(engine, "trustpilot") == []


def test_a_reply_is_posted_as_the_business_user_and_a_404_is_reported(engine, trustpilot, services):
    trustpilot.add(_review(1))
    poll_source(services, "trustpilot-shop", NOW)
    review = stored(engine, "trustpilot")[0]
    reply = approve(engine, review.id, "Hei Asiakas 1, pahoittelut viivästyksestä! /Anna")
    publisher = platform_publishers(services.sources, engine, clock=services.clock)["trustpilot"]

    publisher.publish(reply)

    [post] = trustpilot.api_calls("POST")
    assert post.path == "/v1/private/reviews/tp1/reply"
    assert post.body == {
        "authorBusinessUserId": FakeTrustpilot.BUSINESS_USER,
        "message": "Hei Asiakas 1, pahoittelut viivästyksestä! /Anna",
    }
    assert trustpilot.reviews["tp1"].replies == [{"text": reply.reply}]

    del trustpilot.reviews["tp1"]  # the customer deleted the review
    second = approve(engine, review.id, "Uusi vastaus.")
    with pytest.raises(PublishError, match="HTTP 404"):
        publisher.publish(second)
