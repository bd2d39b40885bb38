"""Pattern alerts: one theme in PATTERN_MIN negative reviews within 7 days, alerted once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.jobs import patterns
from storage.models import PatternAlert
from tests.support.harness import REVIEWS_CHANNEL
from tests.support.jobs import NOW, add_review, job_services, set_review


@pytest.fixture
def services(fake_slack, database_url):
    services = job_services(fake_slack, database_url)
    yield services
    services.close()


def negative(services, n: int, themes: list[str], days_ago: float) -> int:
    review_id = add_review(services, external_id=f"p-{n}")
    set_review(services, review_id, themes=themes, created_at=NOW - timedelta(days=days_ago))
    return review_id


def alerts(fake_slack) -> list[dict]:
    return [m for m in fake_slack.messages(REVIEWS_CHANNEL) if "*Pattern:*" in m["text"]]


def test_three_negatives_on_one_theme_in_a_week_raise_one_alert(fake_slack, services):
    negative(services, 1, ["waiting_time"], 8)  # outside the window
    negative(services, 2, ["waiting_time", "staff_service"], 5)
    negative(services, 3, ["waiting_time"], 2)
    assert patterns.run(services, NOW) == 0

    negative(services, 4, ["waiting_time", "other"], 0.5)
    negative(services, 5, ["other"], 0.5)
    negative(services, 6, ["other"], 0.5)
    assert patterns.run(services, NOW) == 1
    negative(services, 7, ["waiting_time"], 0.1)
    assert patterns.run(services, NOW + timedelta(days=1)) == 0

    [alert] = alerts(fake_slack)
    text = alert["blocks"][0]["text"]["text"]
    assert "3 negative reviews about *Waiting time* in the last 7 days" in text
    assert text.count("https://fake.slack.com/archives/") == 3
    with Session(services.engine) as session:
        [stored] = session.exec(select(PatternAlert)).all()
    assert stored.theme == "waiting_time" and len(stored.review_ids) == 3


def test_the_theme_can_alert_again_in_a_later_window(fake_slack, services):
    for n in range(3):
        negative(services, n, ["delivery"], 1)
    assert patterns.run(services, NOW) == 1
    for n in range(3, 6):
        negative(services, n, ["delivery"], -7)  # written during the next week
    assert patterns.run(services, NOW + timedelta(days=7, minutes=1)) == 1
    assert len(alerts(fake_slack)) == 2
