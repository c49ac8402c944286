"""Bearer tokens for scripts (§4): made with the password, shown once, listed without secrets, revocable."""
from __future__ import annotations

from tests.support.api import PASSWORD, ApiClient
from tests.support.bad_input import assert_envelope


def _make_token(api: ApiClient, label: str = "my script") -> dict:
    response = ApiClient(api.base_url, origin=None).post(
        "/api/v1/auth/tokens", json={"email": api.user["email"], "password": PASSWORD, "label": label})
    assert response.status_code == 201, response.text
    return response.json()


def _script(api: ApiClient, token: str) -> ApiClient:
    script = ApiClient(api.base_url, origin=None)
    script.http.headers["Authorization"] = f"Bearer {token}"
    return script


def test_a_token_is_made_with_email_and_password_and_shown_once(user):
    made = _make_token(user, "backup job")
    assert set(made) == {"id", "token", "label", "created_at"}
    assert made["label"] == "backup job" and made["created_at"].endswith("Z") and len(made["token"]) >= 40
    listed = user.get("/api/v1/auth/tokens")
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()] == [made["id"]]
    assert set(listed.json()[0]) == {"id", "label", "created_at", "last_used_at"}
    assert made["token"] not in listed.text
    assert "token" not in listed.json()[0]


def test_a_wrong_password_makes_no_token(user, client):
    response = client.post("/api/v1/auth/tokens", json={"email": user.user["email"], "password": "not the password", "label": "x"})
    assert_envelope(response, 401)
    assert user.get("/api/v1/auth/tokens").json() == []


def test_a_token_works_for_reads_and_writes_without_a_cookie_or_origin(user):
    token = _make_token(user)["token"]
    script = _script(user, token)
    assert script.get("/api/v1/me").json() == user.user
    record_id = script.log_twitch("2026-11-25T06:00:00Z", intensity=2)
    records, _ = user.pull_all()
    assert records[("twitch", record_id)]["fields"]["intensity"] == 2
    assert "twitchlog_session" not in script.http.cookies
    assert user.get("/api/v1/auth/tokens").json()[0]["last_used_at"] is not None


def test_a_revoked_token_stops_working_at_once(user):
    made = _make_token(user)
    kept = _make_token(user, "kept")
    script = _script(user, made["token"])
    assert script.get("/api/v1/me").status_code == 200
    assert user.delete(f"/api/v1/auth/tokens/{made['id']}").status_code == 204
    assert_envelope(script.get("/api/v1/me"), 401)
    assert_envelope(script.post("/api/v1/sync/pull", json={"client_id": script.client_id}), 401)
    assert [t["id"] for t in user.get("/api/v1/auth/tokens").json()] == [kept["id"]]
    assert _script(user, kept["token"]).get("/api/v1/me").status_code == 200
    assert_envelope(user.delete(f"/api/v1/auth/tokens/{made['id']}"), 404)


def test_a_token_can_revoke_itself(user):
    made = _make_token(user)
    script = _script(user, made["token"])
    assert script.delete(f"/api/v1/auth/tokens/{made['id']}").status_code == 204
    assert_envelope(script.get("/api/v1/me"), 401)


def test_a_bad_bearer_token_is_401_even_with_a_good_cookie(user):
    """The Authorization header decides who calls: a bad one never falls back to the cookie."""
    assert_envelope(user.get("/api/v1/me", headers={"Authorization": "Bearer tl_nothing"}), 401)
    assert user.get("/api/v1/me").status_code == 200
