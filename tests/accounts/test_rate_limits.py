"""Rate limits (§4): failed logins per address and email, registrations per address; 429 with Retry-After."""
from __future__ import annotations

import uuid

import pytest

from tests.support.api import PASSWORD, ApiClient
from tests.support.bad_input import assert_envelope

REDIS_URL = "redis://127.0.0.1:6379/15"


def _email() -> str:
    return f"limited-{uuid.uuid4().hex[:12]}@example.org"


def _assert_limited(response, window_seconds: int) -> None:
    assert_envelope(response, 429)
    retry_after = response.headers.get("Retry-After")
    assert retry_after is not None and retry_after.isdigit(), f"Retry-After is whole seconds, got {retry_after!r}"
    assert 0 < int(retry_after) <= window_seconds


def _account(server, email: str) -> ApiClient:
    api = ApiClient(server.url)
    api.register(email=email)
    return api


def test_failed_logins_are_limited_per_address_and_email(make_app):
    server = make_app(login_limit="3/minute")
    email, other = _email(), _email()
    _account(server, email)
    browser = ApiClient(server.url)
    for _ in range(3):
        assert_envelope(browser.login(email, "wrong password!"), 401)
    _assert_limited(browser.login(email, PASSWORD), 60)  # even the right password waits now
    _assert_limited(browser.login(email.upper(), "wrong password!"), 60)  # the same email, however written
    assert_envelope(browser.login(other, "wrong password!"), 401)  # another email has its own count


def test_successful_logins_do_not_count(make_app):
    server = make_app(login_limit="3/minute")
    email = _email()
    _account(server, email)
    browser = ApiClient(server.url)
    for _ in range(4):
        assert browser.login(email, PASSWORD).status_code == 200
    for _ in range(3):
        assert_envelope(browser.login(email, "wrong password!"), 401)
    _assert_limited(browser.login(email, PASSWORD), 60)


def test_making_a_token_with_a_wrong_password_is_a_failed_login(make_app):
    server = make_app(login_limit="3/minute")
    email = _email()
    _account(server, email)
    script = ApiClient(server.url, origin=None)
    for _ in range(2):
        assert_envelope(script.post("/api/v1/auth/tokens", json={"email": email, "password": "guess guess", "label": "x"}), 401)
    assert_envelope(script.login(email, "wrong password!"), 401)
    _assert_limited(script.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD, "label": "x"}), 60)
    _assert_limited(script.login(email, PASSWORD), 60)


def test_registrations_are_limited_per_address(make_app):
    server = make_app(register_limit="2/minute")
    browser = ApiClient(server.url)
    body = {"password": PASSWORD, "timezone": "Europe/Berlin"}
    assert browser.post("/api/v1/auth/register", json={**body, "email": _email()}).status_code == 201
    assert browser.post("/api/v1/auth/register", json={**body, "email": _email()}).status_code == 201
    _assert_limited(browser.post("/api/v1/auth/register", json={**body, "email": _email()}), 60)


def test_two_apps_in_one_process_keep_their_own_counts(make_app, make_user):
    first = make_app(register_limit="2/minute")
    second = make_app(register_limit="2/minute")
    body = {"password": PASSWORD, "timezone": "Europe/Berlin"}
    for _ in range(2):
        assert ApiClient(first.url).post("/api/v1/auth/register", json={**body, "email": _email()}).status_code == 201
    _assert_limited(ApiClient(first.url).post("/api/v1/auth/register", json={**body, "email": _email()}), 60)
    for _ in range(2):
        assert ApiClient(second.url).post("/api/v1/auth/register", json={**body, "email": _email()}).status_code == 201
    make_user()  # and the session's own server is untouched


@pytest.fixture
def redis_url():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    finally:
        client.close()
    return REDIS_URL


def test_with_redis_two_app_processes_share_failed_logins(make_app, redis_url):
    first = make_app(login_limit="3/minute", redis_url=redis_url)
    second = make_app(login_limit="3/minute", redis_url=redis_url)
    email = _email()  # a fresh key: counts left in Redis by earlier runs cannot touch it
    _account(first, email)
    assert_envelope(ApiClient(first.url).login(email, "wrong password!"), 401)
    assert_envelope(ApiClient(second.url).login(email, "wrong password!"), 401)
    assert_envelope(ApiClient(first.url).login(email, "wrong password!"), 401)
    _assert_limited(ApiClient(second.url).login(email, PASSWORD), 60)
    _assert_limited(ApiClient(first.url).login(email, PASSWORD), 60)
    import redis

    with redis.Redis.from_url(redis_url) as client:
        assert client.keys(f"*{email}*"), "the counts are kept in Redis"
