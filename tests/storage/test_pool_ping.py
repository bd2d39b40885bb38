"""A PostgreSQL connection the server dropped while it sat in the pool is replaced before use
once it has been idle a while; one in steady use is not pinged each time."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from storage.db import make_engine


def backend_pid(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


def drop_backend(database_url: str, pid: int) -> None:
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


@pytest.fixture
def postgresql_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("a SQLite file has no connection the server could drop")
    return database_url


def test_an_idle_connection_the_server_dropped_is_replaced_before_use(postgresql_url):
    engine = make_engine(postgresql_url, ping_idle_after=0)  # every pooled connection is idle
    try:
        first = backend_pid(engine)
        drop_backend(postgresql_url, first)
        second = backend_pid(engine)  # no error: the ping found it dead and the pool replaced it
        assert second != first
    finally:
        engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged_and_a_drop_fails_one_use(postgresql_url):
    engine = make_engine(postgresql_url, ping_idle_after=3600)
    try:
        first = backend_pid(engine)
        drop_backend(postgresql_url, first)
        with pytest.raises(sa.exc.OperationalError):
            backend_pid(engine)
        assert backend_pid(engine) != first  # SQLAlchemy replaced the pool's connections
    finally:
        engine.dispose()
