"""An install of our own for operations tests: a fresh, migrated database (SQLite file or a new
PostgreSQL database) that no other test writes to, so counts read from it are exact."""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from server.extensions import db
from tests.conftest import POSTGRES_URL, build_app, create_postgres_database, drop_postgres_database, make_settings

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, timeout: float = 60.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process ended with {process.returncode} before answering")
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer in {timeout} s")


@pytest.fixture
def own_database(tmp_path):
    """(url, instance path) of a fresh database migrated by the real migrations."""
    if POSTGRES_URL:
        url = create_postgres_database("twitchlog_ops")
    else:
        url = f"sqlite:///{tmp_path / 'own.sqlite3'}"
    instance = tmp_path / "instance"
    app = build_app(make_settings(instance, url))
    with app.app_context():
        db.engine.dispose()
    yield url, instance
    if POSTGRES_URL:
        drop_postgres_database(url)


def process_env(database_url: str, instance: Path, **extra: str) -> dict:
    """The environment an operator gives a process of this install (secrets shared by all)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCHLOG_", "PROMETHEUS_", "SENTRY_"))}
    env.update(
        DATABASE_URL=database_url,
        TWITCHLOG_INSTANCE_PATH=str(instance),
        TWITCHLOG_SECRET_KEY=secrets.token_urlsafe(32),
        TWITCHLOG_ALLOW_LOCAL_PUSH="1",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env
