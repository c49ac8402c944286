"""Secrets are kept only as hashes (§4): Argon2id for passwords, SHA-256 for sessions and tokens; never logged."""
from __future__ import annotations

import hashlib
import logging
import uuid

import sqlalchemy as sa

from server.accounts.models import ApiToken, LoginSession, User
from server.extensions import db
from tests.accounts.scan import rows_holding
from tests.support.api import ApiClient


def _row(app, model, *where):
    with app.app_context():
        row = db.session.scalars(sa.select(model).where(*where)).one()
        db.session.expunge(row)
        db.session.rollback()
        return row


def test_the_password_is_an_argon2id_hash_and_nowhere_in_the_clear(live_server, client):
    password = f"only-here-{uuid.uuid4().hex}"
    user = client.register(password=password)
    stored = _row(live_server.app, User, User.id == user["id"]).password_hash
    assert stored.startswith("$argon2id$")
    assert password not in stored
    assert rows_holding(live_server.app, password) == {}


def test_sessions_and_tokens_are_stored_as_sha256_of_their_secrets_only(live_server, user):
    cookie = user.http.cookies["twitchlog_session"]
    token = user.post("/api/v1/auth/tokens", json={"email": user.user["email"], "password": user.password, "label": "x"}).json()
    sha = lambda secret: hashlib.sha256(secret.encode()).hexdigest()  # noqa: E731
    assert _row(live_server.app, LoginSession, LoginSession.user_id == user.user["id"]).token_hash == sha(cookie)
    assert _row(live_server.app, ApiToken, ApiToken.id == token["id"]).token_hash == sha(token["token"])
    assert rows_holding(live_server.app, sha(cookie)) == {"login_sessions": 1}, "the scan finds what is there"
    assert rows_holding(live_server.app, cookie) == {}
    assert rows_holding(live_server.app, token["token"]) == {}
    assert rows_holding(live_server.app, token["token"][3:]) == {}, "not even without its prefix"


def test_secrets_never_reach_the_logs(live_server, caplog):
    caplog.set_level(logging.DEBUG)
    password = f"log-canary-{uuid.uuid4().hex}"
    browser = ApiClient(live_server.url)
    email = browser.register(password=password)["email"]
    assert browser.login(email, password + "x").status_code == 401
    assert browser.login(email, password).status_code == 200
    made = browser.post("/api/v1/auth/tokens", json={"email": email, "password": password, "label": "x"}).json()
    script = ApiClient(live_server.url, origin=None)
    script.http.headers["Authorization"] = f"Bearer {made['token']}"
    assert script.get("/api/v1/me").status_code == 200
    assert script.get("/api/v1/me", headers={"Authorization": f"Bearer {made['token']}x"}).status_code == 401
    assert browser.delete("/api/v1/me", json={"password": password + "x"}).status_code == 403
    cookie = browser.http.cookies["twitchlog_session"]
    assert browser.post("/api/v1/auth/logout").status_code == 204

    logged = caplog.text + "\n".join(
        f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records)
    assert "POST /api/v1/auth/login" in logged, "the logs of the server thread were captured"
    for secret in (password, made["token"], cookie):
        assert secret not in logged
