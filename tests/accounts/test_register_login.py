"""Accounts: register, sign in and out, me."""
from __future__ import annotations


def test_register_signs_in_and_me_answers(client):
    user = client.register(timezone="America/New_York")
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json() == user
    assert {"id", "email", "timezone", "created_at"} <= set(user)  # §4; later sections add display_name, day_starts_at, calm_mode
    assert user["timezone"] == "America/New_York"


def test_logout_ends_the_session(user):
    assert user.post("/api/v1/auth/logout").status_code == 204
    assert user.get("/api/v1/me").status_code == 401
