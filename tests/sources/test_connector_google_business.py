"""Google Business Profile against a local fake of its API: polling with paging and a stored
cursor, OAuth refresh, 429/5xx, an edited review, and publishing a reply."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.publishing.base import PublishError
from bot.publishing.platforms import platform_publishers
from bot.sources.polling import poll_source
from storage.sources import read_cursor
from tests.fakes.platforms import FakeGoogleBusiness, GoogleReview
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
from tests.support.clock import TestWaits

LOCATION = "555"


@pytest.fixture
def google():
    with FakeGoogleBusiness(account="100") as fake:
        yield fake


def _source(fake: FakeGoogleBusiness, **extra) -> dict:
    return {
        "name": "google-cafes",
        "platform": "google",
        "account": "100",
        "locations": [{"id": LOCATION, "name": "Södermalm"}],
        "api_url": f"{fake.url}/v4/",
        "token_url": f"{fake.url}/token",
        "client_id_env": "GBP_CLIENT_ID",
        "client_secret_env": "GBP_CLIENT_SECRET",
        "refresh_token_env": "GBP_REFRESH_TOKEN",
        **extra,
    }


CREDENTIALS = {
    "GBP_CLIENT_ID": FakeGoogleBusiness.CLIENT_ID,
    "GBP_CLIENT_SECRET": FakeGoogleBusiness.CLIENT_SECRET,
    "GBP_REFRESH_TOKEN": FakeGoogleBusiness.REFRESH_TOKEN,
}


def _review(n: int, stars: str = "ONE", hours_ago: int = 0, text: str | None = None):
    written = NOW - timedelta(hours=hours_ago)
    return GoogleReview(
        location=LOCATION,
        review_id=f"r{n}",
        stars=stars,
        comment=text or f"Kaffet var kallt, besök {n}.",
        author=f"Kund {n}",
        created=written,
        updated=written,
    )


@pytest.fixture
def services(engine, google):
    waits = TestWaits()
    built = poll_services(engine, [_source(google)], CREDENTIALS, waits=waits)
    built.waits = waits  # type: ignore[attr-defined]
    yield built
    built.close()


def test_a_first_poll_backfills_every_page_and_the_next_fetches_nothing_again(
    engine, google, services
):
    for n in range(5):
        google.add(_review(n, hours_ago=10 - n))

    first = poll_source(services, "google-cafes", NOW)

    assert (first.accepted, first.error) == (5, None)
    reviews = stored(engine, "google")
    assert [r.external_id for r in reviews] == [
        f"accounts/100/locations/{LOCATION}/reviews/r{n}" for n in range(5)
    ]
    assert {(r.rating, r.author, r.location) for r in reviews} == {
        (1, f"Kund {n}", "Södermalm") for n in range(5)
    }
    # Three pages of two: the fake caps pageSize, as Google does.
    assert len(google.api_calls("GET")) == 3

    google.calls.clear()
    google.add(_review(9, stars="TWO"))
    second = poll_source(services, "google-cafes", NOW + timedelta(minutes=15))

    # Newest first: paging stops at the first page that reaches back before the cursor
    # (the second: the first ends exactly at it, and another review may share that second).
    assert (second.accepted, second.duplicate, second.updated) == (1, 0, 0)
    assert len(google.api_calls("GET")) == 2
    assert stored_one(engine, f"accounts/100/locations/{LOCATION}/reviews/r9").rating == 2


def test_the_cursor_survives_a_restart(engine, google, services):
    google.add(_review(1, hours_ago=2))
    poll_source(services, "google-cafes", NOW)
    services.close()

    restarted = poll_services(engine, [_source(google)], CREDENTIALS)
    try:
        report = poll_source(restarted, "google-cafes", NOW + timedelta(minutes=15))
    finally:
        restarted.close()

    assert (report.accepted, report.duplicate, report.updated) == (0, 0, 0)
    assert len(stored(engine, "google")) == 1


def test_a_review_edited_after_our_reply_is_marked_with_its_new_rating_and_text(
    engine, google, services
):
    google.add(_review(1, stars="ONE", hours_ago=3))
    poll_source(services, "google-cafes", NOW)
    review = stored(engine, "google")[0]
    mark_published(engine, review.id)

    edited = _review(1, stars="FOUR", hours_ago=3, text="Tack för svaret, nu är det bra!")
    edited.updated = NOW + timedelta(minutes=5)
    google.add(edited)
    report = poll_source(services, "google-cafes", NOW + timedelta(minutes=15))

    assert report.updated == 1
    after = stored_one(engine, review.external_id)
    assert (after.first_rating, after.rating) == (1, 4)
    assert after.text == "Tack för svaret, nu är det bra!"
    [change] = changes(engine, review.id)
    assert change.after_reply is True
    assert (change.old_rating, change.new_rating) == (1, 4)


def test_an_expired_token_is_refreshed_once_and_kept_otherwise(engine, google, services):
    google.add(_review(1))
    poll_source(services, "google-cafes", NOW)
    poll_source(services, "google-cafes", NOW + timedelta(minutes=1))
    assert len(google.token_grants) == 1

    google.revoke_tokens()
    google.add(_review(2))
    report = poll_source(services, "google-cafes", NOW + timedelta(minutes=2))

    assert (report.accepted, report.error) == (1, None)
    assert len(google.token_grants) == 2
    assert google.token_grants[-1]["grant_type"] == "refresh_token"


def test_a_refused_refresh_token_stops_the_poll_without_showing_a_secret(engine, google):
    services = poll_services(
        engine, [_source(google)], {**CREDENTIALS, "GBP_REFRESH_TOKEN": "revoked-refresh-token"}
    )
    google.add(_review(1))
    try:
        report = poll_source(services, "google-cafes", NOW)
    finally:
        services.close()

    assert report.error == "google answered HTTP 400 (invalid_grant)"
    assert "revoked-refresh-token" not in report.error
    assert stored(engine, "google") == []
    cursor = read_cursor(engine, source_name="google-cafes")
    assert cursor.failures == 1
    assert cursor.not_before == NOW + timedelta(minutes=1)


def test_missing_credentials_are_named(engine, google):
    services = poll_services(engine, [_source(google)], {})
    try:
        report = poll_source(services, "google-cafes", NOW)
    finally:
        services.close()
    assert report.error is not None
    assert "GBP_CLIENT_ID" in report.error
    assert google.calls == []


def test_a_short_429_is_waited_out_as_retry_after_says(engine, google, services):
    google.add(_review(1))
    google.fail(429, path_part="/reviews", headers={"Retry-After": "7"})

    report = poll_source(services, "google-cafes", NOW)

    assert (report.accepted, report.error) == (1, None)
    assert services.waits.seconds == [7.0]


def test_a_long_429_postpones_the_source_and_no_call_is_made_before_then(engine, google, services):
    google.add(_review(1))
    google.fail(429, path_part="/reviews", headers={"Retry-After": "3600"})

    report = poll_source(services, "google-cafes", NOW)

    assert report.not_before == NOW + timedelta(hours=1)
    assert services.waits.seconds == []
    calls_so_far = len(google.calls)
    early = poll_source(services, "google-cafes", NOW + timedelta(minutes=30))
    assert early.not_before == NOW + timedelta(hours=1)
    assert len(google.calls) == calls_so_far
    later = poll_source(services, "google-cafes", NOW + timedelta(hours=1))
    assert (later.accepted, later.error) == (1, None)
    assert read_cursor(engine, source_name="google-cafes").failures == 0


def test_server_errors_are_retried_with_growing_waits_then_reported(engine, google, services):
    google.add(_review(1))
    google.fail(503, path_part="/reviews", times=2)
    report = poll_source(services, "google-cafes", NOW)
    assert (report.accepted, services.waits.seconds) == (1, [1.0, 2.0])

    google.fail(500, path_part="/reviews", times=10)
    google.add(_review(2))
    failed = poll_source(services, "google-cafes", NOW + timedelta(minutes=15))
    assert failed.error == "google answered HTTP 500"
    assert len(stored(engine, "google")) == 1  # nothing half-stored; the cursor did not move
    assert read_cursor(engine, source_name="google-cafes").position[LOCATION]["ids"] == [
        f"accounts/100/locations/{LOCATION}/reviews/r1"
    ]


def test_an_approved_reply_is_put_once_per_approval(engine, google, services):
    google.add(_review(1))
    poll_source(services, "google-cafes", NOW)
    review = stored(engine, "google")[0]
    reply = approve(engine, review.id, "Hej Kund 1! Förlåt för det kalla kaffet. /Anna")
    publisher = platform_publishers(services.sources, engine, clock=services.clock)["google"]

    publisher.publish(reply)
    publisher.publish(reply)  # a second click or a sweep after a restart

    puts = google.api_calls("PUT")
    assert [(c.path, c.body) for c in puts] == [
        (
            f"/v4/accounts/100/locations/{LOCATION}/reviews/r1/reply",
            {"comment": "Hej Kund 1! Förlåt för det kalla kaffet. /Anna"},
        )
    ]
    assert google.reviews[review.external_id].reply["comment"].startswith("Hej Kund 1!")


def test_a_reply_over_4096_bytes_is_refused_before_any_call(engine, google, services):
    google.add(_review(1))
    poll_source(services, "google-cafes", NOW)
    review = stored(engine, "google")[0]
    # 1400 Chinese characters are 4200 bytes of UTF-8.
    reply = approve(engine, review.id, "謝" * 1400)

    with pytest.raises(PublishError, match="4200 bytes; Google accepts 4096"):
        platform_publishers(services.sources, engine, clock=services.clock)["google"].publish(reply)
    assert google.api_calls("PUT") == []


def test_a_refused_publish_is_reported_and_can_be_tried_again(engine, google, services):
    google.add(_review(1))
    poll_source(services, "google-cafes", NOW)
    review = stored(engine, "google")[0]
    reply = approve(engine, review.id, "Hej! Vi hör av oss.")
    publisher = platform_publishers(services.sources, engine, clock=services.clock)["google"]
    google.fail(
        403, path_part="/reply", body={"error": {"code": 403, "status": "PERMISSION_DENIED"}}
    )

    with pytest.raises(PublishError, match=r"HTTP 403 \(PERMISSION_DENIED\)"):
        publisher.publish(reply)
    publisher.publish(reply)

    assert len(google.api_calls("PUT")) == 2
    assert google.reviews[review.external_id].reply["comment"] == "Hej! Vi hör av oss."


def test_only_a_person_s_approval_is_published(engine, google, services):
    google.add(_review(1))
    poll_source(services, "google-cafes", NOW)
    review = stored(engine, "google")[0]
    approved = approve(engine, review.id, "Det godkända svaret.")
    publisher = platform_publishers(services.sources, engine, clock=services.clock)["google"]

    with pytest.raises(PublishError, match="only a reply a person approved"):
        publisher.publish(approved.__class__(**{**approved.__dict__, "reply": "Något annat."}))
    assert google.api_calls("PUT") == []


def test_the_token_is_not_refreshed_before_it_expires(engine, google):
    clock = Clock()
    services = poll_services(engine, [_source(google)], CREDENTIALS, clock=clock)
    try:
        poll_source(services, "google-cafes", NOW)
        clock.now += 3000  # under the hour Google's token lives
        poll_source(services, "google-cafes", NOW)
        assert len(google.token_grants) == 1
        clock.now += 600  # now within a minute of expiry
        poll_source(services, "google-cafes", NOW)
        assert len(google.token_grants) == 2
    finally:
        services.close()
