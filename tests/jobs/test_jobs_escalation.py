"""SLA escalation: once, in the channel, mentioning the contacts; the card shows the breach."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.jobs import escalation
from tests.support.harness import REVIEWS_CHANNEL
from tests.support.jobs import NOW, actions, add_review, approve, job_services, review, set_review
from tests.support.workflow import card_text


@pytest.fixture
def services(fake_slack, database_url):
    services = job_services(fake_slack, database_url, escalation_contacts="U0BOSS,S0LEADS")
    yield services
    services.close()


def written(services, review_id, hours_ago: float) -> None:
    created = NOW - timedelta(hours=hours_ago)
    set_review(services, review_id, created_at=created, received_at=created)


def escalations(fake_slack) -> list[dict]:
    return [m for m in fake_slack.messages(REVIEWS_CHANNEL) if "Reply deadline passed" in m["text"]]


def test_a_review_past_its_deadline_is_escalated_once(fake_slack, services):
    review_id = add_review(services, author="<!channel> Kalle")
    written(services, review_id, 23.9)
    assert escalation.run(services, NOW) == 0
    assert "Reply deadline passed" not in card_text(fake_slack, review_id)

    written(services, review_id, 24)
    assert escalation.run(services, NOW) == 1
    assert escalation.run(services, NOW + timedelta(hours=1)) == 0

    [message] = escalations(fake_slack)
    text = message["blocks"][0]["text"]["text"]
    assert "<@U0BOSS> <!subteam^S0LEADS>" in text
    assert "|Open the card>" in text and "https://fake.slack.com/archives/" in text
    assert "&lt;!channel&gt; Kalle" in text and "<!channel>" not in text
    assert ":alarm_clock: *Reply deadline passed*" in card_text(fake_slack, review_id)
    assert review(services, review_id).sla_breached_at == NOW
    [audit] = actions(services, review_id, "escalated")
    assert audit.detail["announced"] is True


def test_a_decided_review_is_not_escalated(fake_slack, services):
    review_id = add_review(services)
    approve(services, review_id)
    written(services, review_id, 48)
    assert escalation.run(services, NOW) == 0
    assert escalations(fake_slack) == []


def test_a_review_that_arrived_already_late_is_marked_but_not_announced(fake_slack, services):
    review_id = add_review(services)
    set_review(
        services,
        review_id,
        created_at=NOW - timedelta(days=30),
        received_at=NOW - timedelta(hours=1),
    )
    assert escalation.run(services, NOW) == 0
    assert escalations(fake_slack) == []
    assert "Reply deadline passed" in card_text(fake_slack, review_id)
    assert actions(services, review_id, "escalated")[0].detail["announced"] is False


def test_a_failed_announcement_is_tried_again(fake_slack, services):
    review_id = add_review(services)
    written(services, review_id, 30)
    # Slack fails every post of this sweep: the thread's line and the announcement, each
    # tried six times.
    fake_slack.fail_next("chat.postMessage", status=500, times=12)
    assert escalation.run(services, NOW) == 0
    assert review(services, review_id).sla_breached_at == NOW  # the card shows it meanwhile
    assert actions(services, review_id, "escalated") == []
    assert escalation.run(services, NOW + timedelta(minutes=5)) == 1
    assert len(escalations(fake_slack)) == 1
