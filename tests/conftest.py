"""Shared fixtures: a database per test (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
the local fake Slack and OpenAI servers, and the real app served over HTTP on port 0."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bot.config import EXAMPLE_PROFILE
from tests.support.harness import AppHarness

_CLEARED_PREFIXES = ("SLACK_", "OPENAI_")
_CLEARED = {
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "DATABASE_URL",
    "INGEST_TOKEN",
    "REVIEWS_CHANNEL",
    "DIGEST_CHANNEL",
    "REVIEWBOT_DEMO",
}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """No developer token, proxy or .env file ever reaches a test."""
    for name in list(os.environ):
        if name.startswith(_CLEARED_PREFIXES) or name in _CLEARED:
            monkeypatch.delenv(name, raising=False)
    # Tests draft as the example business; a test of the operator's own profile sets its own.
    monkeypatch.setenv("BUSINESS_PROFILE", str(EXAMPLE_PROFILE))
    monkeypatch.chdir(tmp_path)  # Settings reads .env from the working directory


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # libfaketime (Debian's 0.9.10) keeps a timed condition wait (threading.Event.wait(0.3))
    # from ending on its timeout; `make test-later` says it runs under it.
    if not os.environ.get("REVIEWBOT_UNDER_FAKETIME"):
        return
    skip = pytest.mark.skip(reason="a timed wait does not end on time under faketime")
    for item in items:
        if "timed_wait" in item.keywords:
            item.add_marker(skip)


def _postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Every test that asks for `database_url` runs on SQLite, and on PostgreSQL too when
    # TEST_DATABASE_URL points at a server (CI starts one).
    if "database_url" in metafunc.fixturenames:
        backends = ["sqlite"]
        if _postgres_url() or os.environ.get("REQUIRE_POSTGRES"):
            backends.append("postgresql")
        metafunc.parametrize("database_url", backends, indirect=True)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'reviewbot.db'}"
        return
    admin_url = _postgres_url()
    if not admin_url:
        pytest.fail("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not")
    name = f"reviewbot_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(database_url):
    """A migrated database on each backend."""
    from storage.db import make_engine, migrate

    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'reviewbot.db'}"


@pytest.fixture
def fake_slack():
    from tests.fakes.slack_api import FakeSlack

    with FakeSlack() as slack:
        yield slack


@pytest.fixture
def fake_openai():
    from tests.fakes.openai_api import FakeOpenAI

    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def app_factory(fake_slack, sqlite_url) -> Iterator:
    """Builds and serves the real app; call with Settings overrides. Stopped after the test."""
    started: list[AppHarness] = []

    def start(**overrides: object) -> AppHarness:
        # `database_url=` (the fixture) serves the app from each backend in turn.
        overrides.setdefault("database_url", sqlite_url)
        harness = AppHarness.start(fake_slack=fake_slack, **overrides)  # type: ignore[arg-type]
        started.append(harness)
        return harness

    yield start
    for harness in started:
        harness.stop()


@pytest.fixture
def app(app_factory) -> AppHarness:
    return app_factory()
