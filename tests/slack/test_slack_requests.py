"""Only requests signed by Slack are served; a bad signature causes nothing."""

from __future__ import annotations

import time

from sqlmodel import Session, select

from storage.models import Decision


def test_slash_command_help_answers_privately(app, fake_slack):
    response = app.send_command("help")

    assert response.status_code == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert "/reviews kpi" in body["blocks"][-1]["text"]["text"]


def test_unknown_subcommand_names_the_problem_escaped(app):
    body = app.send_command("<!channel> now").json()
    assert body["blocks"][0]["text"]["text"] == ':warning: I don\'t know "&lt;!channel&gt;".'


def test_a_bad_signature_is_refused_and_causes_nothing(app, fake_slack):
    calls_before = len(fake_slack.calls())
    wrong = app.send_command("help", secret="not-the-signing-secret")
    stale = app.send_command("help", timestamp=int(time.time()) - 10 * 60)

    assert (wrong.status_code, stale.status_code) == (401, 401)
    assert "/reviews kpi" not in wrong.text + stale.text
    assert fake_slack.calls()[calls_before:] == []
    with Session(app.services.engine) as session:
        assert session.exec(select(Decision)).all() == []


def test_unsigned_requests_are_refused(app):
    response = app.http.post(
        "/slack/events",
        content=b"command=%2Freviews&text=help",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 401
