"""GET /metrics through the real app: what a posted review, a drafted card, a model's answer
and a Slack 429 leave in the counters, and the backlog read from storage at scrape time."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session, select

from storage.models import Draft
from tests.support.harness import AppHarness
from tests.support.jobs import set_review
from tests.support.llm import answer
from tests.support.workflow import eventually, post_review, start

METRICS_TOKEN = "metrics-token-0123456789abcdef"


def scrape(app: AppHarness, **headers: str) -> dict[tuple[str, tuple], float]:
    response = app.http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_a_posted_review_and_its_drafted_card_are_counted(app_factory, fake_slack):
    app = start(app_factory)
    review_id = post_review(app, fake_slack)
    drafted = ("reviewbot_drafts_total", (("outcome", "template"),))
    card_backlog = ("reviewbot_backlog", (("stage", "card"),))
    # The card shows the draft once the draft is counted and no card step is left.
    values = eventually(
        lambda: (v := scrape(app)).get(drafted) and v.get(card_backlog) == 0 and v,
        what="the drafted card counted",
    )

    stored = ("reviewbot_reviews_stored_total", (("source", "google"), ("status", "accepted")))
    assert values[stored] == 1
    assert values[("reviewbot_cards_posted_total", ())] == 1
    assert values[("reviewbot_drafts_total", (("outcome", "template"),))] == 1
    assert ("reviewbot_drafts_total", (("outcome", "llm"),)) not in values
    posted = (
        "reviewbot_slack_api_calls_total",
        (("method", "chat.postMessage"), ("outcome", "ok")),
    )
    assert values[posted] >= 1  # the card, and the review's text in its thread
    assert {
        stage: values[("reviewbot_backlog", (("stage", stage),))]
        for stage in ("triage", "draft", "card")
    } == {
        "triage": 0,
        "draft": 0,
        "card": 0,
    }

    # The backlog is what storage holds at the moment of the scrape.
    set_review(app.services, review_id, status="received")
    assert scrape(app)[("reviewbot_backlog", (("stage", "triage"),))] == 1


def test_a_model_draft_counts_its_latency_and_tokens(app_factory, fake_slack, fake_openai):
    fake_openai.respond_with(lambda request: answer())
    app = start(
        app_factory,
        openai_api_key="sk-test-key-for-the-fake",
        openai_base_url=fake_openai.base_url,
        openai_model="fake-model",
        openai_max_retries=1,
        openai_timeout=2,
    )
    review_id = post_review(app, fake_slack)
    with Session(app.services.engine) as session:
        [draft] = session.exec(select(Draft).where(Draft.review_id == review_id))

    values = scrape(app)

    assert values[("reviewbot_drafts_total", (("outcome", "llm"),))] == 1
    assert values[("reviewbot_llm_draft_seconds_count", ())] == 1
    assert values[("reviewbot_llm_draft_seconds_sum", ())] == draft.latency_ms / 1000
    assert values[("reviewbot_llm_tokens_total", (("kind", "prompt"),))] == draft.tokens_in > 0
    assert values[("reviewbot_llm_tokens_total", (("kind", "completion"),))] == draft.tokens_out


def test_a_slack_429_is_counted_and_the_retry_too(app_factory, fake_slack):
    app = start(app_factory)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)

    post_review(app, fake_slack)

    values = scrape(app)
    limited = (
        "reviewbot_slack_api_calls_total",
        (("method", "chat.postMessage"), ("outcome", "ratelimited")),
    )
    assert values[limited] == 1
    assert values[("reviewbot_cards_posted_total", ())] == 1
    assert [int(s) for s in app.waits.seconds] == [1]  # Retry-After, waited on the test's clock


def test_metrics_token_guards_the_scrape(app_factory):
    app = start(app_factory, metrics_token=METRICS_TOKEN)

    assert app.http.get("/metrics").status_code == 401
    assert app.http.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert (
        scrape(app, Authorization=f"Bearer {METRICS_TOKEN}")[("reviewbot_cards_posted_total", ())]
        == 0
    )


def test_each_app_counts_on_its_own_registry(app_factory, fake_slack, tmp_path):
    first = start(app_factory)
    post_review(first, fake_slack)
    second = AppHarness.start(
        fake_slack=fake_slack, database_url=f"sqlite:///{tmp_path / 'other.db'}"
    )
    try:
        assert scrape(first)[("reviewbot_cards_posted_total", ())] == 1
        assert scrape(second)[("reviewbot_cards_posted_total", ())] == 0
    finally:
        second.stop()
