"""A session in use keeps living, on the server and in the browser alike."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from server.accounts.models import LoginSession
from server.extensions import db
from server.instants import utcnow


def test_a_used_session_renews_its_row_and_its_cookie(user, live_server):
    with live_server.app.app_context():
        db.session.execute(sa.update(LoginSession).where(LoginSession.user_id == user.user["id"])
                           .values(last_seen_at=utcnow() - timedelta(hours=2), expires_at=utcnow() + timedelta(days=1)))
        db.session.commit()
    response = user.get("/api/v1/me")
    assert response.status_code == 200
    cookie = response.headers.get("Set-Cookie", "")
    assert "twitchlog_session=" in cookie and "Max-Age=2592000" in cookie and "HttpOnly" in cookie
    with live_server.app.app_context():
        expires = db.session.scalar(sa.select(LoginSession.expires_at).where(LoginSession.user_id == user.user["id"]))
    assert expires > utcnow() + timedelta(days=29)
    assert "Set-Cookie" not in user.get("/api/v1/me").headers  # touched once an hour, not on every request
