"""Register, sign in, the session cookie, sign out, sign out everywhere, the list of sessions (§4)."""
from __future__ import annotations

import uuid

import pytest

from tests.support.api import PASSWORD, ApiClient
from tests.support.bad_input import assert_envelope

COOKIE = "twitchlog_session"


def _email() -> str:
    return f"Person-{uuid.uuid4().hex[:10]}@Example.org"


def cookie_attributes(response) -> dict[str, str]:
    """The attributes of the session cookie a response sets (names lower-cased)."""
    header = next(v for k, v in response.raw.headers.items() if k.lower() == "set-cookie" and v.startswith(COOKIE + "="))
    parts = [part.strip() for part in header.split(";")]
    attributes = {"value": parts[0].split("=", 1)[1]}
    for part in parts[1:]:
        name, _, value = part.partition("=")
        attributes[name.lower()] = value
    return attributes


def test_register_answers_201_with_the_user_and_a_strict_session_cookie(client):
    email = _email()
    response = client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "timezone": "Asia/Kolkata"})
    assert response.status_code == 201
    user = response.json()
    assert {"id", "email", "timezone", "created_at"} <= set(user)  # §4; later sections add display_name, day_starts_at, calm_mode
    assert uuid.UUID(user["id"]) and user["email"] == email.lower() and user["timezone"] == "Asia/Kolkata"
    assert user["created_at"].endswith("Z")
    cookie = cookie_attributes(response)
    assert "httponly" in cookie and cookie["samesite"].lower() == "lax" and cookie["path"] == "/"
    assert "secure" not in cookie, "plain local http cannot keep a Secure cookie"
    assert len(cookie["value"]) >= 40
    assert client.get("/api/v1/me").json() == user


def test_a_taken_email_is_409_however_it_is_written(client):
    email = _email()
    client.register(email=email)
    other = ApiClient(client.base_url)
    for spelling in (email, email.upper(), email.lower(), f"  {email}  "):
        response = other.post("/api/v1/auth/register", json={"email": spelling, "password": PASSWORD, "timezone": "UTC"})
        assert_envelope(response, 409)
    assert COOKIE not in other.http.cookies


@pytest.mark.parametrize("password, status", [("123456789", 400), ("1234567890", 201), ("ten chars!", 201), ("         .", 201)])
def test_a_password_has_at_least_10_characters(client, password, status):
    response = client.post("/api/v1/auth/register", json={"email": _email(), "password": password, "timezone": "UTC"})
    assert response.status_code == status, response.text
    if status == 400:
        assert "password" in assert_envelope(response, 400)["errors"]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "utc+2", "Europe/berlin", "", "localtime"])
def test_the_time_zone_must_be_an_iana_name(client, zone):
    response = client.post("/api/v1/auth/register", json={"email": _email(), "password": PASSWORD, "timezone": zone})
    assert "timezone" in assert_envelope(response, 400)["errors"]


def test_login_answers_200_with_the_user_and_the_cookie(user, client):
    response = client.login(user.user["email"].upper())
    assert response.status_code == 200
    assert response.json() == user.user
    cookie = cookie_attributes(response)
    assert "httponly" in cookie and cookie["samesite"].lower() == "lax" and "secure" not in cookie
    assert cookie["value"] != user.http.cookies[COOKIE], "every sign-in is a session of its own"


def test_a_wrong_password_and_an_unknown_email_get_the_same_401(user, client):
    wrong = client.login(user.user["email"], "not the password")
    unknown = client.login(_email(), "not the password")
    assert assert_envelope(wrong, 401)["message"] == assert_envelope(unknown, 401)["message"]
    assert COOKIE not in client.http.cookies


def test_the_cookie_is_secure_when_the_public_url_is_https(make_app):
    server = make_app(public_url="https://twitchlog.example")
    browser = ApiClient(server.url, origin="https://twitchlog.example")
    response = browser.post("/api/v1/auth/register", json={"email": _email(), "password": PASSWORD, "timezone": "UTC"})
    assert response.status_code == 201
    assert "secure" in cookie_attributes(response)


def test_the_cookie_is_secure_when_the_request_came_over_https(make_app):
    server = make_app(trusted_proxies=1)
    host = server.url.split("://", 1)[1]
    browser = ApiClient(server.url, origin=f"https://{host}")
    browser.http.headers["X-Forwarded-Proto"] = "https"
    response = browser.post("/api/v1/auth/register", json={"email": _email(), "password": PASSWORD, "timezone": "UTC"})
    assert response.status_code == 201, response.text
    assert "secure" in cookie_attributes(response)
    plain = ApiClient(server.url)
    response = plain.post("/api/v1/auth/register", json={"email": _email(), "password": PASSWORD, "timezone": "UTC"})
    assert "secure" not in cookie_attributes(response)


def test_logout_ends_this_session_and_clears_the_cookie(user):
    old_cookie = user.http.cookies[COOKIE]
    response = user.post("/api/v1/auth/logout")
    assert response.status_code == 204 and response.content == b""
    cleared = cookie_attributes(response)
    assert cleared["value"] in ("", '""') and (cleared.get("max-age") == "0" or "1970" in cleared.get("expires", ""))
    assert_envelope(user.get("/api/v1/me"), 401)
    replay = ApiClient(user.base_url)
    replay.http.cookies.set(COOKIE, old_cookie)
    assert_envelope(replay.get("/api/v1/me"), 401)
    assert user.post("/api/v1/auth/logout").status_code == 204, "signing out twice is no error"


def test_logout_all_ends_every_session_at_once(user):
    phone, laptop = ApiClient(user.base_url), ApiClient(user.base_url)
    assert phone.login(user.user["email"]).status_code == 200
    assert laptop.login(user.user["email"]).status_code == 200
    assert len(user.get("/api/v1/auth/sessions").json()) == 3
    assert phone.post("/api/v1/auth/logout-all").status_code == 204
    for browser in (user, phone, laptop):
        assert_envelope(browser.get("/api/v1/me"), 401)
        assert_envelope(browser.post("/api/v1/sync/pull", json={"client_id": browser.client_id}), 401)
    assert_envelope(phone.post("/api/v1/auth/logout-all"), 401)
    again = ApiClient(user.base_url)
    assert again.login(user.user["email"]).status_code == 200
    assert len(again.get("/api/v1/auth/sessions").json()) == 1


def test_sessions_are_listed_without_secrets_and_one_is_current(user):
    other = ApiClient(user.base_url)
    other.http.headers["User-Agent"] = "Firefox on a tablet"
    assert other.login(user.user["email"]).status_code == 200
    response = user.get("/api/v1/auth/sessions")
    assert response.status_code == 200
    sessions = response.json()
    assert len(sessions) == 2
    for session in sessions:
        assert set(session) == {"id", "created_at", "last_seen_at", "expires_at", "user_agent", "current"}
        assert session["expires_at"] > session["created_at"]
    assert [s["current"] for s in sessions].count(True) == 1
    assert any(s["user_agent"] == "Firefox on a tablet" and not s["current"] for s in sessions)
    for secret in (user.http.cookies[COOKIE], other.http.cookies[COOKIE]):
        assert secret not in response.text


def test_ending_one_session_signs_out_that_browser_only(user):
    other = ApiClient(user.base_url)
    assert other.login(user.user["email"]).status_code == 200
    theirs = next(s for s in user.get("/api/v1/auth/sessions").json() if not s["current"])
    assert user.delete(f"/api/v1/auth/sessions/{theirs['id']}").status_code == 204
    assert_envelope(other.get("/api/v1/me"), 401)
    assert user.get("/api/v1/me").status_code == 200
    assert_envelope(user.delete(f"/api/v1/auth/sessions/{theirs['id']}"), 404)
    mine = user.get("/api/v1/auth/sessions").json()[0]
    assert user.delete(f"/api/v1/auth/sessions/{mine['id']}").status_code == 204
    assert_envelope(user.get("/api/v1/me"), 401)


def test_without_a_session_the_account_endpoints_are_401(client):
    for method, path in [("GET", "/api/v1/me"), ("PATCH", "/api/v1/me"), ("DELETE", "/api/v1/me"), ("GET", "/api/v1/auth/sessions"),
                         ("POST", "/api/v1/auth/logout-all"), ("GET", "/api/v1/auth/tokens"),
                         ("DELETE", f"/api/v1/auth/sessions/{uuid.uuid4()}"), ("DELETE", f"/api/v1/auth/tokens/{uuid.uuid4()}")]:
        assert_envelope(client.request(method, path), 401)
