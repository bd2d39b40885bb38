"""/reviews through signed slash commands: the acknowledgement, then the private answer that
reaches the command's response_url."""

from __future__ import annotations

import time
from datetime import timedelta

from storage.models import utcnow
from tests.support.kpi import add_card, add_decision, add_review


def answers(fake_slack, count: int = 1, timeout: float = 5.0) -> list[dict]:
    """The bodies sent to the response_url, once `count` have arrived (the answer is lazy)."""
    deadline = time.monotonic() + timeout
    while len(found := fake_slack.responses()) < count:
        assert time.monotonic() < deadline, f"{len(found)} answers, expected {count}"
        time.sleep(0.01)
    return found


def shown(body: dict) -> str:
    return "\n".join(
        text
        for block in body["blocks"]
        for text in [block.get("text", {}).get("text", "")]
        + [f["text"] for f in block.get("fields", [])]
        + [e.get("text", "") for e in block.get("elements", [])]
    )


def seed_week(engine) -> None:
    now = utcnow()
    approved = add_review(
        engine,
        "a1",
        written=now - timedelta(days=2),
        status="approved",
        decided=now - timedelta(days=2) + timedelta(hours=3),
    )
    add_decision(engine, approved, "approved", now - timedelta(days=2, hours=-3), draft_kind="llm")
    add_review(
        engine, "p1", written=now - timedelta(days=1), rating=2, source="trustpilot", language="fi"
    )
    add_review(
        engine, "ok", written=now - timedelta(hours=5), rating=5, negative=False, status="positive"
    )
    add_review(
        engine, "old", written=now - timedelta(days=10), rating=4, negative=False, status="positive"
    )


def test_kpi_acknowledges_at_once_and_answers_privately_with_the_figures(app, fake_slack):
    seed_week(app.services.engine)

    ack = app.send_command("kpi 7d", response_url=fake_slack.response_url())

    assert (ack.status_code, ack.text) == (200, "")
    (answer,) = answers(fake_slack)
    text = shown(answer)
    assert answer["response_type"] == "ephemeral"
    assert "*KPIs · last 7 days*" in text
    assert "*Reviews*\n3 (3 rated)\n_before: 1 (1 rated)_" in text
    assert "*Negative*\n2 (67% of 3 triaged)" in text
    assert "median 3.0 h, 90% within 3.0 h (1 approved)" in text
    assert "*AI drafts approved unedited*\n100% (1 of 1)" in text
    assert "1 waiting" in text


def test_kpi_filters_by_source_and_language(app, fake_slack):
    seed_week(app.services.engine)

    app.send_command("kpi 30d source:trustpilot lang:fi", response_url=fake_slack.response_url())

    text = shown(answers(fake_slack)[0])
    assert "*KPIs · last 30 days* · source: trustpilot · lang: fi" in text
    assert "*Reviews*\n1 (1 rated)" in text


def test_kpi_for_calendar_periods_and_dates(app, fake_slack):
    seed_week(app.services.engine)
    today = utcnow().astimezone(app.settings.tz).date()

    app.send_command("kpi last-week", response_url=fake_slack.response_url("a"))
    app.send_command(f"kpi {today}..{today}", response_url=fake_slack.response_url("b"))
    answers(fake_slack, 2)

    assert "*KPIs · last week*" in shown(fake_slack.responses("a")[0])
    assert f"*KPIs · {today}*" in shown(fake_slack.responses("b")[0])


def test_pending_lists_the_oldest_first_with_links_to_the_cards(app, fake_slack):
    engine = app.services.engine
    now = utcnow()
    newer = add_review(engine, "newer", written=now - timedelta(hours=2), text="Trög leverans")
    older = add_review(engine, "older", written=now - timedelta(days=1), text="<!here> kallt kaffe")
    add_card(engine, older, "C0REVIEWS", "1700000000.000100", now)

    app.send_command("pending", response_url=fake_slack.response_url())

    text = shown(answers(fake_slack)[0])
    assert "*Waiting for a decision: 2* — oldest first" in text
    first, second = text.index(f"Review {older}"), text.index(f"Review {newer}")
    assert first < second
    assert f"<https://fake.slack.com/archives/C0REVIEWS/p1700000000000100|Review {older}>" in text
    assert f"*Review {newer}* (card not posted yet)" in text
    assert "&lt;!here&gt; kallt kaffe" in text and "<!here>" not in text


def test_pending_with_nothing_waiting(app, fake_slack):
    app.send_command("pending", response_url=fake_slack.response_url())
    assert "Nothing is waiting for a decision." in shown(answers(fake_slack)[0])


def test_digest_answers_privately_with_the_weekly_digest(app, fake_slack):
    seed_week(app.services.engine)

    app.send_command("digest", response_url=fake_slack.response_url())

    (answer,) = answers(fake_slack)
    assert answer["response_type"] == "ephemeral"
    assert "Weekly review digest ·" in shown(answer)
    assert answer["text"].startswith("Weekly review digest")
    assert not fake_slack.messages("C0REVIEWS")  # privately: nothing posted to the channel
    assert not fake_slack.calls("chat.postMessage")


def test_help_is_the_acknowledgement_itself(app, fake_slack):
    body = app.send_command("help", response_url=fake_slack.response_url()).json()

    assert body["response_type"] == "ephemeral"
    assert "/reviews kpi" in body["blocks"][-1]["text"]["text"]
    assert "/reviews pending" in body["blocks"][-1]["text"]["text"]


def test_bad_input_gets_the_help_with_the_problem_named(app, fake_slack):
    cases = {
        "kpi fortnight": 'I don\'t know the period "fortnight".',
        "kpi colour:red": 'I can filter by source:, lang: and location:, not "colour:".',
        "pending 7d": 'I don\'t understand "7d" here.',
        "&lt;!channel&gt; please": 'I don\'t know "&lt;!channel&gt;".',
    }
    for text, problem in cases.items():
        body = app.send_command(text, response_url=fake_slack.response_url()).json()
        assert body["blocks"][0]["text"]["text"].startswith(f":warning: {problem}")
        assert "*How to use /reviews*" in body["blocks"][-1]["text"]["text"]
    # The lazy half of each of those commands stayed quiet: the help was the whole answer.
    app.send_command("pending", response_url=fake_slack.response_url())
    assert len(answers(fake_slack)) == 1


def test_an_answer_that_fails_says_so_privately_with_a_reference(app, fake_slack):
    with app.services.engine.begin() as connection:  # a database that lost a table
        connection.exec_driver_sql("DROP TABLE slack_card")

    ack = app.send_command("pending", response_url=fake_slack.response_url())

    assert ack.status_code == 200
    (answer,) = answers(fake_slack)
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith(":warning: Sorry, that did not work (reference `")
    assert "slack_card" not in answer["text"]  # no trace or SQL reaches the user
