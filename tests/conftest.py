"""Fixtures: a migrated database (SQLite, or PostgreSQL when asked), the real app, a live server.

The test database is built by running the real migrations. Tests are isolated by data, not by
rollback: every test makes its own users, and every record is keyed by user.

PostgreSQL runs are selected with TWITCHLOG_TEST_DATABASE_URL, for example
postgresql+psycopg://postgres@127.0.0.1:5432/postgres (a fresh database is made beside it).
"""
from __future__ import annotations

import os
import secrets
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from server import create_app
from server.config import Settings
from server.extensions import db
from tests.support.api import ApiClient, LiveServer

POSTGRES_URL = os.environ.get("TWITCHLOG_TEST_DATABASE_URL")


def postgres_admin_url(url: str) -> sa.URL:
    return sa.make_url(url).set(database="postgres")


def create_postgres_database(prefix: str = "twitchlog_test") -> str:
    """A new, empty database on the configured server; its URL."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    engine = sa.create_engine(postgres_admin_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = sa.make_url(url).database
    engine = sa.create_engine(postgres_admin_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


def make_settings(instance: Path, database_url: str, **overrides) -> Settings:
    settings = Settings(
        env="testing",
        instance_path=instance,
        database_url=database_url,
        secret_key=secrets.token_urlsafe(32),
        allow_local_push=True,
        login_limit="1000/minute",
        login_address_limit="100000/minute",  # the whole suite signs in from 127.0.0.1
        login_account_limit="100000/minute",
        reset_limit="100000/minute",
        register_limit="100000/hour",
        share_limit="100000/minute",
        vapid_subject="mailto:tests@twitchlog.invalid",
    )
    for name, value in overrides.items():
        setattr(settings, name, value)
    return settings


def build_app(settings: Settings, migrate: bool = True):
    app = create_app({"TWITCHLOG": settings, "TESTING": True})
    if migrate:
        from flask_migrate import upgrade

        with app.app_context():
            upgrade(revision="heads")
    return app


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if POSTGRES_URL:
        url = create_postgres_database()
        yield url
        drop_postgres_database(url)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'twitchlog.sqlite3'}"


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def app(database_url, instance_path):
    app = build_app(make_settings(instance_path, database_url))
    yield app
    # Close the pool before the database is dropped: an open connection left to the garbage
    # collector at exit is an unraisable ResourceWarning, which fails the PostgreSQL run.
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(app):
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture
def make_app(app, database_url, instance_path):
    """Another app on the same database with different settings (rate limits, public URL...).

    It needs `app`, which migrates the database; its own pool is closed when the test ends, so no
    connection is left for the garbage collector to warn about in a later test.
    """
    servers = []

    def factory(**overrides) -> LiveServer:
        server = LiveServer(build_app(make_settings(instance_path, database_url, **overrides), migrate=False))
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.stop()
        with server.app.app_context():
            db.engine.dispose()


@pytest.fixture
def client(live_server) -> ApiClient:
    """A browser-like client that is not signed in."""
    return ApiClient(live_server.url)


@pytest.fixture
def make_user(live_server):
    """make_user() -> a signed-in ApiClient for a new account."""

    def factory(timezone: str = "Europe/Berlin", **kwargs) -> ApiClient:
        api = ApiClient(live_server.url, **kwargs)
        api.register(timezone=timezone)
        return api

    return factory


@pytest.fixture
def user(make_user) -> ApiClient:
    return make_user()


@pytest.fixture
def new_id():
    return lambda: str(uuid.uuid4())


@pytest.hookimpl(trylast=True)  # after tests/e2e's hook has marked its browser tests
def pytest_collection_modifyitems(items):
    """Long files first: `make test` hands whole files to its parallel workers in collection order,
    so a long file left to the end keeps one worker busy while the others sit idle. Files holding a
    test marked `slow` or `browser` go first, each file's tests staying in their own order."""
    def long_file(item) -> bool:
        return item.get_closest_marker("slow") is not None or item.get_closest_marker("browser") is not None

    long_files = {item.path for item in items if long_file(item)}
    items.sort(key=lambda item: item.path not in long_files)  # stable: order within each group kept
