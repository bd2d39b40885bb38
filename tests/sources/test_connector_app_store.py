"""App Store Connect against a local fake: ES256 JWTs the fake verifies, JSON:API paging by
links.next, a next link to another host, the hourly rate limit, review responses, and the
brand each review gets from its app or source."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.publishing.base import PublishError
from bot.publishing.platforms import platform_publishers
from bot.sources.connectors.base import Watermark
from bot.sources.polling import poll_source
from tests.fakes.platforms import AppStoreReview, FakeAppStoreConnect
from tests.fakes.platforms_support import NOW, approve, poll_services, stored

APP = "1234567890"


@pytest.fixture
def apple():
    with FakeAppStoreConnect() as fake:
        yield fake


def _source(fake: FakeAppStoreConnect) -> dict:
    return {
        "name": "ios-app",
        "platform": "app_store",
        "api_url": fake.url,
        "apps": [{"id": APP, "name": "Hotel app (iOS)"}],
        "issuer_id": FakeAppStoreConnect.ISSUER,
        "key_id": FakeAppStoreConnect.KEY_ID,
        "private_key_env": "ASC_KEY",
    }


def _review(n: int, hours_ago: int = 0) -> AppStoreReview:
    return AppStoreReview(
        app=APP,
        review_id=f"00000000-0000-0000-0000-00000000000{n}",
        rating=1,
        title="閃退",
        body=f"每次打開就閃退，第{n}次了。",
        nickname=f"旅客{n}",
        created=NOW - timedelta(hours=hours_ago),
        territory="TWN",
    )


@pytest.fixture
def services(engine, apple):
    built = poll_services(engine, [_source(apple)], {"ASC_KEY": apple.pem})
    yield built
    built.close()


def test_reviews_are_read_with_a_signed_token_following_links_next(engine, apple, services):
    for n in range(5):
        apple.add(_review(n, hours_ago=n))

    report = poll_source(services, "ios-app", NOW)

    assert (report.accepted, report.error) == (5, None)
    assert apple.refused_tokens == []
    rows = stored(engine, "app_store")
    assert {(r.external_id, r.title, r.author, r.location) for r in rows} == {
        (f"{APP}/{_review(n).review_id}", "閃退", f"旅客{n}", "Hotel app (iOS)") for n in range(5)
    }
    assert [c.query.get("cursor") for c in apple.api_calls("GET")] == [None, "2", "4"]


def test_a_key_that_is_not_apple_s_is_refused_and_reported(engine, apple):
    from tests.fakes.platforms import ec_private_key_pem

    other_pem, _ = ec_private_key_pem()
    services = poll_services(engine, [_source(apple)], {"ASC_KEY": other_pem})
    apple.add(_review(1))
    try:
        report = poll_source(services, "ios-app", NOW)
    finally:
        services.close()
    assert report.error == "app_store answered HTTP 401 (NOT_AUTHORIZED)"
    # One fresh token is tried after the first 401, then the poll gives up.
    assert apple.refused_tokens == ["InvalidSignatureError", "InvalidSignatureError"]


def test_a_next_link_to_another_host_is_not_followed(engine, apple, services, monkeypatch):
    for n in range(3):
        apple.add(_review(n, hours_ago=n))
    real_list = apple._list

    def foreign_next(app, query):
        reply = real_list(app, query)
        return reply.__class__(
            reply.status,
            reply.body.replace(apple.url.encode(), b"https://attacker.example"),
            reply.headers,
        )

    monkeypatch.setattr(apple, "_list", foreign_next)
    report = poll_source(services, "ios-app", NOW)

    assert report.error == "App Store Connect gave a next page on another host"
    assert stored(engine, "app_store") == []


def test_the_hourly_limit_postpones_the_source(engine, apple, services):
    apple.add(_review(1))
    apple.fail(429, path_part="customerReviews", headers={"Retry-After": "1800"})

    report = poll_source(services, "ios-app", NOW)

    assert report.not_before == NOW + timedelta(minutes=30)


def test_a_response_is_created_for_the_review_and_replaces_an_earlier_one(engine, apple, services):
    apple.add(_review(1))
    poll_source(services, "ios-app", NOW)
    review = stored(engine, "app_store")[0]
    publisher = platform_publishers(services.sources, engine, clock=services.clock)["app_store"]

    publisher.publish(approve(engine, review.id, "您好，旅客1，很抱歉造成不便。"))
    publisher.publish(approve(engine, review.id, "您好，旅客1，新版本已修正閃退問題。"))

    bodies = [c.body for c in apple.api_calls("POST")]
    assert bodies[0] == {
        "data": {
            "type": "customerReviewResponses",
            "attributes": {"responseBody": "您好，旅客1，很抱歉造成不便。"},
            "relationships": {
                "review": {"data": {"type": "customerReviews", "id": _review(1).review_id}}
            },
        }
    }
    assert apple.responses == {_review(1).review_id: "您好，旅客1，新版本已修正閃退問題。"}


def test_a_reply_over_apple_s_limit_is_refused_before_any_call(engine, apple, services):
    apple.add(_review(1))
    poll_source(services, "ios-app", NOW)
    review = stored(engine, "app_store")[0]

    with pytest.raises(PublishError, match="5971 characters"):
        platform_publishers(services.sources, engine, clock=services.clock)["app_store"].publish(
            approve(engine, review.id, "x" * 5971)
        )
    assert apple.api_calls("POST") == []


def test_each_review_has_its_apps_brand_else_its_sources(engine, apple):
    other_app = "9876543210"
    source = {
        **_source(apple),
        "brand": "norr",
        "apps": [{"id": APP, "name": "Lumi app", "brand": "lumi"}, {"id": other_app}],
    }
    apple.add(_review(1))
    apple.add(replace(_review(2), app=other_app))
    services = poll_services(engine, [source], {"ASC_KEY": apple.pem})
    connector = services.sources.connector("ios-app")
    try:
        brands = {
            scope_id: {r.brand for r in connector.fetch(scope_id, Watermark(), NOW).reviews}
            for scope_id in (APP, other_app)
        }
    finally:
        services.close()
    assert brands == {APP: {"lumi"}, other_app: {"norr"}}
