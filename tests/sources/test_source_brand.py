"""A review fetched from a source belongs to the brand SOURCES_FILE gives its location, else
the source's; its card goes where that brand's routes say. And `reviewbot run` refuses a
sources file that names a brand ROUTES_FILE does not define. Through the real app, the fake
Google Business Profile and the fake Slack."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import cli
from bot.sources.polling import poll_source
from tests.fakes.platforms import FakeGoogleBusiness, GoogleReview
from tests.fakes.platforms_support import stored_one
from tests.support.installation import installation_env
from tests.support.routes import write_routes
from tests.support.workflow import eventually, posted_card_ts, slack_card, start

UMEA, OSLO, SODERMALM = "555", "556", "557"


def google_source(google: FakeGoogleBusiness, **extra: Any) -> dict[str, Any]:
    return {
        "name": "google-cafes",
        "platform": "google",
        "account": "100",
        "brand": "lumi",
        "locations": [
            {"id": UMEA, "name": "Umeå"},
            # Lumi's locations take "Oslo *"; the location's own brand wins over them.
            {"id": OSLO, "name": "Oslo sentrum", "brand": "norr"},
            {"id": SODERMALM, "name": "Södermalm"},
        ],
        "api_url": f"{google.url}/v4/",
        "token_url": f"{google.url}/token",
        "client_id_env": "GBP_CLIENT_ID",
        "client_secret_env": "GBP_CLIENT_SECRET",
        "refresh_token_env": "GBP_REFRESH_TOKEN",
        **extra,
    }


def write_sources(folder: Path, *sources: dict[str, Any]) -> Path:
    path = folder / "sources.yml"
    path.write_text(yaml.safe_dump({"sources": list(sources)}, allow_unicode=True))
    return path


def write_secrets(folder: Path) -> Path:
    path = folder / "sources.secrets"
    path.write_text(
        f"GBP_CLIENT_ID={FakeGoogleBusiness.CLIENT_ID}\n"
        f"GBP_CLIENT_SECRET={FakeGoogleBusiness.CLIENT_SECRET}\n"
        f"GBP_REFRESH_TOKEN={FakeGoogleBusiness.REFRESH_TOKEN}\n"
    )
    return path


def add_review(google: FakeGoogleBusiness, location: str, written) -> str:
    return google.add(
        GoogleReview(
            location=location,
            review_id=f"r-{location}",
            stars="ONE",
            comment="Kaffet var kallt och ingen brydde sig.",
            author="Kund",
            created=written,
            updated=written,
        )
    )


def test_a_polled_review_has_its_locations_brand_else_its_sources_and_is_routed_by_it(
    app_factory, google, tmp_path
):
    app = start(
        app_factory,
        routes_file=write_routes(tmp_path),
        sources_file=write_sources(tmp_path, google_source(google)),
        sources_secrets_file=write_secrets(tmp_path),
        scheduler_enabled=False,
    )
    written = app.services.clock() - timedelta(hours=1)
    names = {location: add_review(google, location, written) for location in (UMEA, OSLO)}

    assert poll_source(app.services, "google-cafes", app.services.clock()).accepted == 2

    expected = {UMEA: ("lumi", "C0LUMI"), OSLO: ("norr", "C0NORR")}
    for location, (brand, channel) in expected.items():
        stored = stored_one(app.services.engine, names[location])
        assert stored.brand == brand, location
        assert stored.id is not None
        eventually(lambda i=stored.id: posted_card_ts(app, i), what=f"the card of {location}")
        assert slack_card(app, stored.id).channel == channel


def test_without_a_routes_file_a_sources_brand_stops_the_start(env, google, tmp_path):
    sources = write_sources(tmp_path, google_source(google))
    result = CliRunner().invoke(cli, ["run"], env={**env, "SOURCES_FILE": str(sources)})
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"reviewbot: SOURCES_FILE: sources file {sources}: sources.0.brand: unknown brand "
        "'lumi'; ROUTES_FILE defines no brands",
        f"reviewbot: SOURCES_FILE: sources file {sources}: sources.0.locations.1.brand: unknown "
        "brand 'norr'; ROUTES_FILE defines no brands",
    ]


def test_a_brand_the_routes_file_does_not_define_stops_the_start(env, google, tmp_path):
    source = google_source(google)
    source["locations"][2]["brand"] = "lumi-south"
    sources = write_sources(tmp_path, source)
    routes = write_routes(tmp_path)
    result = CliRunner().invoke(
        cli, ["run"], env={**env, "SOURCES_FILE": str(sources), "ROUTES_FILE": str(routes)}
    )
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"reviewbot: SOURCES_FILE: sources file {sources}: sources.0.locations.2.brand: unknown "
        "brand 'lumi-south'; ROUTES_FILE defines lumi, norr"
    ]


def test_a_brand_that_is_no_brand_id_is_refused_naming_its_key(env, google, tmp_path):
    sources = write_sources(tmp_path, google_source(google, brand="Café Lumi"))
    result = CliRunner().invoke(cli, ["run"], env={**env, "SOURCES_FILE": str(sources)})
    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert line.startswith(f"reviewbot: SOURCES_FILE: sources file {sources}: sources.0.google")
    assert "brand: String should match pattern" in line


@pytest.fixture
def env(tmp_path: Path, fake_slack) -> dict[str, str]:
    """A correct installation whose sources' credentials are in the environment."""
    return {
        **installation_env(tmp_path, fake_slack),
        "GBP_CLIENT_ID": FakeGoogleBusiness.CLIENT_ID,
        "GBP_CLIENT_SECRET": FakeGoogleBusiness.CLIENT_SECRET,
        "GBP_REFRESH_TOKEN": FakeGoogleBusiness.REFRESH_TOKEN,
    }
