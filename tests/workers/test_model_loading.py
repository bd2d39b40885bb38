"""A `reviewbot web` process never loads the language models (lingua's detector, the
tokenizer), whatever it serves; a `reviewbot worker` loads them as it starts. Read from each
process's own import-time report, which lists every module it imported while it ran."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.blocks import ids
from tests.support.harness import REVIEWS_CHANNEL, SlackRequests
from tests.support.processes import MODEL_MODULES, model_imports, wait_until
from tests.support.workflow import block_action, edit_values, view_submission

pytestmark = pytest.mark.timed_wait  # the workers' poll is a timed wait: not under faketime

NEGATIVE = "Kaffet var kallt och personalen otrevlig. Vi väntade en halvtimme."
IMPORT_REPORT = {"PYTHONPROFILEIMPORTTIME": "1"}


def drafted_card(fake_slack) -> dict | None:
    for message in fake_slack.messages(REVIEWS_CHANNEL):
        if ids.ACTION_EDIT in json.dumps(message.get("blocks") or []):
            return message
    return None


def test_web_serves_reviews_clicks_and_answers_without_the_language_models(cluster, fake_slack):
    web = cluster.web(**IMPORT_REPORT)
    worker = cluster.worker("worker", **IMPORT_REPORT)
    assert set(model_imports(worker.output().splitlines())) == set(MODEL_MODULES)

    cluster.post(
        web,
        [{"source": "google", "external_id": "cold-1", "rating": 1, "text": NEGATIVE}],
    )
    card = wait_until(lambda: drafted_card(fake_slack), timeout=30, what="the drafted card")
    slack = SlackRequests(httpx.Client(base_url=web.health_url.removesuffix("/healthz")))
    # An edited reply approved in the modal, and the KPIs asked for: all served by web.
    assert slack.send_interaction(block_action(card, ids.ACTION_EDIT)).status_code == 200
    modal = fake_slack.wait_for("views.open", 1, timeout=10)[-1].args["view"]
    edited = "Hej! Förlåt för det kalla kaffet, nästa fika bjuder vi på. /Anna"
    submission = view_submission(modal, edit_values(edited, approve_now=True))
    assert slack.send_interaction(submission).status_code == 200
    assert slack.send_command("kpi 7d", response_url=fake_slack.response_url()).status_code == 200

    wait_until(
        lambda: any(
            edited in json.dumps(m, ensure_ascii=False)
            for m in fake_slack.messages(REVIEWS_CHANNEL)
        ),
        timeout=30,
        what="the card showing the approved edit",
    )
    wait_until(lambda: fake_slack.responses(), timeout=30, what="the KPI answer")
    assert model_imports(web.output().splitlines()) == {}
