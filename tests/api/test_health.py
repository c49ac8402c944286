"""GET /healthz (the process is up) and GET /readyz (database reachable, migrations current), §8."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.health.views import expected_heads
from tests.conftest import POSTGRES_URL, build_app, create_postgres_database, drop_postgres_database, make_settings


@pytest.fixture
def scratch_app(tmp_path):
    """make(migrate=...) -> an app on a database of its own, dropped afterwards."""
    made = []

    def make(migrate: bool, url: str | None = None):
        if url is None:
            url = create_postgres_database("twitchlog_ready") if POSTGRES_URL else f"sqlite:///{tmp_path / f'ready{len(made)}.sqlite3'}"
            made.append(url)
        app = build_app(make_settings(tmp_path, url), migrate=migrate)
        apps.append(app)
        return app

    apps: list = []
    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()
    for url in made:
        if POSTGRES_URL:
            drop_postgres_database(url)


def test_healthz_answers_while_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_is_200_when_the_schema_is_current(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and set(body["schema"]) == expected_heads()


def test_readyz_is_503_on_a_database_that_was_never_migrated(scratch_app):
    app = scratch_app(migrate=False)
    body = assert_envelope_503(app.test_client().get("/readyz"))
    assert "db upgrade" in body["message"]
    assert app.test_client().get("/healthz").status_code == 200, "the process itself is fine"


def test_readyz_is_503_when_the_schema_is_behind(scratch_app):
    app = scratch_app(migrate=True)
    assert app.test_client().get("/readyz").status_code == 200
    older = "0001" if expected_heads() != {"0001"} else None
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM alembic_version"))
        if older:
            db.session.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": older})
        db.session.commit()
    body = assert_envelope_503(app.test_client().get("/readyz"))
    assert "db upgrade" in body["message"]


def test_readyz_is_503_when_the_database_cannot_be_reached(scratch_app, tmp_path):
    if POSTGRES_URL:
        url = sa.make_url(POSTGRES_URL).set(port=1, database="nowhere").render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'no-such-directory' / 'db.sqlite3'}"
    app = scratch_app(migrate=False, url=url)
    body = assert_envelope_503(app.test_client().get("/readyz"))
    assert "cannot be reached" in body["message"]


def assert_envelope_503(response) -> dict:
    assert response.status_code == 503, response.text
    # assert_envelope is for client mistakes; a 503 must still be the envelope
    body = response.get_json()
    assert body == {"code": 503, "status": "Service Unavailable", "message": body["message"]} and body["message"]
    return body

