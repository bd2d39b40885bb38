"""Real `reviewbot web` and `reviewbot worker` processes against the fakes, on SQLite and on
PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import pytest

from tests.slack.test_workflow_publishing import SECRET, ReplyReceiver
from tests.support.harness import REVIEWS_CHANNEL, SIGNING_SECRET
from tests.support.processes import Cluster, process_environment

INGEST_TOKEN = "ingest-token-for-the-worker-tests-0001"


@pytest.fixture
def receiver():
    with ReplyReceiver() as server:
        yield server


@pytest.fixture
def environment(database_url, fake_slack, fake_openai, receiver) -> dict[str, str]:
    return process_environment(
        SLACK_BOT_TOKEN=fake_slack.bot_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
        REVIEWS_CHANNEL=REVIEWS_CHANNEL,
        OPENAI_API_KEY="sk-worker-tests",
        OPENAI_BASE_URL=fake_openai.base_url,
        OPENAI_MAX_RETRIES="1",
        DATABASE_URL=database_url,
        INGEST_TOKEN=INGEST_TOKEN,
        HOST="127.0.0.1",
        REVIEWBOT_DEMO="1",
        CARD_POST_INTERVAL="0",
        WORK_LEASE="2s",
        LEADER_RETRY="1s",
        REPLY_WEBHOOK_URL=f"{receiver.url}/replies",
        REPLY_WEBHOOK_SECRET=SECRET,
    )


@pytest.fixture
def cluster(environment, tmp_path):
    # One after the other: each applies the migrations on start.
    started = Cluster(environment, tmp_path)
    yield started
    started.stop()
