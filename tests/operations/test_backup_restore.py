"""Backups that are known to restore (§15): a populated install is backed up, restored into an
empty database, and every record, push subscription and share is found there, through the API."""
from __future__ import annotations

import sqlite3
import subprocess
import uuid

import pytest
import requests
import sqlalchemy as sa

from server.extensions import db
from tests.conftest import POSTGRES_URL, build_app, create_postgres_database, drop_postgres_database, make_settings
from tests.operations.conftest import BIN, process_env
from tests.support.api import ApiClient, LiveServer
from tests.support.push_service import PushService

pytestmark = [pytest.mark.slow]


def populate(url: str) -> dict:
    """A person with records of every kind, a push subscription and a clinician link."""
    person = ApiClient(url)
    email = f"kept-{uuid.uuid4().hex[:8]}@example.org"
    person.register(email=email)
    ids = {"twitch": person.log_twitch("2026-11-20T08:00:00Z", body_region="calf", side="left", note="before the backup")}
    for entity, fields in (("symptom", {"observed_at": "2026-11-21T09:00:00Z", "kind": "cramp"}),
                           ("activity", {"started_at": "2026-11-21T10:00:00Z", "level": "rest"}),
                           ("intake", {"taken_at": "2026-11-21T11:00:00Z", "kind": "magnesium", "amount": 200, "unit": "mg"})):
        ids[entity] = str(uuid.uuid4())
        person.push([person.mutation(entity, ids[entity], fields)])
    with PushService() as service:
        key = person.get("/api/v1/push/key").json()["public_key"]
        device = service.subscribe(application_server_key=key)
        assert person.put("/api/v1/push/subscriptions", json=device.to_json()).status_code == 201
    share = person.post("/api/v1/shares", json={"kind": "link", "scopes": ["summary", "events"], "expires_in_days": 30, "label": "Dr R"})
    assert share.status_code == 201, share.text
    return {"email": email, "ids": ids, "endpoint": device.endpoint, "share": share.json()}


def check_everything_is_there(url: str, kept: dict) -> None:
    person = ApiClient(url)
    assert person.login(kept["email"]).status_code == 200
    records = person.get("/api/v1/export?format=json").json()["records"]
    for entity, record_id in kept["ids"].items():
        assert record_id in {r["record_id"] for r in records[entity]}, (entity, records.keys())
    shares = person.get("/api/v1/shares").json()
    assert [s["id"] for s in shares] == [kept["share"]["id"]]
    assert requests.get(f"{url}{kept['share']['url']}", timeout=10).status_code == 200  # the clinician's link still opens
    # the browser's subscription is still there: saving it again is "known" (200), not new (201)
    again = person.put("/api/v1/push/subscriptions", json={"endpoint": kept["endpoint"], "keys": kept["keys"]})
    assert again.status_code == 200, again.text


def serve(database_url: str, instance) -> LiveServer:
    return LiveServer(build_app(make_settings(instance, database_url), migrate=False))


def stop(server: LiveServer) -> None:
    server.stop()
    with server.app.app_context():
        db.engine.dispose()


def subscription_keys(url: str, endpoint: str) -> dict:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(sa.text("SELECT p256dh, auth FROM push_subscriptions WHERE endpoint = :e"), {"e": endpoint}).one()
    finally:
        engine.dispose()  # no pooled connection left for the garbage collector (a ResourceWarning fails the run)
    return {"p256dh": row.p256dh, "auth": row.auth}


@pytest.mark.skipif(bool(POSTGRES_URL), reason="twitchlog backup/restore are for the embedded SQLite default")
def test_sqlite_backup_restores_into_an_empty_install(tmp_path):
    source_url = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    source = LiveServer(build_app(make_settings(tmp_path / "instance", source_url)))
    try:
        kept = populate(source.url)
        env = process_env(source_url, tmp_path / "instance")
        backup = tmp_path / "backup.sqlite3"
        made = subprocess.run([str(BIN / "twitchlog"), "backup", str(backup)], env=env, capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
    finally:
        stop(source)
    kept["keys"] = subscription_keys(source_url, kept["endpoint"])

    target_url = f"sqlite:///{tmp_path / 'restored' / 'twitchlog.sqlite3'}"
    env = process_env(target_url, tmp_path / "instance")
    restored = subprocess.run([str(BIN / "twitchlog"), "restore", str(backup)], env=env, capture_output=True, text=True, timeout=120)
    assert restored.returncode == 0, restored.stderr + restored.stdout
    assert "1 accounts" in restored.stdout

    server = serve(target_url, tmp_path / "instance")
    try:
        check_everything_is_there(server.url, kept)
    finally:
        stop(server)

    # a second restore over data it would replace needs --force, and keeps the replaced copy aside
    again = subprocess.run([str(BIN / "twitchlog"), "restore", str(backup)], env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode != 0 and "--force" in again.stderr
    forced = subprocess.run([str(BIN / "twitchlog"), "restore", "--force", str(backup)], env=env, capture_output=True, text=True, timeout=120)
    assert forced.returncode == 0, forced.stderr
    assert list((tmp_path / "restored").glob("twitchlog.sqlite3.before-restore-*"))


@pytest.mark.skipif(bool(POSTGRES_URL), reason="twitchlog restore is for the embedded SQLite default")
@pytest.mark.parametrize("content, message", [(b"not a database at all" * 100, "not a SQLite database"), (None, "not a Twitchlog backup")])
def test_restore_refuses_what_is_not_a_twitchlog_backup(tmp_path, content, message):
    bad = tmp_path / "bad.sqlite3"
    if content is None:
        with sqlite3.connect(bad) as connection:
            connection.execute("CREATE TABLE notes (x)")
        connection.close()
    else:
        bad.write_bytes(content)
    target = tmp_path / "target.sqlite3"
    env = process_env(f"sqlite:///{target}", tmp_path / "instance")
    result = subprocess.run([str(BIN / "twitchlog"), "restore", str(bad)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and message in result.stderr
    assert not target.exists()


@pytest.mark.skipif(not POSTGRES_URL, reason="the PostgreSQL restore runs in the PostgreSQL run (make test-postgres)")
def test_postgresql_dump_restores_into_an_empty_database(tmp_path):
    """The README's procedure: pg_dump -Fc, then pg_restore into an empty database."""
    source_url = create_postgres_database("twitchlog_backup_src")
    target_url = create_postgres_database("twitchlog_backup_dst")
    try:
        source = LiveServer(build_app(make_settings(tmp_path / "instance", source_url)))
        try:
            kept = populate(source.url)
        finally:
            stop(source)
        kept["keys"] = subscription_keys(source_url, kept["endpoint"])
        libpq = lambda url: sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)  # noqa: E731
        dump = tmp_path / "twitchlog.dump"
        subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), libpq(source_url)], check=True, timeout=120)
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", libpq(target_url), str(dump)], check=True, timeout=120)
        server = serve(target_url, tmp_path / "instance")
        try:
            ready = requests.get(f"{server.url}/readyz", timeout=10)
            assert ready.status_code == 200, ready.text  # the schema's revision came along
            check_everything_is_there(server.url, kept)
        finally:
            stop(server)
    finally:
        drop_postgres_database(source_url)
        drop_postgres_database(target_url)
