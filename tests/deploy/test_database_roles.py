"""deploy/postgres/roles.sql on a real PostgreSQL: the owner's role runs every migration, the app's
role then serves accounts, sync, push and sharing, and cannot change or drop a table."""
from __future__ import annotations

import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import POSTGRES_URL, build_app, make_settings
from tests.support.api import ApiClient, LiveServer

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="the roles are PostgreSQL's (set TWITCHLOG_TEST_DATABASE_URL)"),
    pytest.mark.skipif(not shutil.which("psql"), reason="psql runs deploy/postgres/roles.sql as an operator would"),
]


@pytest.fixture
def roles():
    """roles.sql with names of this run's own (roles are per cluster); the owner's and the app's URLs."""
    suffix = secrets.token_hex(3)
    owner, app, database = f"twitchlog_owner_{suffix}", f"twitchlog_app_{suffix}", f"twitchlog_{suffix}"
    script = (REPO / "deploy" / "postgres" / "roles.sql").read_text()
    script = script.replace("twitchlog_owner", owner).replace("twitchlog_app", app)
    script = script.replace("DATABASE twitchlog", f"DATABASE {database}").replace("\\connect twitchlog", f"\\connect {database}")
    admin = sa.make_url(POSTGRES_URL)
    passwords = {"owner": secrets.token_urlsafe(12), "app": secrets.token_urlsafe(12)}
    run = subprocess.run(
        ["psql", "-v", "ON_ERROR_STOP=1", "-h", admin.host or "127.0.0.1", "-p", str(admin.port or 5432), "-U", admin.username or "postgres",
         "-d", admin.database or "postgres", "-v", f"owner_password='{passwords['owner']}'", "-v", f"app_password='{passwords['app']}'"],
        input=script, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    url = sa.make_url(POSTGRES_URL).set(database=database)
    yield (url.set(username=owner, password=passwords["owner"]).render_as_string(hide_password=False),
           url.set(username=app, password=passwords["app"]).render_as_string(hide_password=False))
    engine = sa.create_engine(sa.make_url(POSTGRES_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{app}"')
        connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{owner}"')
    engine.dispose()


def test_the_owner_migrates_and_the_app_role_serves_but_cannot_change_tables(roles, tmp_path):
    from server.extensions import db

    owner_url, app_url = roles
    migrated = build_app(make_settings(tmp_path, owner_url))  # every migration, as the schema's owner
    with migrated.app_context():
        db.engine.dispose()
    server = LiveServer(build_app(make_settings(tmp_path, app_url), migrate=False))
    try:
        person = ApiClient(server.url)
        person.register()
        person.log_twitch(note="as the app's role")
        assert person.put("/api/v1/reminders", json={
            "evening": {"enabled": True, "time": "21:00"}, "quiet_hours": None,
            "pacing": {"enabled": False, "every_minutes": 90, "active_from": "09:00", "active_to": "21:00", "days": [0]}}).status_code == 200
        from tests.push.test_api import subscription

        assert person.put("/api/v1/push/subscriptions", json=subscription()).status_code == 201
        assert person.post("/api/v1/push/test").status_code == 202
        assert person.post("/api/v1/shares", json={"kind": "link", "scopes": ["summary"]}).status_code == 201
        assert len(person.get("/api/v1/export?format=json").json()["records"]["twitch"]) == 1
        assert person.delete("/api/v1/me", json={"password": person.password}).status_code == 204
    finally:
        server.stop()
        with server.app.app_context():
            db.engine.dispose()
    engine = sa.create_engine(app_url)
    try:
        for statement in ("DROP TABLE push_deliveries", "ALTER TABLE users ADD COLUMN x integer", "CREATE TABLE t (x integer)",
                          "TRUNCATE alembic_version"):
            with engine.connect() as connection, pytest.raises(sa.exc.ProgrammingError, match="permission denied|must be owner"):
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()
