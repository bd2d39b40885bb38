"""`reviewbot run` refuses a wrong installation before it migrates or schedules anything:
every problem one line naming the setting, all at once, exit 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import cli
from bot.config import EXAMPLE_PROFILE
from tests.support.installation import installation_env


@pytest.fixture
def env(tmp_path: Path, fake_slack) -> dict[str, str]:
    """A correct HTTP-mode installation against the fake Slack, with the team's own profile."""
    return installation_env(tmp_path, fake_slack)


def problems(env: dict[str, str], **changes: str | None) -> tuple[int, list[str]]:
    """Exit code and the lines of `reviewbot run` with these settings changed (None: unset)."""
    result = CliRunner().invoke(cli, ["run"], env={**env, **changes})
    return result.exit_code, result.output.splitlines()


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        ({"DATABASE_URL": "mysql://u:secretpw@db/reviews"}, "DATABASE_URL: MySQL is not supported"),
        ({"DATABASE_URL": "postgres://u:secretpw@db/reviews"}, "write postgresql+psycopg://"),
        ({"DATABASE_URL": "postgresql://u:secretpw@db/reviews"}, "write postgresql+psycopg://"),
        ({"DATABASE_URL": "sqlite:///no/such/folder/x.db"}, "DATABASE_URL: the folder no/such"),
        (
            {"DATABASE_URL": "postgresql+psycopg://u:secretpw@127.0.0.1:9/reviews"},
            "DATABASE_URL: the database does not answer",
        ),
        ({"DATABASE_URL": "postgresql+psycopg://user:pass@host/db"}, "DATABASE_URL: still a"),
        ({"BUSINESS_PROFILE": "missing.yml"}, "run `reviewbot init`"),
        ({"SOURCES_FILE": "sourcse.yml"}, "SOURCES_FILE: sources file sourcse.yml"),
        ({"LANGUAGES": "sv,xx"}, "LANGUAGES: unknown language code 'xx'"),
        ({"TEAM_LANGUAGE": "klingon"}, "TEAM_LANGUAGE: unknown language 'klingon'"),
        ({"REVIEWS_CHANNEL": "#reviews"}, "REVIEWS_CHANNEL: '#reviews' is not a channel id"),
        ({"DIGEST_CHANNEL": "#digest"}, "right click the channel → Copy link"),
        ({"INGEST_TOKEN": "short-token"}, "INGEST_TOKEN: shorter than 32 characters"),
        ({"INGEST_TOKEN": "$(openssl rand -hex 32)"}, "INGEST_TOKEN: still a placeholder"),
        ({"SLACK_APP_TOKEN": "xapp-…"}, "SLACK_APP_TOKEN: still a placeholder"),
        ({"OPENAI_API_KEY": "sk-…"}, "OPENAI_API_KEY: still a placeholder"),
        ({"SLACK_BOT_TOKEN": "xoxb-refused"}, "SLACK_BOT_TOKEN: Slack refused the token"),
        ({"SLACK_APP_TOKEN": "xapp-refused"}, "SLACK_APP_TOKEN: Slack refused the app-level"),
        ({"SLACK_BOT_TOKEN": None}, "SLACK_BOT_TOKEN: missing"),
        ({"LOG_LEVEL": "LOUD"}, "setting LOG_LEVEL:"),
    ],
)
def test_each_wrong_setting_is_one_line_and_exit_2(env, changes, line):
    code, lines = problems(env, **changes)
    assert code == 2
    assert len(lines) == 1, lines
    assert line in lines[0]
    assert "secretpw" not in lines[0] and "refused" not in lines[0].split(":", 1)[0]


def test_three_wrong_settings_are_three_lines_at_once(env):
    code, lines = problems(
        env, TEAM_LANGUAGE="klingon", REVIEWS_CHANNEL="#reviews", INGEST_TOKEN="short"
    )
    assert code == 2
    assert [line.split(":")[1].strip() for line in lines] == [
        "INGEST_TOKEN",
        "REVIEWS_CHANNEL",
        "TEAM_LANGUAGE",
    ]


def test_a_setting_that_does_not_parse_still_lets_the_others_be_checked(env):
    code, lines = problems(env, PORT="http", REVIEWS_CHANNEL="#reviews")
    assert code == 2
    assert len(lines) == 2
    assert "PORT" in lines[0] and "REVIEWS_CHANNEL" in lines[1]


def test_nothing_is_migrated_when_start_is_refused(env, tmp_path):
    code, _ = problems(env, REVIEWS_CHANNEL="#reviews")
    assert code == 2
    assert not (tmp_path / "run.db").exists()


def test_no_traceback_unless_log_level_is_debug(env):
    quiet = CliRunner().invoke(cli, ["run"], env={**env, "DATABASE_URL": "sqlite:///x/y.db"})
    assert isinstance(quiet.exception, SystemExit) and "Traceback" not in quiet.output


def test_the_example_profile_is_refused_outside_the_demo(env):
    code, lines = problems(env, BUSINESS_PROFILE=str(EXAMPLE_PROFILE))
    assert code == 2
    assert lines == [
        "reviewbot: BUSINESS_PROFILE: this is the example café's profile, not your business; "
        "run `reviewbot init` to write your own (REVIEWBOT_DEMO=1 allows it for a demonstration)"
    ]


def test_a_copy_of_the_example_profile_is_refused_too(env, tmp_path):
    copy = tmp_path / "copy.yml"
    copy.write_text(EXAMPLE_PROFILE.read_text(encoding="utf-8"), encoding="utf-8")
    code, lines = problems(env, BUSINESS_PROFILE=str(copy))
    assert code == 2 and "example café" in lines[0]


def test_reviewbot_demo_allows_the_example_profile(env, monkeypatch):
    from bot.startup.run_checks import load_all

    for name, value in {**env, "BUSINESS_PROFILE": str(EXAMPLE_PROFILE)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("REVIEWBOT_DEMO", "1")
    settings, found = load_all()
    assert found == []
    assert settings is not None and settings.reviewbot_demo


def test_the_default_profile_is_the_operators_folder(monkeypatch):
    from bot.config import Settings

    monkeypatch.delenv("BUSINESS_PROFILE")
    assert Settings().business_profile == Path("reviewbot/business.yml")


def test_env_example_copied_unfilled_asks_for_each_value_by_name(tmp_path):
    from bot.config import PROJECT_ROOT

    (tmp_path / ".env").write_text((PROJECT_ROOT / ".env.example").read_text("utf-8"), "utf-8")
    result = CliRunner().invoke(cli, ["run"], env={"BUSINESS_PROFILE": None})
    assert result.exit_code == 2
    named = [line.split(":")[1].strip() for line in result.output.splitlines()]
    assert named == [
        "SLACK_BOT_TOKEN",
        "REVIEWS_CHANNEL",
        "SLACK_SIGNING_SECRET",
        "BUSINESS_PROFILE",
    ]
    assert "placeholder" not in result.output


@pytest.mark.parametrize(
    "command",
    [
        ["import", "reviews.jsonl"],
        ["triage", "reviews.jsonl"],
        ["digest", "--preview"],
        ["erase", "--author", "Kari", "--yes"],
    ],
)
def test_commands_that_draft_or_triage_name_a_missing_profile_in_one_line(
    env, tmp_path, monkeypatch, command
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reviews.jsonl").write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, command, env={**env, "BUSINESS_PROFILE": "missing.yml"})
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith("reviewbot: BUSINESS_PROFILE: ")
    assert line.endswith("run `reviewbot init` to write your own")
    assert not (tmp_path / "run.db").exists()
