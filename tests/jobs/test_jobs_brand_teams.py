"""Each brand's team (ROUTES_FILE): nudges, escalations, follow-ups and pattern alerts go to
the card's channel and mention that brand's approvers and contacts; the brand's SLA applies.

The routes file of tests/support/routes.py: lumi (cards in C0LUMI, approvers U0ANNA and
S0LUMILEADS, contacts S0LUMILEADS, SLA 12 h, locations Södermalm and "Oslo *"); norr (cards in
C0NORR, everything else from the settings); app_store 1-2 star reviews go to C0APPS."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.jobs import escalation, follow_up, nudges, patterns, retention
from storage.models import PatternAlert
from tests.support.harness import REVIEWS_CHANNEL
from tests.support.jobs import (
    NOW,
    actions,
    add_review,
    approve,
    card,
    job_services,
    review,
    set_card,
    set_review,
    thread_texts,
)
from tests.support.routes import write_routes

LUMI = {"location": "Södermalm"}  # the brand by its locations
NORR = {"brand": "norr", "location": "Umeå"}


@pytest.fixture
def services(fake_slack, database_url, tmp_path):
    services = job_services(
        fake_slack,
        database_url,
        routes_file=write_routes(tmp_path),
        approvers="U0BASE",
        escalation_contacts="U0BOSS",
    )
    yield services
    services.close()


def written(services, review_id, hours_ago: float) -> None:
    created = NOW - timedelta(hours=hours_ago)
    set_review(services, review_id, created_at=created, received_at=created)


def posts_in(fake_slack, channel: str, words: str) -> list[str]:
    return [
        m["blocks"][0]["text"]["text"] for m in fake_slack.messages(channel) if words in m["text"]
    ]


def test_each_card_is_nudged_in_its_channel_mentioning_its_brands_approvers(fake_slack, services):
    lumi = add_review(services, "lumi-1", **LUMI)
    norr = add_review(services, "norr-1", **NORR)
    plain = add_review(services, "plain-1", location="Göteborg")
    assert [card(services, r).channel for r in (lumi, norr, plain)] == [
        "C0LUMI",
        "C0NORR",
        REVIEWS_CHANNEL,
    ]
    for review_id in (lumi, norr, plain):
        set_card(services, review_id, posted_at=NOW - timedelta(hours=4))

    assert nudges.run(services, NOW) == 3

    [lumi_reminder] = [t for t in thread_texts(fake_slack, services, lumi) if "Reminder" in t]
    assert "waiting 4 h" in lumi_reminder
    mentioned = {
        call.args["channel"]: call.args["blocks"][0]["text"]["text"]
        for call in fake_slack.ok_calls("chat.postMessage")
        if "Reminder" in call.args["text"]
    }
    assert "<@U0ANNA> <!subteam^S0LUMILEADS>" in mentioned["C0LUMI"]
    assert "U0BASE" not in mentioned["C0LUMI"]
    # A brand that names no approvers has the settings' APPROVERS, as a review of no brand.
    assert "<@U0BASE>" in mentioned["C0NORR"] and "U0ANNA" not in mentioned["C0NORR"]
    assert "<@U0BASE>" in mentioned[REVIEWS_CHANNEL]
    [audit] = actions(services, lumi, "nudged")
    assert audit.detail == {"mentioned": ["U0ANNA", "S0LUMILEADS"]}


def test_an_owner_who_is_not_an_approver_of_the_brand_is_nudged_with_its_approvers(
    fake_slack, services
):
    # U0BASE may decide reviews of no brand, not lumi's.
    lumi = add_review(services, "lumi-1", **LUMI)
    set_review(services, lumi, assignee="U0BASE")
    set_card(services, lumi, posted_at=NOW - timedelta(hours=4))
    assert nudges.run(services, NOW) == 1
    [audit] = actions(services, lumi, "nudged")
    assert audit.detail == {"mentioned": ["U0BASE", "U0ANNA", "S0LUMILEADS"]}


def test_the_brands_sla_decides_when_a_review_is_escalated_and_whom_it_mentions(
    fake_slack, services
):
    lumi = add_review(services, "lumi-1", **LUMI)
    norr = add_review(services, "norr-1", **NORR)
    plain = add_review(services, "plain-1")
    for review_id in (lumi, norr, plain):
        written(services, review_id, 12)

    # lumi's SLA is 12 h; norr's and the settings' are 24 h.
    assert escalation.run(services, NOW) == 1
    assert review(services, lumi).sla_breached_at == NOW
    assert review(services, norr).sla_breached_at is None
    assert review(services, plain).sla_breached_at is None
    [lumi_message] = posts_in(fake_slack, "C0LUMI", "Reply deadline passed")
    assert "no reply within 12 h" in lumi_message
    assert "<!subteam^S0LUMILEADS>" in lumi_message and "U0BOSS" not in lumi_message
    assert posts_in(fake_slack, REVIEWS_CHANNEL, "Reply deadline passed") == []

    for review_id in (norr, plain):
        written(services, review_id, 24)
    assert escalation.run(services, NOW + timedelta(minutes=5)) == 2
    [norr_message] = posts_in(fake_slack, "C0NORR", "Reply deadline passed")
    [plain_message] = posts_in(fake_slack, REVIEWS_CHANNEL, "Reply deadline passed")
    for message in (norr_message, plain_message):
        assert "no reply within 24 h" in message and "<@U0BOSS>" in message
        assert "S0LUMILEADS" not in message
    [audit] = actions(services, lumi, "escalated")
    assert audit.detail == {"announced": True, "contacts": ["S0LUMILEADS"]}


def test_one_escalation_per_channel_per_sweep(fake_slack, services):
    lumi_ids = [add_review(services, f"lumi-{n}", **LUMI) for n in range(3)]
    norr = add_review(services, "norr-1", **NORR)
    for review_id in [*lumi_ids, norr]:
        written(services, review_id, 30)

    assert escalation.run(services, NOW) == 4

    [lumi_message] = posts_in(fake_slack, "C0LUMI", "Reply deadline passed")
    assert "3 reviews have had no reply within 12 h" in lumi_message
    assert lumi_message.count("Open the card") == 3
    [norr_message] = posts_in(fake_slack, "C0NORR", "Reply deadline passed")
    assert "a review has had no reply within 24 h" in norr_message
    announced = [
        call.args["channel"]
        for call in fake_slack.ok_calls("chat.postMessage")
        if (call.args.get("metadata") or {}).get("event_type") == "sla_escalation"
    ]
    assert sorted(announced) == ["C0LUMI", "C0NORR"]


def test_a_channel_two_brands_share_gets_one_message_naming_each_brand_and_sla(
    fake_slack, services
):
    # Rule 2 sends 1-2 star App Store reviews of every brand to C0APPS.
    app_store = {"source": "app_store", "rating": 1}
    lumi = add_review(services, "lumi-app", **app_store, **LUMI)
    norr = add_review(services, "norr-app", **app_store, **NORR)
    assert card(services, lumi).channel == card(services, norr).channel == "C0APPS"
    written(services, lumi, 30)
    written(services, norr, 30)

    assert escalation.run(services, NOW) == 2

    [message] = posts_in(fake_slack, "C0APPS", "Reply deadline passed")
    assert "2 reviews have had no reply within their SLA" in message
    assert "review for Café Lumi from" in message and "(SLA 12 h)" in message
    assert "review for Norr Hotell from" in message and "(SLA 24 h)" in message
    assert "<!subteam^S0LUMILEADS> <@U0BOSS>" in message


def test_a_review_that_arrived_past_its_brands_deadline_is_marked_but_not_announced(
    fake_slack, services
):
    lumi = add_review(services, "lumi-1", **LUMI)
    # Within the settings' 24 h, past lumi's 12 h when it reached us.
    set_review(
        services, lumi, created_at=NOW - timedelta(hours=14), received_at=NOW - timedelta(hours=1)
    )
    assert escalation.run(services, NOW) == 0
    assert review(services, lumi).sla_breached_at == NOW
    assert posts_in(fake_slack, "C0LUMI", "Reply deadline passed") == []
    [audit] = actions(services, lumi, "escalated")
    assert audit.detail == {"announced": False, "contacts": ["S0LUMILEADS"]}


def test_the_follow_up_question_is_asked_in_the_thread_of_the_brands_card(fake_slack, services):
    lumi = add_review(services, "lumi-1", **LUMI)
    approve(services, lumi, actor="U0ANNA")
    set_review(services, lumi, decided_at=NOW - timedelta(days=7), published_at=None)

    assert follow_up.run(services, NOW) == 1

    lumi_card = card(services, lumi)
    assert lumi_card.channel == "C0LUMI"
    [question] = [
        m for m in fake_slack.thread("C0LUMI", lumi_card.ts) if "followed up" in m["text"]
    ]
    assert question["blocks"][1]["elements"][0]["value"] == str(lumi)


def negative(services, name: str, themes: list[str], **fields) -> int:
    review_id = add_review(services, external_id=name, **fields)
    set_review(services, review_id, themes=themes, created_at=NOW - timedelta(days=1))
    return review_id


def stored_alerts(services) -> list[tuple[str | None, str, str, int]]:
    with Session(services.engine) as session:
        return [
            (a.brand, a.theme, a.channel, len(a.review_ids))
            for a in session.exec(select(PatternAlert).order_by(PatternAlert.id))
        ]


def test_a_pattern_is_counted_within_one_brand_and_alerted_in_its_channel(fake_slack, services):
    for n in range(2):
        negative(services, f"lumi-{n}", ["waiting_time"], **LUMI)
        negative(services, f"norr-{n}", ["waiting_time"], **NORR)
        negative(services, f"plain-{n}", ["waiting_time"])
    # Six negatives on one theme, but no brand's (nor the unbranded reviews') reach three.
    assert patterns.run(services, NOW) == 0

    negative(services, "lumi-2", ["waiting_time"], **LUMI)
    assert patterns.run(services, NOW) == 1
    [alert] = posts_in(fake_slack, "C0LUMI", "*Pattern:*")
    assert "3 negative reviews of Café Lumi about *Waiting time*" in alert
    assert alert.count("https://fake.slack.com/archives/C0LUMI/") == 3
    assert posts_in(fake_slack, "C0NORR", "*Pattern:*") == []
    assert posts_in(fake_slack, REVIEWS_CHANNEL, "*Pattern:*") == []

    # The same theme in another brand is that brand's own pattern, in the same window.
    negative(services, "norr-2", ["waiting_time"], **NORR)
    negative(services, "plain-2", ["waiting_time"])
    assert patterns.run(services, NOW + timedelta(hours=1)) == 2
    [norr_alert] = posts_in(fake_slack, "C0NORR", "*Pattern:*")
    assert "3 negative reviews of Norr Hotell about *Waiting time*" in norr_alert
    # Reviews of no brand: alerted in REVIEWS_CHANNEL, as without a routes file.
    [plain_alert] = posts_in(fake_slack, REVIEWS_CHANNEL, "*Pattern:*")
    assert "3 negative reviews about *Waiting time*" in plain_alert
    assert stored_alerts(services) == [
        ("lumi", "waiting_time", "C0LUMI", 3),
        (None, "waiting_time", REVIEWS_CHANNEL, 3),
        ("norr", "waiting_time", "C0NORR", 3),
    ]
    assert patterns.run(services, NOW + timedelta(days=1)) == 0


def test_a_brands_pattern_alert_is_redrawn_in_its_channel_without_an_erased_review(
    fake_slack, database_url, tmp_path
):
    services = job_services(
        fake_slack, database_url, routes_file=write_routes(tmp_path), retention_days=6
    )
    try:
        oldest = negative(services, "lumi-old", ["waiting_time"], **LUMI)
        set_review(services, oldest, created_at=NOW - timedelta(days=6.5))
        for n in range(2):
            negative(services, f"lumi-{n}", ["waiting_time"], **LUMI)
        assert patterns.run(services, NOW) == 1
        [before] = posts_in(fake_slack, "C0LUMI", "*Pattern:*")
        assert "3 negative reviews of Café Lumi" in before
        assert card(services, oldest).ts.replace(".", "") in before

        retention.run(services, NOW + timedelta(hours=1))  # 6 days: only the oldest goes

        [alert] = posts_in(fake_slack, "C0LUMI", "*Pattern:*")
        assert "2 negative reviews of Café Lumi about *Waiting time*" in alert
        assert card(services, oldest).ts.replace(".", "") not in alert
    finally:
        services.close()
