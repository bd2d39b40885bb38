"""The sources file, its credentials, and `reviewbot sources`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import cli
from bot.config import PROJECT_ROOT
from bot.sources.config import Credentials, MissingCredential, SourcesFileError, load_sources
from tests.fakes.platforms import FakeGoogleBusiness

EXAMPLE = PROJECT_ROOT / "bot" / "sources" / "sources.example.yml"


def _google(name: str = "google-cafes", location: str = "555", url: str = "https://x/") -> dict:
    return {
        "name": name,
        "platform": "google",
        "account": 100,
        "locations": [{"id": int(location), "name": "Södermalm"}],
        "api_url": url + "v4",
        "token_url": url + "token",
        "client_id_env": "GBP_CLIENT_ID",
        "client_secret_env": "GBP_CLIENT_SECRET",
        "refresh_token_env": "GBP_REFRESH_TOKEN",
    }


def _write(tmp_path: Path, *sources: dict) -> Path:
    path = tmp_path / "sources.yml"
    path.write_text(yaml.safe_dump({"sources": list(sources)}, allow_unicode=True))
    return path


def test_the_example_file_is_valid_and_names_every_platform():
    sources = load_sources(EXAMPLE)
    assert [s.platform for s in sources.sources] == [
        "google",
        "trustpilot",
        "app_store",
        "google_play",
    ]


def test_numeric_ids_are_read_as_text_and_api_urls_end_in_a_slash(tmp_path):
    source = load_sources(_write(tmp_path, _google())).sources[0]
    assert (source.account, source.locations[0].id, source.api_url) == (
        "100",
        "555",
        "https://x/v4/",
    )


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ([_google(), _google(location="556")], "name used twice: google-cafes"),
        ([_google(), _google(name="other")], "configured twice: google 555"),
        ([{**_google(), "platform": "yelp"}], "sources.0: Input tag 'yelp'"),
        ([{**_google(), "client_secret_env": "not a name"}], "client_secret_env"),
        ([{**_google(), "client_secret": "hunter2"}], "client_secret: Extra inputs"),
    ],
)
def test_a_wrong_sources_file_is_refused_in_one_line_naming_the_field(tmp_path, sources, message):
    with pytest.raises(SourcesFileError, match=message) as caught:
        load_sources(_write(tmp_path, *sources))
    assert "\n" not in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_credentials_come_from_the_secrets_file_and_the_environment_wins(tmp_path):
    secrets = tmp_path / "secrets.env"
    secrets.write_text("GBP_CLIENT_ID=from-file\nGBP_CLIENT_SECRET=file-secret\n")

    credentials = Credentials.load({"GBP_CLIENT_ID": "from-env"}, secrets)

    assert credentials.get("GBP_CLIENT_ID") == "from-env"
    assert credentials.get("GBP_CLIENT_SECRET") == "file-secret"
    assert "file-secret" not in repr(credentials)
    with pytest.raises(MissingCredential, match="GBP_REFRESH_TOKEN"):
        credentials.get("GBP_REFRESH_TOKEN")


def test_reviewbot_sources_lists_each_source_and_names_missing_credentials(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCES_FILE", str(EXAMPLE))
    monkeypatch.setenv("GBP_CLIENT_ID", "id")

    result = CliRunner().invoke(cli, ["sources", "--no-check"])

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("google-cafes  google  every 15 min  Södermalm (9876543210)")
    assert "[FAILED] missing credential GBP_CLIENT_SECRET, GBP_REFRESH_TOKEN" in lines[0]
    assert lines[3].startswith("android-app  google_play") and lines[3].endswith("[-] disabled")


def test_reviewbot_sources_signs_in_to_each_platform_without_printing_secrets(
    tmp_path, monkeypatch
):
    with FakeGoogleBusiness() as google:
        path = _write(tmp_path, _google(url=google.url + "/"))
        monkeypatch.setenv("SOURCES_FILE", str(path))
        secrets = tmp_path / "secrets.env"
        secrets.write_text(
            f"GBP_CLIENT_ID={google.CLIENT_ID}\n"
            f"GBP_CLIENT_SECRET={google.CLIENT_SECRET}\n"
            f"GBP_REFRESH_TOKEN={google.REFRESH_TOKEN}\n"
        )
        monkeypatch.setenv("SOURCES_SECRETS_FILE", str(secrets))

        ok = CliRunner().invoke(cli, ["sources"])
        secrets.write_text(secrets.read_text().replace(google.REFRESH_TOKEN, "revoked"))
        refused = CliRunner().invoke(cli, ["sources"])

    assert ok.exit_code == 0, ok.output
    assert "[ok] 0 reviews at location 555" in ok.output
    assert refused.exit_code == 1
    assert "[FAILED] google answered HTTP 400 (invalid_grant)" in refused.output
    for output in (ok.output, refused.output):
        assert google.CLIENT_SECRET not in output and google.REFRESH_TOKEN not in output


def test_reviewbot_sources_without_a_sources_file_says_so():
    result = CliRunner().invoke(cli, ["sources"])
    assert result.exit_code == 2
    assert "SOURCES_FILE is not set" in result.output
