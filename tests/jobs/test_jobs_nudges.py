"""Nudges: reminders in a pending card's thread, to its owner or the approvers, in working
hours, repeated until someone decides; each one recorded in the audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.jobs import nudges
from tests.support.jobs import (
    NOW,
    actions,
    add_review,
    approve,
    job_services,
    set_card,
    set_review,
    thread_texts,
)


@pytest.fixture
def services(fake_slack, database_url):
    services = job_services(fake_slack, database_url, approvers="U0ANNA,S0LEADS")
    yield services
    services.close()


def reminders(fake_slack, services, review_id) -> list[str]:
    return [t for t in thread_texts(fake_slack, services, review_id) if "Reminder" in t]


def test_a_card_pending_four_hours_is_nudged_mentioning_the_approvers(fake_slack, services):
    review_id = add_review(services)
    set_card(services, review_id, posted_at=NOW - timedelta(hours=3, minutes=59))
    assert nudges.run(services, NOW) == 0

    set_card(services, review_id, posted_at=NOW - timedelta(hours=4))
    assert nudges.run(services, NOW) == 1

    [reminder] = reminders(fake_slack, services, review_id)
    assert "waiting 4 h" in reminder
    message = fake_slack.ok_calls("chat.postMessage")[-1].args
    mentions = message["blocks"][0]["text"]["text"]
    assert "<@U0ANNA> <!subteam^S0LEADS>" in mentions
    [audit] = actions(services, review_id, "nudged")
    assert audit.at == NOW and audit.detail == {"mentioned": ["U0ANNA", "S0LEADS"]}


def test_the_nudge_repeats_every_four_hours_until_someone_decides(fake_slack, services):
    review_id = add_review(services)
    set_card(services, review_id, posted_at=NOW - timedelta(hours=4))
    assert nudges.run(services, NOW) == 1
    assert nudges.run(services, NOW + timedelta(hours=3, minutes=59)) == 0
    assert nudges.run(services, NOW + timedelta(hours=4)) == 1
    assert len(reminders(fake_slack, services, review_id)) == 2

    approve(services, review_id)
    assert nudges.run(services, NOW + timedelta(hours=30)) == 0
    assert len(actions(services, review_id, "nudged")) == 2


def test_an_owner_who_may_approve_is_nudged_instead_of_the_approvers(fake_slack, services):
    fake_slack.usergroups["S0LEADS"] = ["U0BJORN"]
    review_id = add_review(services)
    set_review(services, review_id, assignee="U0BJORN")
    set_card(services, review_id, posted_at=NOW - timedelta(hours=5))
    nudges.run(services, NOW)
    text = fake_slack.ok_calls("chat.postMessage")[-1].args["blocks"][0]["text"]["text"]
    assert "<@U0BJORN>" in text and "U0ANNA" not in text and "S0LEADS" not in text


def test_an_owner_who_may_not_approve_is_nudged_together_with_the_approvers(fake_slack, services):
    # A reminder only the owner sees would ask someone who cannot click Approve.
    fake_slack.usergroups["S0LEADS"] = ["U0CARL"]
    review_id = add_review(services)
    set_review(services, review_id, assignee="U0BJORN")
    set_card(services, review_id, posted_at=NOW - timedelta(hours=5))
    assert nudges.run(services, NOW) == 1
    text = fake_slack.ok_calls("chat.postMessage")[-1].args["blocks"][0]["text"]["text"]
    assert "<@U0BJORN> <@U0ANNA> <!subteam^S0LEADS>" in text
    [audit] = actions(services, review_id, "nudged")
    assert audit.detail == {"mentioned": ["U0BJORN", "U0ANNA", "S0LEADS"]}


def test_a_nudge_due_at_night_goes_out_when_the_working_day_starts(fake_slack, services):
    # Due Tuesday 02:00 in Stockholm (01:00 UTC): not at 03:00, not at 07:59, but at 08:00.
    review_id = add_review(services)
    set_card(services, review_id, posted_at=datetime(2026, 11, 23, 21, 0, tzinfo=UTC))
    assert nudges.run(services, datetime(2026, 11, 24, 2, 0, tzinfo=UTC)) == 0
    assert nudges.run(services, datetime(2026, 11, 24, 6, 59, tzinfo=UTC)) == 0
    assert nudges.run(services, datetime(2026, 11, 24, 7, 0, tzinfo=UTC)) == 1


def test_nothing_is_nudged_at_the_weekend(fake_slack, services):
    review_id = add_review(services)
    set_card(services, review_id, posted_at=datetime(2026, 11, 27, 15, 0, tzinfo=UTC))  # Friday
    saturday_noon = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
    monday_eight = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert nudges.run(services, saturday_noon) == 0
    assert nudges.run(services, monday_eight) == 1


def test_a_slack_failure_leaves_the_nudge_due_for_the_next_sweep(fake_slack, services):
    review_id = add_review(services)
    set_card(services, review_id, posted_at=NOW - timedelta(hours=4))
    # The first post and the poster's five retries all fail, none of them reaching Slack.
    fake_slack.fail_next("chat.postMessage", status=500, times=6)
    assert nudges.run(services, NOW) == 0
    assert actions(services, review_id, "nudged") == []
    assert nudges.run(services, NOW + timedelta(minutes=5)) == 1
