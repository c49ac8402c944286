"""The mechanism of the SQLite write rule (server/transactions.py), each part shown on its own.

Another connection holding (or trying to take) the write lock is how a test sees who holds it:
`BEGIN IMMEDIATE` with no timeout fails at once while someone else has the lock.
"""
from __future__ import annotations

import logging
import sqlite3
import uuid

import pytest
import sqlalchemy as sa
from flask import g

from server.accounts.models import User
from server.extensions import db
from server.transactions import WriteRuleError, begin_read, begin_write, check_no_write_lock, slow_work
from tests.conftest import build_app, make_settings
from tests.support.api import ApiClient, LiveServer


@pytest.fixture
def sqlite_path(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL has no database-wide write lock")
    return database_url.removeprefix("sqlite:///")


def someone_else_can_lock(path: str) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_a_writing_request_takes_the_lock_at_its_first_read_and_a_reading_one_does_not(app, sqlite_path):
    with app.test_request_context("/api/v1/me", method="PATCH"):
        db.session.scalar(sa.select(sa.func.count()).select_from(User))
        assert not someone_else_can_lock(sqlite_path)
        db.session.commit()
        assert someone_else_can_lock(sqlite_path)
        db.session.remove()
    with app.test_request_context("/api/v1/me", method="GET"):
        db.session.scalar(sa.select(sa.func.count()).select_from(User))
        assert someone_else_can_lock(sqlite_path)
        begin_write()  # a GET that must write takes the lock itself
        assert not someone_else_can_lock(sqlite_path)
        begin_write()  # already held: nothing changes, nothing is committed
        assert not someone_else_can_lock(sqlite_path)
        db.session.rollback()
        db.session.remove()


def test_a_writing_method_marked_reads_only_stays_deferred(app, sqlite_path):
    with app.test_request_context("/api/v1/sync/pull", method="POST"):
        db.session.scalar(sa.select(sa.func.count()).select_from(User))
        assert someone_else_can_lock(sqlite_path)
        db.session.remove()


def test_begin_read_lets_a_writing_request_read_without_the_lock_but_not_write(app, sqlite_path):
    with app.test_request_context("/api/v1/auth/login", method="POST"):
        begin_read()
        db.session.scalar(sa.select(sa.func.count()).select_from(User))
        assert someone_else_can_lock(sqlite_path)
        with pytest.raises(WriteRuleError, match="begin_write"):
            db.session.execute(sa.update(User).where(User.id == "nobody").values(timezone="UTC"))
        db.session.rollback()
        db.session.scalar(sa.select(sa.func.count()).select_from(User))  # the next transaction: IMMEDIATE again
        assert not someone_else_can_lock(sqlite_path)
        db.session.rollback()
        db.session.remove()


def test_slow_work_releases_the_lock_and_refuses_the_database_inside(app, sqlite_path):
    with app.test_request_context("/api/v1/auth/login", method="POST"):
        db.session.scalar(sa.select(sa.func.count()).select_from(User))
        with pytest.raises(WriteRuleError, match="Argon2 while holding"):
            check_no_write_lock("Argon2")
        with slow_work("checking a password"):
            assert someone_else_can_lock(sqlite_path)
            check_no_write_lock("Argon2")  # no lock: allowed
            with pytest.raises(WriteRuleError, match="database use inside slow_work"):
                db.session.scalar(sa.select(sa.func.count()).select_from(User))
        db.session.rollback()
        db.session.scalar(sa.select(sa.func.count()).select_from(User))  # after it: the lock again
        assert not someone_else_can_lock(sqlite_path)
        db.session.rollback()
        db.session.remove()


def test_slow_work_after_a_write_is_refused(app, sqlite_path):
    with app.test_request_context("/api/v1/me", method="PATCH"):
        db.session.execute(sa.update(User).where(User.id == "nobody").values(timezone="UTC"))
        with pytest.raises(WriteRuleError, match="after a write"):
            with slow_work("rendering"):
                pass
        db.session.rollback()
        db.session.remove()


def test_a_write_after_a_read_in_a_deferred_request_transaction_is_refused_in_the_tests(app, sqlite_path):
    with app.test_request_context("/api/v1/me", method="GET"):
        db.session.scalar(sa.select(sa.func.count()).select_from(User))
        with pytest.raises(WriteRuleError, match="begin_write"):
            db.session.execute(sa.update(User).where(User.id == "nobody").values(timezone="UTC"))
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def lenient_server(app, database_url, instance_path):
    """An app outside the test env (the rule is logged there, not raised) with one GET route that
    reads, lets another connection commit, then writes: the stale snapshot a GET can still meet."""
    settings = make_settings(instance_path, database_url, env="development", sqlite_busy_ms=2000)
    lenient = build_app(settings, migrate=False)
    attempts = []

    @lenient.get("/_test/read-then-write/<user_id>")
    def read_then_write(user_id):
        timezone = db.session.scalar(sa.select(User.timezone).where(User.id == user_id))
        attempts.append(timezone)
        if len(attempts) == 1:  # another writer commits between this read and the write below
            other = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=5, isolation_level=None)
            other.execute("UPDATE users SET timezone = 'Europe/Paris' WHERE id = ?", (user_id,))
            other.close()
        db.session.execute(sa.update(User).where(User.id == user_id).values(timezone="Europe/Rome"))
        db.session.commit()
        return {"attempts": len(attempts)}

    server = LiveServer(lenient)
    yield server, attempts
    server.stop()
    with lenient.app_context():
        db.engine.dispose()


def test_a_request_meeting_a_stale_snapshot_is_run_again_and_logged(lenient_server, user, sqlite_path, caplog):
    server, attempts = lenient_server
    caplog.set_level(logging.WARNING, logger="server.transactions")
    response = ApiClient(server.url).get(f"/_test/read-then-write/{user.user['id']}")
    assert response.status_code == 200, response.text
    assert response.json() == {"attempts": 2} and attempts == ["Europe/Berlin", "Europe/Paris"]
    messages = [record.getMessage() for record in caplog.records if record.name == "server.transactions"]
    assert any("write after a read in a deferred transaction" in m for m in messages)
    assert any("stale snapshot" in m and "attempt 2 of 3" in m for m in messages)
    assert user.get("/api/v1/me").json()["timezone"] == "Europe/Rome"


def test_503_still_means_locked_past_the_busy_timeout_and_reads_go_on(database_url, make_app, sqlite_path):
    server = make_app(sqlite_busy_ms=200)
    api = ApiClient(server.url)
    api.register()
    email = api.user["email"]
    holder = sqlite3.connect(sqlite_path, timeout=0, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        pulled = api.post("/api/v1/sync/pull", json={"client_id": api.client_id, "cookie": None, "limit": 10})
        assert pulled.status_code == 200, "a pull only reads: it does not wait for the write lock"
        assert api.get("/api/v1/me").status_code == 200
        refused = api.post("/api/v1/auth/tokens", json={"email": email, "password": api.password, "label": str(uuid.uuid4())})
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    made = api.post("/api/v1/auth/tokens", json={"email": email, "password": api.password, "label": "after"})
    assert made.status_code == 201


def test_on_postgresql_every_tool_is_a_no_op(app, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    with app.test_request_context("/api/v1/me", method="PATCH"):
        db.session.scalar(sa.select(sa.func.count()).select_from(User))
        begin_write()
        with slow_work("anything"):
            check_no_write_lock("Argon2")
            db.session.scalar(sa.select(sa.func.count()).select_from(User))  # same transaction, as before
        assert not g.get("twitchlog_lock_held")
        db.session.rollback()
        db.session.remove()
