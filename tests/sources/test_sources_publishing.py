"""The whole way round with the real app: a Google review polled from the fake platform gets a
card, a person clicks Approve in Slack, and the reply lands on Google once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml

from bot.blocks import ids
from bot.publishing.base import ERASED_NOT_SENT, OutgoingReply, PublishError
from bot.sources.polling import poll_source
from storage.erasure import ERASED
from tests.fakes.platforms import GoogleReview
from tests.fakes.platforms_support import stored_one
from tests.support.workflow import (
    block_action,
    decisions,
    drafted_card,
    eventually,
    review,
    start,
)

LOCATION = "555"


@pytest.fixture
def app(app_factory, google, tmp_path):
    sources = tmp_path / "sources.yml"
    sources.write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {
                        "name": "google-cafes",
                        "platform": "google",
                        "account": "100",
                        "locations": [{"id": LOCATION, "name": "Stockholm"}],
                        "api_url": f"{google.url}/v4/",
                        "token_url": f"{google.url}/token",
                        "client_id_env": "GBP_CLIENT_ID",
                        "client_secret_env": "GBP_CLIENT_SECRET",
                        "refresh_token_env": "GBP_REFRESH_TOKEN",
                    }
                ]
            }
        )
    )
    secrets = tmp_path / "sources.secrets"
    secrets.write_text(
        f"GBP_CLIENT_ID={google.CLIENT_ID}\n"
        f"GBP_CLIENT_SECRET={google.CLIENT_SECRET}\n"
        f"GBP_REFRESH_TOKEN={google.REFRESH_TOKEN}\n"
    )
    return start(app_factory, sources_file=sources, sources_secrets_file=secrets)


def test_a_polled_review_is_carded_approved_and_its_reply_put_on_google_once(
    app, google, fake_slack
):
    written = app.services.clock() - timedelta(hours=1)
    name = google.add(
        GoogleReview(
            location=LOCATION,
            review_id="r1",
            stars="ONE",
            comment="Maten var kall och vi väntade i en timme på bordet.",
            author="Anna Svensson",
            created=written,
            updated=written,
        )
    )

    report = poll_source(app.services, "google-cafes", app.services.clock())
    assert report.accepted == 1
    review_id = stored_one(app.services.engine, name).id
    app.wait_for_status(review_id, "pending")
    message = drafted_card(fake_slack, review_id)

    response = app.send_interaction(block_action(message, ids.ACTION_APPROVE))
    assert response.status_code == 200

    eventually(lambda: review(app, review_id).publish_state == "published", what="published")
    [approval] = decisions(app, review_id, "approved")
    [put] = google.api_calls("PUT")
    assert put.path == f"/v4/{name}/reply"
    assert put.body == {"comment": approval.final_text}
    assert google.reviews[name].reply["comment"] == approval.final_text

    # Retrying the same approval (a sweep after a restart) does not call Google again.
    app.services.publishing.publish(review_id)
    assert len(google.api_calls("PUT")) == 1


def test_an_erased_reply_never_reaches_google(app, google, fake_slack):
    written = app.services.clock() - timedelta(hours=1)
    name = google.add(
        GoogleReview(
            location=LOCATION,
            review_id="r2",
            stars="ONE",
            comment="Kallt kaffe.",
            author="Anna Svensson",
            created=written,
            updated=written,
        )
    )
    poll_source(app.services, "google-cafes", app.services.clock())
    stored = stored_one(app.services.engine, name)

    with pytest.raises(PublishError) as refused:
        app.services.publishers.for_source("google").publish(
            OutgoingReply(stored.id, "google", stored.external_id, ERASED)
        )
    assert refused.value.reason == ERASED_NOT_SENT
    assert google.api_calls("PUT") == []
