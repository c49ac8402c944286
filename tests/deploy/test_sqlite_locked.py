"""The embedded default's one fault of its own: another writer holds the SQLite file."""
from __future__ import annotations

import sqlite3
import uuid

import pytest

from tests.support.api import ApiClient


@pytest.fixture
def locked_app(database_url, make_app):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL has row locks, not a file lock")
    return make_app(sqlite_busy_ms=150)


def test_a_locked_database_gives_a_clear_503_and_the_retry_loses_nothing(locked_app, database_url):
    device = ApiClient(locked_app.url)
    device.register()
    mutations = [device.mutation("twitch", str(uuid.uuid4()), {"occurred_at": "2026-11-25T19:42:10Z"}) for _ in range(5)]
    other_writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")
    try:
        refused = device.post("/api/v1/sync/push", json={"client_id": device.client_id, "mutations": mutations})
        assert refused.status_code == 503
        body = refused.json()
        assert body["code"] == 503 and "try again" in body["message"]
        assert refused.headers["Retry-After"] == "1"
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()
    accepted = device.push(mutations)
    assert accepted["last_mutation_id"] == 5 and accepted["rejected"] == []
    assert device.push(mutations)["last_mutation_id"] == 5  # the replay is a no-op
    records, _ = device.pull_all()
    assert len(records) == 5
