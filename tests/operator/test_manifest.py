"""manifest.yml is a valid Slack app manifest and asks for exactly the scopes the code uses;
`reviewbot manifest` prints it for HTTP mode and a renamed slash command."""

import json
import re
from pathlib import Path
from urllib.parse import urlencode

import jsonschema
import pytest
import yaml
from slack_sdk import WebClient
from typer.testing import CliRunner

from bot.cli import cli
from bot.config import Settings
from tests.support.harness import REVIEWS_CHANNEL, TEAM_ID

REPO = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO.parent / "shared" / "slack"
EVENTS_URL = "https://example.com/slack/events"

# Bot scopes each Slack Web API method needs (slack_sdk method names). A method the code
# calls that is missing here fails the test, so every new call is checked against the manifest.
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "auth_test": frozenset(),
    # With the app-level token (its connections:write), not a bot scope.
    "apps_connections_open": frozenset(),
    "bots_info": frozenset({"users:read"}),
    "chat_postMessage": frozenset({"chat:write"}),
    "chat_update": frozenset({"chat:write"}),
    "chat_postEphemeral": frozenset({"chat:write"}),
    "chat_delete": frozenset({"chat:write"}),
    "chat_getPermalink": frozenset(),
    # Cards live in public or private channels; both kinds must be readable.
    "conversations_history": frozenset({"channels:history", "groups:history"}),
    "conversations_replies": frozenset({"channels:history", "groups:history"}),
    "conversations_info": frozenset({"channels:read", "groups:read"}),
    "files_upload_v2": frozenset({"files:write"}),
    "users_info": frozenset({"users:read"}),
    "users_list": frozenset({"users:read"}),
    "usergroups_list": frozenset({"usergroups:read"}),
    "usergroups_users_list": frozenset({"usergroups:read"}),
    "views_open": frozenset(),
    "views_push": frozenset(),
    "views_update": frozenset(),
    "views_publish": frozenset(),
    "reactions_add": frozenset({"reactions:write"}),
}
# Bolt's say() posts with chat.postMessage.
HELPER_METHODS = {"say": "chat_postMessage"}
# Scopes no Web API call needs: the slash command itself.
SCOPES_WITHOUT_CALLS = {"commands"}

_CALL = re.compile(r"\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_HELPER_CALL = re.compile(r"(?<![\w.])(" + "|".join(HELPER_METHODS) + r")\s*\(")
_RAW_CALL = re.compile(r"\.api_call\s*\(")
_WEB_API_METHODS = frozenset(name for name in vars(WebClient) if not name.startswith("_"))


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((REPO / "manifest.yml").read_text(encoding="utf-8"))


def _bot_scopes(manifest: dict) -> set[str]:
    return set(manifest["oauth_config"]["scopes"]["bot"])


def _called_methods(root: Path = REPO / "bot") -> dict[str, list[str]]:
    """Slack Web API methods called anywhere under `root`, with the files that call them."""
    calls: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        where = str(path.relative_to(root))
        assert not _RAW_CALL.search(source), (
            f"{where} calls api_call(); use the typed WebClient method so its scope is checked"
        )
        names = [m for m in _CALL.findall(source) if m in _WEB_API_METHODS]
        names += [HELPER_METHODS[m] for m in _HELPER_CALL.findall(source)]
        for name in names:
            calls.setdefault(name, []).append(where)
    return calls


def test_scanner_finds_slack_calls_and_ignores_other_clients(tmp_path: Path) -> None:
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "digest.py").write_text(
        "def post(client, say, http, openai):\n"
        "    client.chat_postMessage(channel='C1', text='hi')\n"
        "    self._client.files_upload_v2(\n        channel='C1', content='x')\n"
        "    say('done')\n"
        "    http.post('https://example.com')\n"
        "    openai.chat.completions.create(model='m')\n",
        encoding="utf-8",
    )
    assert _called_methods(tmp_path) == {
        "chat_postMessage": ["jobs/digest.py", "jobs/digest.py"],
        "files_upload_v2": ["jobs/digest.py"],
    }


def test_manifest_matches_slacks_schema(manifest: dict) -> None:
    _validate(manifest)


def test_manifest_wires_every_surface_to_one_endpoint(manifest: dict) -> None:
    features, settings = manifest["features"], manifest["settings"]
    assert manifest["display_information"]["name"] == "reviewbot"
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["app_home"].get("messages_tab_enabled") is False
    (command,) = features["slash_commands"]
    assert command["command"] == "/reviews"
    assert command["url"] == EVENTS_URL
    assert command["usage_hint"] == "kpi [7d|30d|...] · pending · digest · help"
    assert settings["event_subscriptions"]["request_url"] == EVENTS_URL
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert settings["interactivity"] == {"is_enabled": True, "request_url": EVENTS_URL}
    assert settings["socket_mode_enabled"] is True
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False


def test_every_called_method_is_known_and_covered_by_a_scope(manifest: dict) -> None:
    calls = _called_methods()
    unknown = {name: files for name, files in calls.items() if name not in METHOD_SCOPES}
    assert not unknown, f"add these Slack methods to METHOD_SCOPES: {unknown}"
    scopes = _bot_scopes(manifest)
    missing = {name: sorted(METHOD_SCOPES[name] - scopes) for name in calls}
    assert not {name: s for name, s in missing.items() if s}, f"scopes missing: {missing}"


def test_manifest_asks_for_no_scope_the_code_does_not_use(manifest: dict) -> None:
    used = set().union(
        *(METHOD_SCOPES[name] for name in _called_methods() if name in METHOD_SCOPES)
    )
    unused = _bot_scopes(manifest) - used - SCOPES_WITHOUT_CALLS
    assert not unused, f"manifest asks for scopes no code uses: {sorted(unused)}"


# ---- `reviewbot manifest`: the same app for HTTP mode, and a renamed slash command ----

runner = CliRunner()
SERVER = "https://reviews.example.org"


def _printed(*args: str) -> dict:
    result = runner.invoke(cli, ["manifest", *args])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Slack app manifest for reviewbot")
    return yaml.safe_load(result.output)


def _validate(manifest: dict) -> None:
    if not SCHEMA_DIR.is_dir():
        pytest.skip(f"{SCHEMA_DIR} is missing")
    major = manifest.get("_metadata", {}).get("major_version", 1)
    schema = json.loads((SCHEMA_DIR / f"manifest.schema.{major}.0.0.json").read_text("utf-8"))
    jsonschema.validate(manifest, schema, cls=jsonschema.Draft7Validator)


def test_the_http_manifest_sends_everything_to_the_servers_one_endpoint(manifest: dict) -> None:
    printed = _printed("--http", "--url", SERVER)
    _validate(printed)
    endpoint = f"{SERVER}/slack/events"
    settings = printed["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["event_subscriptions"]["request_url"] == endpoint
    assert settings["interactivity"]["request_url"] == endpoint
    [command] = printed["features"]["slash_commands"]
    assert command["url"] == endpoint
    # Nothing else differs from manifest.yml: same scopes, same surfaces.
    assert printed["oauth_config"] == manifest["oauth_config"]
    assert printed["features"]["app_home"] == manifest["features"]["app_home"]
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]


@pytest.mark.parametrize("url", [f"{SERVER}/", f"{SERVER}/slack/events", f"{SERVER}/slack/events/"])
def test_the_url_may_be_given_with_or_without_the_endpoint(url: str) -> None:
    printed = _printed("--http", "--url", url)
    assert printed["settings"]["interactivity"]["request_url"] == f"{SERVER}/slack/events"


def test_without_http_it_is_manifest_yml(manifest: dict) -> None:
    printed = _printed()
    _validate(printed)
    assert printed == manifest


def test_a_renamed_command_is_declared_and_named_in_the_description(manifest: dict) -> None:
    printed = _printed("--http", "--url", SERVER, "--command", "/kundrecensioner")
    _validate(printed)
    [command] = printed["features"]["slash_commands"]
    assert command["command"] == "/kundrecensioner"
    assert "/kundrecensioner" in printed["display_information"]["long_description"]
    assert "/reviews" not in printed["display_information"]["long_description"]


def test_the_command_defaults_to_slash_command(monkeypatch) -> None:
    monkeypatch.setenv("SLASH_COMMAND", "/omdomen")
    [command] = _printed()["features"]["slash_commands"]
    assert command["command"] == "/omdomen"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--http"], "give --http and --url together"),
        (["--url", SERVER], "give --http and --url together"),
        (["--http", "--url", "http://reviews.example.org"], "public https:// address"),
        (["--http", "--url", "reviews.example.org"], "public https:// address"),
        (["--command", "/Reviews Now"], "setting SLASH_COMMAND"),
    ],
)
def test_wrong_options_are_one_line_and_exit_2(args: list[str], said: str) -> None:
    result = runner.invoke(cli, ["manifest", *args])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert said in line


def test_manifest_yml_declares_the_default_command(manifest: dict) -> None:
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == Settings.model_fields["slash_command"].default


def _command(app, name: str, text: str, response_url: str):
    form = {
        "team_id": TEAM_ID,
        "channel_id": REVIEWS_CHANNEL,
        "user_id": "U0LEAD",
        "user_name": "lead",
        "command": name,
        "text": text,
        "response_url": response_url,
        "trigger_id": "trigger-1",
    }
    return app.slack_post(urlencode(form), "application/x-www-form-urlencoded")


def test_a_renamed_slash_command_answers_and_its_help_names_it(app_factory, fake_slack) -> None:
    app = app_factory(slash_command="/kundrecensioner")

    response = _command(app, "/kundrecensioner", "help", fake_slack.response_url())
    assert response.status_code == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    help_text = json.dumps(body["blocks"], ensure_ascii=False)
    assert "/kundrecensioner kpi" in help_text
    assert "/reviews" not in help_text
    # The old name is no longer the app's: Slack would not send it, and it is not answered.
    assert _command(app, "/reviews", "help", fake_slack.response_url()).status_code == 404
