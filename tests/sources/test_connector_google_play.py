"""Google Play against a local fake: the service account's JWT bearer grant, tokenPagination,
the seven-day window, edits, the device language kept out of the hint, and the 350 limit."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.publishing.base import PublishError
from bot.publishing.platforms import platform_publishers
from bot.sources.polling import poll_source
from tests.fakes.platforms import FakeGooglePlay, PlayReview
from tests.fakes.platforms_support import (
    NOW,
    approve,
    changes,
    mark_published,
    poll_services,
    stored,
    stored_one,
)

PACKAGE = "com.example.hotel"


@pytest.fixture
def play():
    with FakeGooglePlay(now=NOW) as fake:
        yield fake


def _source(fake: FakeGooglePlay) -> dict:
    return {
        "name": "android-app",
        "platform": "google_play",
        "api_url": fake.url,
        "apps": [{"id": PACKAGE, "name": "Hotel app (Android)"}],
        "service_account_env": "PLAY_KEY",
    }


def _review(n: int, *, days_ago: float = 0, stars: int = 1, text: str | None = None):
    return PlayReview(
        package=PACKAGE,
        review_id=f"gp:AOqpTO{n}",
        stars=stars,
        text=text if text is not None else f"Appen kraschar hela tiden ({n}).",
        author=f"Användare {n}",
        modified=NOW - timedelta(days=days_ago),
        reviewer_language="en_US",
    )


@pytest.fixture
def services(engine, play):
    built = poll_services(engine, [_source(play)], {"PLAY_KEY": json.dumps(play.key)})
    yield built
    built.close()


def test_the_last_week_is_read_with_a_service_account_token(engine, play, services):
    for n in range(3):
        play.add(_review(n, days_ago=n))
    play.add(_review(7, days_ago=8))  # older than Play keeps
    play.add(_review(8, text=""))  # a rating without text: Play does not list it

    report = poll_source(services, "android-app", NOW)

    assert (report.accepted, report.error) == (3, None)
    assert [g["grant_type"] for g in play.token_grants] == [
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    ]
    rows = {r.external_id: r for r in stored(engine, "google_play")}
    assert set(rows) == {f"{PACKAGE}/gp:AOqpTO{n}" for n in range(3)}
    first = rows[f"{PACKAGE}/gp:AOqpTO0"]
    assert first.text == "Appen kraschar hela tiden (0)."  # Play's leading tab is gone
    # reviewerLanguage is the phone's language (en_US here), not the review's.
    assert first.language_hint is None
    assert [c.query.get("token") for c in play.api_calls("GET")] == [None, "2"]


def test_an_edited_review_comes_back_as_an_update(engine, play, services):
    play.add(_review(1, days_ago=1))
    poll_source(services, "android-app", NOW)
    review = stored_one(engine, f"{PACKAGE}/gp:AOqpTO1")
    mark_published(engine, review.id)

    play.add(_review(1, stars=5, text="Fixat i nya versionen, tack!"))
    report = poll_source(services, "android-app", NOW + timedelta(hours=1))

    assert (report.accepted, report.updated) == (0, 1)
    assert stored_one(engine, review.external_id).rating == 5
    assert changes(engine, review.id)[0].after_reply is True


def test_a_service_account_key_that_is_not_json_is_named(engine, play):
    services = poll_services(engine, [_source(play)], {"PLAY_KEY": "not json"})
    try:
        report = poll_source(services, "android-app", NOW)
    finally:
        services.close()
    assert report.error == "PLAY_KEY is not a service account JSON key"


def test_a_reply_goes_to_reviews_reply_and_the_350_limit_is_enforced(engine, play, services):
    play.add(_review(1))
    poll_source(services, "android-app", NOW)
    review = stored(engine, "google_play")[0]
    publisher = platform_publishers(services.sources, engine, clock=services.clock)["google_play"]

    with pytest.raises(PublishError, match="351 characters; Google Play takes 350"):
        publisher.publish(approve(engine, review.id, "x" * 351))
    publisher.publish(approve(engine, review.id, "Hej! Uppdatera till 2.4.1 så är felet borta."))

    [post] = play.api_calls("POST")
    assert post.path == f"/androidpublisher/v3/applications/{PACKAGE}/reviews/gp:AOqpTO1:reply"
    assert post.body == {"replyText": "Hej! Uppdatera till 2.4.1 så är felet borta."}
    assert play.reviews["gp:AOqpTO1"].reply == "Hej! Uppdatera till 2.4.1 så är felet borta."
