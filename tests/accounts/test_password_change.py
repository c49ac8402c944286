"""Password change and logout-all with tokens (§12)."""
from __future__ import annotations

from tests.support.api import PASSWORD, ApiClient
from tests.support.bad_input import assert_envelope

NEW_PASSWORD = "a fresh password 77"


def _token(api: ApiClient) -> str:
    made = api.post("/api/v1/auth/tokens", json={"email": api.user["email"], "password": PASSWORD, "label": "script"})
    assert made.status_code == 201, made.text
    return made.json()["token"]


def _bearer(api: ApiClient, token: str):
    return ApiClient(api.base_url, origin=None).get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_changing_the_password_ends_every_other_session_and_every_token(user, live_server):
    other = ApiClient(live_server.url)
    assert other.login(user.user["email"]).status_code == 200
    token = _token(user)
    response = user.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 204, response.text
    assert user.get("/api/v1/me").status_code == 200, "this session stays"
    assert [s["current"] for s in user.get("/api/v1/auth/sessions").json()] == [True]
    assert_envelope(other.get("/api/v1/me"), 401)
    assert_envelope(_bearer(user, token), 401)
    assert user.get("/api/v1/auth/tokens").json() == []
    assert_envelope(ApiClient(live_server.url).login(user.user["email"], PASSWORD), 401)
    assert ApiClient(live_server.url).login(user.user["email"], NEW_PASSWORD).status_code == 200


def test_a_wrong_current_password_is_403_and_changes_nothing(user, live_server):
    token = _token(user)
    response = user.post("/api/v1/auth/password", json={"current_password": "not my password", "new_password": NEW_PASSWORD})
    assert_envelope(response, 403)
    assert _bearer(user, token).status_code == 200
    assert ApiClient(live_server.url).login(user.user["email"], PASSWORD).status_code == 200


def test_a_wrong_current_password_counts_as_a_failed_login(make_app):
    server = make_app(login_limit="3/minute")
    api = ApiClient(server.url)
    api.register()
    for _ in range(3):
        assert_envelope(api.post("/api/v1/auth/password", json={"current_password": "guess guess", "new_password": NEW_PASSWORD}), 403)
    limited = api.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert_envelope(limited, 429)
    assert limited.headers["Retry-After"].isdigit()
    assert_envelope(ApiClient(server.url).login(api.user["email"], PASSWORD), 429)


def test_the_new_password_needs_ten_characters(user):
    body = assert_envelope(user.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "short"}), 400)
    assert "new_password" in body["errors"]


def test_changing_needs_a_signed_in_caller(client):
    assert_envelope(client.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}), 401)


def test_logout_all_with_tokens_also_revokes_bearer_tokens(user):
    token = _token(user)
    assert user.post("/api/v1/auth/logout-all", json={"tokens": True}).status_code == 204
    assert_envelope(user.get("/api/v1/me"), 401)
    assert_envelope(_bearer(user, token), 401)


def test_logout_all_without_tokens_keeps_them(make_user):
    for body in ({}, None):
        api = make_user()
        token = _token(api)
        response = api.post("/api/v1/auth/logout-all", json=body) if body is not None else api.post("/api/v1/auth/logout-all")
        assert response.status_code == 204, response.text
        assert_envelope(api.get("/api/v1/me"), 401)
        assert _bearer(api, token).status_code == 200, f"tokens stay with body {body!r}"
