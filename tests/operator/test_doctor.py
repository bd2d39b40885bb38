"""`reviewbot doctor` against the fake Slack and OpenAI servers: a table of checks, exit 0
only when none failed, and a failed row says what to do."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from bot.cli import cli
from storage.db import alembic_config, make_engine, migrate
from tests.operator.test_startup import env  # noqa: F401 - the correct installation fixture


@pytest.fixture
def installed(env, tmp_path: Path, fake_openai) -> dict[str, str]:  # noqa: F811
    engine = make_engine(env["DATABASE_URL"])
    migrate(engine)
    engine.dispose()
    return {
        **env,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": fake_openai.base_url,
        "OPENAI_MODEL": "fake-model",
        "DIGEST_CHANNEL": "C0DIGEST",
    }


def doctor(settings: dict[str, str | None], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["doctor", *args], env={**settings, "COLUMNS": "250"})
    return result.exit_code, result.output


def row(output: str, check: str) -> str:
    return next(line for line in output.splitlines() if f" {check} " in line)


def test_all_green_against_the_fakes(installed):
    code, output = doctor(installed)
    assert code == 0, output
    for check in (
        "token",
        "scopes",
        "REVIEWS_CHANNEL",
        "DIGEST_CHANNEL",
        "revision",
        "writable",
        "WAL",
        "reachable",
        "model",
        "structured output",
        "contacts",
    ):
        assert " ok " in row(output, check), check
    assert "FAIL" not in output


def test_a_missing_scope_is_named_with_the_fix(installed, fake_slack):
    fake_slack.scopes = "chat:write,commands"
    code, output = doctor(installed)
    assert code == 1
    line = row(output, "scopes")
    assert "FAIL" in line and "users:read" in line and "reinstall" in output


def test_a_bot_not_in_the_digest_channel_is_told_to_invite_it(installed, fake_slack):
    fake_slack.member_of = {"C0REVIEWS"}
    code, output = doctor(installed)
    assert code == 1
    assert " ok " in row(output, "REVIEWS_CHANNEL")
    line = row(output, "DIGEST_CHANNEL")
    assert "FAIL" in line and "/invite @reviewbot" in output


def test_an_old_database_revision_says_run_migrate(installed, tmp_path):
    old = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(old)
    previous = ScriptDirectory.from_config(alembic_config()).get_revision("head")
    migrate(engine, previous.down_revision)
    engine.dispose()
    code, output = doctor({**installed, "DATABASE_URL": old})
    assert code == 1
    assert "FAIL" in row(output, "revision") and "reviewbot migrate" in output


def test_without_a_model_key_templates_only_is_a_warning(installed):
    code, output = doctor({**installed, "OPENAI_API_KEY": None})
    assert code == 0
    assert "warn" in row(output, "model") and "templates only" in output


def test_a_malformed_contact_in_the_profile_fails(installed, tmp_path):
    profile = Path(installed["BUSINESS_PROFILE"])
    text = profile.read_text(encoding="utf-8").replace("oslo@cafelumi.example", "ring oss")
    profile.write_text(text, encoding="utf-8")
    code, output = doctor(installed)
    assert code == 1
    assert "FAIL" in row(output, "contacts")


def test_in_http_mode_the_slash_command_is_checked_at_the_public_url(installed, app_factory):
    from tests.support.harness import SIGNING_SECRET

    app = app_factory(slash_command="/omdomen")
    settings = {**installed, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLASH_COMMAND": "/omdomen"}
    code, output = doctor(settings, "--url", app.url)
    assert code == 0, output
    assert f"/omdomen answers at {app.url}/slack/events" in row(output, "slash command")

    code, output = doctor({**settings, "SLACK_SIGNING_SECRET": "another-secret"}, "--url", app.url)
    assert code == 1
    line = row(output, "slash command")
    assert "FAIL" in line and "answered HTTP 401" in line and "SLACK_SIGNING_SECRET" in line


def test_a_slash_command_the_app_does_not_answer_fails(installed, app_factory):
    from tests.support.harness import SIGNING_SECRET

    app = app_factory()  # answers /reviews
    settings = {**installed, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLASH_COMMAND": "/omdomen"}
    code, output = doctor(settings, "--url", app.url)
    assert code == 1
    line = row(output, "slash command")
    assert "answered HTTP 404" in line and "SLASH_COMMAND" in line
