"""Each card goes to the channel its route gives, names its brand and the rule that sent it, and
stays where it was posted when the review comes again. Through the real app with a ROUTES_FILE
written by the test, the fake Slack, on each database."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.blocks.ids import ACTION_APPROVE
from bot.cards.service import CardService
from bot.config import Settings
from bot.reviews.intake import IntakeService, ReviewIn
from bot.routing import Destination, ReviewFacts, Routing
from bot.wiring import build_services
from storage.models import Review, SlackCard
from tests.support.harness import REVIEWS_CHANNEL, AppHarness
from tests.support.routes import ROUTES, write_routes
from tests.support.workflow import (
    NEGATIVE_REVIEW,
    block_action,
    eventually,
    posted_card_ts,
    review,
    settled,
    slack_card,
)

OSLO = "C0OSLO"
LUMI_ROUTE = "routed by rule 1: brand lumi, location Oslo *"


@pytest.fixture
def serve(fake_slack, database_url, tmp_path) -> Iterator[Callable[..., AppHarness]]:
    started: list[AppHarness] = []

    def start(routes: str | None = ROUTES) -> AppHarness:
        harness = AppHarness.start(
            fake_slack=fake_slack,
            database_url=database_url,
            routes_file=write_routes(tmp_path, routes) if routes is not None else None,
            scheduler_enabled=False,
        )
        started.append(harness)
        return harness

    yield start
    for harness in started:
        harness.stop()


def review_of(external_id: str, **fields: Any) -> dict[str, Any]:
    return {**NEGATIVE_REVIEW, "external_id": external_id, **fields}


def card_posts(fake_slack) -> dict[int, list[str]]:
    """review id → the channel of every card chat.postMessage put up for it."""
    found: dict[int, list[str]] = {}
    for call in fake_slack.ok_calls("chat.postMessage"):
        metadata = call.args.get("metadata") or {}
        if metadata.get("event_type") == "review_card":
            review_id = metadata["event_payload"]["review_id"]
            found.setdefault(review_id, []).append(call.args["channel"])
    return found


def drafted_card_in(fake_slack, channel: str, review_id: int) -> dict:
    """The review's card in `channel` once its draft is in."""

    def drafted() -> dict | None:
        for message in fake_slack.messages(channel):
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("review_id") == review_id and "Writing a draft" not in json.dumps(
                message["blocks"]
            ):
                return message
        return None

    return eventually(drafted, what=f"the drafted card of {review_id} in {channel}")


def context_lines(message: dict) -> list[str]:
    return [
        element["text"]
        for block in message["blocks"]
        if block["type"] == "context"
        for element in block["elements"]
        if "text" in element
    ]


def carded(app: AppHarness, fake_slack, reviews: list[dict]) -> dict[str, int]:
    """POST the reviews; wait until each card is in Slack and recorded; external id → id."""
    response = app.post_reviews(reviews)
    assert response.status_code == 202, response.text
    ids = {r["external_id"]: r["id"] for r in response.json()["reviews"]}
    for review_id in ids.values():
        app.wait_for_status(review_id, "pending")
        eventually(lambda: posted_card_ts(app, review_id), what=f"the card of {review_id}")
        settled(app, review_id)
    return ids


def test_each_rule_sends_the_card_to_its_channel_and_the_card_says_why(serve, fake_slack):
    app = serve()
    ids = carded(
        app,
        fake_slack,
        [
            # Lumi by its location; rule 1 wins over rule 3 (Finnish) as the first match.
            review_of("oslo", location="Oslo sentrum", language="fi"),
            review_of("apps", source="app_store", rating=2, location=None),
            review_of("suomi", language="fi", location="Helsinki"),
            review_of("norge", language="nb", location="Bergen"),
        ],
    )
    expected = {
        "oslo": (OSLO, f"Café Lumi · {LUMI_ROUTE}"),
        "apps": ("C0APPS", "routed by rule 2: source app_store, rating 1-2"),
        "suomi": ("C0SUOMI", "routed by rule 3: language fi"),
        "norge": ("C0NORGE", "routed by rule 4: language no"),
    }
    posted = card_posts(fake_slack)
    for external_id, (channel, line) in expected.items():
        review_id = ids[external_id]
        assert posted[review_id] == [channel], external_id
        assert slack_card(app, review_id).channel == channel
        assert line in context_lines(drafted_card_in(fake_slack, channel, review_id))
        assert review(app, review_id).route == line.removeprefix("Café Lumi · ")
    assert fake_slack.messages(REVIEWS_CHANNEL) == []


def test_no_route_matches_the_card_goes_to_its_brands_channel_else_reviews_channel(
    serve, fake_slack
):
    app = serve()
    ids = carded(
        app,
        fake_slack,
        [
            review_of("norr", brand="norr", location="Umeå"),
            review_of("lumi", location="Södermalm"),
            review_of("nobody", location="Göteborg"),
        ],
    )
    posted = card_posts(fake_slack)
    assert posted[ids["norr"]] == ["C0NORR"]
    assert posted[ids["lumi"]] == ["C0LUMI"]
    assert posted[ids["nobody"]] == [REVIEWS_CHANNEL]
    norr = drafted_card_in(fake_slack, "C0NORR", ids["norr"])
    assert "Norr Hotell · brand norr's channel" in context_lines(norr)
    lumi = drafted_card_in(fake_slack, "C0LUMI", ids["lumi"])
    assert "Café Lumi · brand lumi's channel" in context_lines(lumi)
    nobody = drafted_card_in(fake_slack, REVIEWS_CHANNEL, ids["nobody"])
    assert "no route matched" in context_lines(nobody)
    assert review(app, ids["nobody"]).brand is None


def test_a_brand_without_a_channel_falls_back_to_reviews_channel(serve, fake_slack, tmp_path):
    app = serve(
        "brands:\n  norr:\n    profile: business.norr.yml\n"
        "routes:\n  - match: {language: fi}\n    channel: C0SUOMI\n"
    )
    ids = carded(app, fake_slack, [review_of("norr", brand="norr")])
    [channel] = card_posts(fake_slack)[ids["norr"]]
    assert channel == REVIEWS_CHANNEL
    card = drafted_card_in(fake_slack, REVIEWS_CHANNEL, ids["norr"])
    assert "Norr Hotell · no route matched" in context_lines(card)


def test_assign_makes_the_routes_owner_the_cards_owner(serve, fake_slack):
    app = serve()
    ids = carded(app, fake_slack, [review_of("apps", source="app_store", rating=1)])
    assert review(app, ids["apps"]).assignee == "S0APPTEAM"
    card = drafted_card_in(fake_slack, "C0APPS", ids["apps"])
    assert any("Owner: <!subteam^S0APPTEAM>" in line for line in context_lines(card))


def test_a_review_that_comes_again_keeps_its_cards_channel_and_message(serve, fake_slack):
    app = serve()
    ids = carded(
        app,
        fake_slack,
        [
            review_of("oslo", location="Oslo sentrum"),
            review_of("apps", source="app_store", rating=2, location=None),
        ],
    )
    before = card_posts(fake_slack)
    ts_before = {external_id: slack_card(app, ids[external_id]).ts for external_id in ids}
    updates = len(fake_slack.ok_calls("chat.update"))

    # Now it names another brand (norr: C0NORR) and the app review's rating no longer
    # matches rule 2: were they routed again, both would move.
    again = app.post_reviews(
        [
            review_of("oslo", location="Oslo sentrum", brand="norr", rating=2, text="Ännu värre."),
            review_of("apps", source="app_store", rating=3, location=None, text="Lite bättre."),
        ]
    )
    assert again.status_code == 202, again.text
    assert again.json()["updated"] == 2

    for external_id, channel, text in (("oslo", OSLO, "Ännu värre."), ("apps", "C0APPS", "Lite")):
        review_id = ids[external_id]
        assert before[review_id] == [channel]
        ts = ts_before[external_id]

        def redrawn(review_id: int = review_id, ts: str = ts, text: str = text) -> bool:
            return any(
                call.args["channel"] == channel
                and call.args["ts"] == ts
                and text in json.dumps(call.args["blocks"], ensure_ascii=False)
                for call in fake_slack.ok_calls("chat.update")[updates:]
            )

        eventually(redrawn, what=f"the card of {external_id} redrawn in place")
        card = slack_card(app, review_id)
        assert (card.channel, card.ts) == (channel, ts)
    assert card_posts(fake_slack) == before  # no second card anywhere
    oslo = review(app, ids["oslo"])
    assert (oslo.brand, oslo.route) == ("lumi", LUMI_ROUTE)  # the brand is kept as first stored
    card_lines = context_lines(drafted_card_in(fake_slack, OSLO, ids["oslo"]))
    assert f"Café Lumi · {LUMI_ROUTE}" in card_lines


def test_without_a_routes_file_cards_are_as_they_were(serve, fake_slack):
    app = serve(routes=None)
    ids = carded(app, fake_slack, [review_of("plain", brand="lumi", location="Oslo sentrum")])
    [channel] = card_posts(fake_slack)[ids["plain"]]
    assert channel == REVIEWS_CHANNEL
    card = drafted_card_in(fake_slack, REVIEWS_CHANNEL, ids["plain"])
    assert not any("routed" in line or "route matched" in line for line in context_lines(card))
    stored = review(app, ids["plain"])
    assert (stored.brand, stored.route, stored.assignee) == (None, None, None)


def test_a_routed_card_is_decided_in_its_channel_and_its_thread_stays_there(serve, fake_slack):
    app = serve()
    ids = carded(app, fake_slack, [review_of("oslo", location="Oslo sentrum")])
    review_id = ids["oslo"]
    card = drafted_card_in(fake_slack, OSLO, review_id)
    click = block_action(card, ACTION_APPROVE)
    click["container"]["channel_id"] = click["channel"]["id"] = OSLO
    assert app.send_interaction(click).status_code == 200

    eventually(lambda: review(app, review_id).status == "approved", what="the approval")
    eventually(
        lambda: "*Approved* by" in json.dumps(drafted_card_in(fake_slack, OSLO, review_id)),
        what="the card redrawn as approved",
    )
    ts = slack_card(app, review_id).ts
    eventually(
        lambda: any("approved the reply" in m["text"] for m in fake_slack.thread(OSLO, ts)),
        what="the approval in the card's thread",
    )
    assert fake_slack.messages(REVIEWS_CHANNEL) == []


def test_a_card_is_routed_once_by_the_process_that_queued_it(
    serve, fake_slack, database_url, tmp_path
):
    # A process without Slack (an import, the worker before Slack answers) queues the card.
    queueing = build_services(
        Settings(database_url=database_url, routes_file=write_routes(tmp_path))
    )
    try:
        [stored] = queueing.intake.ingest(
            [ReviewIn.model_validate(review_of("oslo", location="Oslo sentrum"))]
        )
    finally:
        queueing.close()
    # The serving process reads another routes file, which would send every card elsewhere.
    app = serve("routes:\n  - match: {source: google}\n    channel: C0ELSEWHERE\n")

    eventually(lambda: posted_card_ts(app, stored.review_id), what="the queued card posted")
    assert card_posts(fake_slack) == {stored.review_id: [OSLO]}
    assert review(app, stored.review_id).route == LUMI_ROUTE
    assert fake_slack.messages("C0ELSEWHERE") == []


class RoutesAtTheSameTime:
    """A process's routing that waits, once it has read the review, until the other process
    has read it too: both then queue the card at once. On PostgreSQL only: SQLite's writers
    queue on BEGIN IMMEDIATE, so there the second process reads only after the first commits."""

    def __init__(self, routing: Routing, both_read: threading.Barrier | None) -> None:
        self._routing = routing
        self._both_read = both_read

    def destination(self, facts: ReviewFacts) -> Destination:
        if self._both_read is not None:
            self._both_read.wait(timeout=10)
        return self._routing.destination(facts)


def test_two_processes_queueing_one_card_at_once_route_it_once(database_url, tmp_path):
    apps_team = "routes:\n  - match: {source: google}\n    channel: C0APPS\n    assign: S0APPTEAM\n"
    hotel_team = (
        'routes:\n  - match: {source: google, rating: "1-5"}\n    channel: C0NORR\n'
        "    assign: U0NORR\n"
    )
    processes = []
    for number, routes in enumerate((apps_team, hotel_team)):
        folder = tmp_path / f"process-{number}"
        folder.mkdir()
        settings = Settings(database_url=database_url, routes_file=write_routes(folder, routes))
        processes.append(build_services(settings))
    try:
        # Stored without the pipeline behind it, so neither process has queued its card yet.
        intake = IntakeService(processes[0].engine)
        [stored] = intake.ingest([ReviewIn.model_validate(review_of("race"))])
        postgresql = processes[0].engine.dialect.name == "postgresql"
        both_read = threading.Barrier(2) if postgresql else None
        cards = [
            CardService(
                services.engine,
                None,
                channel=None,
                routing=RoutesAtTheSameTime(services.routing, both_read),  # type: ignore[arg-type]
                tz=services.settings.tz,
                team_language="en",
            )
            for services in processes
        ]
        with ThreadPoolExecutor(2) as pool:
            for done in [pool.submit(c.post_or_update, stored.review_id) for c in cards]:
                done.result(timeout=30)

        with Session(processes[0].engine) as session:
            [card] = session.exec(select(SlackCard)).all()
            routed = session.get(Review, stored.review_id)
        assert routed is not None
        # One process won; its route, reason and owner went in with its card, the other's none.
        assert (card.channel, routed.route, routed.assignee) in {
            ("C0APPS", "routed by rule 1: source google", "S0APPTEAM"),
            ("C0NORR", "routed by rule 1: source google, rating 1-5", "U0NORR"),
        }
    finally:
        for services in processes:
            services.close()
