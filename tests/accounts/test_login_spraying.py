"""Spraying limits (§12): failed logins per address across emails and per account across addresses,
IPv6 by /64, DELETE /me under the same limits, a bound on Argon2 at once, and Redis down = closed."""
from __future__ import annotations

import socket
import threading
import uuid

from server.accounts.throttle import client_group
from tests.support.api import PASSWORD, ApiClient
from tests.support.bad_input import assert_envelope

WRONG = "wrong password!"


def _assert_unavailable(response) -> None:
    """503 in the one envelope, with Retry-After in whole seconds (assert_envelope is for 4xx only)."""
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["code"] == 503 and body["status"] == "Service Unavailable" and body["message"]
    assert response.headers["Retry-After"].isdigit()


def _email() -> str:
    return f"spray-{uuid.uuid4().hex[:12]}@example.org"


def _from(server, address: str) -> ApiClient:
    api = ApiClient(server.url)
    api.http.headers["X-Forwarded-For"] = address
    return api


def test_one_address_spraying_many_emails_is_limited(make_app):
    server = make_app(login_address_limit="4/minute", trusted_proxies=1)
    victim = _email()
    _from(server, "203.0.113.50").register(email=victim)
    sprayer = _from(server, "203.0.113.9")
    for _ in range(4):
        assert_envelope(sprayer.login(_email(), WRONG), 401)
    limited = sprayer.login(victim, PASSWORD)
    assert_envelope(limited, 429)
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert _from(server, "203.0.113.10").login(victim, PASSWORD).status_code == 200, "another address is not held back"


def test_one_account_tried_from_many_addresses_is_limited(make_app):
    server = make_app(login_account_limit="3/minute", trusted_proxies=1)
    victim = _email()
    _from(server, "203.0.113.50").register(email=victim)
    for i in range(3):
        assert_envelope(_from(server, f"198.51.100.{i + 1}").login(victim, WRONG), 401)
    assert_envelope(_from(server, "198.51.100.99").login(victim, PASSWORD), 429)
    assert_envelope(_from(server, "198.51.100.99").login(victim.upper(), PASSWORD), 429)
    other = _email()
    _from(server, "203.0.113.51").register(email=other)
    assert _from(server, "198.51.100.99").login(other, PASSWORD).status_code == 200, "other accounts are not held back"


def test_ipv6_addresses_count_by_their_64(make_app):
    server = make_app(login_address_limit="3/minute", trusted_proxies=1)
    for host in ("2001:db8:1:2::1", "2001:db8:1:2::ffff", "2001:db8:1:2:aaaa:bbbb:cccc:dddd"):
        assert_envelope(_from(server, host).login(_email(), WRONG), 401)
    assert_envelope(_from(server, "2001:db8:1:2::42").login(_email(), WRONG), 429)
    assert_envelope(_from(server, "2001:db8:1:3::1").login(_email(), WRONG), 401)  # the next /64 is someone else


def test_client_group():
    assert client_group("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert client_group("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_group("192.0.2.1") == "192.0.2.1"
    assert client_group("fe80::1%eth0") == "fe80::/64"


def test_deleting_the_account_with_a_wrong_password_counts_as_a_failed_login(make_app):
    server = make_app(login_limit="2/minute")
    api = ApiClient(server.url)
    api.register()
    for _ in range(2):
        assert_envelope(api.delete("/api/v1/me", json={"password": WRONG}), 403)
    assert_envelope(api.delete("/api/v1/me", json={"password": PASSWORD}), 429)
    assert api.get("/api/v1/me").status_code == 200, "still there"
    assert_envelope(ApiClient(server.url).login(api.user["email"], PASSWORD), 429)


def test_hashing_at_once_is_bounded_and_the_excess_gets_503_with_retry_after(make_app):
    server = make_app(hash_concurrency=1, hash_wait_ms=200)
    api = ApiClient(server.url)
    api.register()
    slots = server.app.extensions["argon2_slots"]
    assert slots.acquire(timeout=5)  # another request is hashing right now
    try:
        busy = ApiClient(server.url).login(api.user["email"], PASSWORD)
    finally:
        slots.release()
    _assert_unavailable(busy)
    assert ApiClient(server.url).login(api.user["email"], PASSWORD).status_code == 200


def test_a_request_waits_briefly_for_a_hashing_slot(make_app):
    server = make_app(hash_concurrency=1, hash_wait_ms=5000)
    api = ApiClient(server.url)
    api.register()
    slots = server.app.extensions["argon2_slots"]
    assert slots.acquire(timeout=5)
    release = threading.Timer(0.3, slots.release)
    release.start()
    try:
        assert ApiClient(server.url).login(api.user["email"], PASSWORD).status_code == 200
    finally:
        release.join()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when this returns: nothing listens there


def test_with_redis_down_password_paths_fail_closed(make_app):
    server = make_app(redis_url=f"redis://127.0.0.1:{_closed_port()}/0")
    api = ApiClient(server.url)
    api.register()  # registering is not a password check (its limit stays open)
    refused = ApiClient(server.url).login(api.user["email"], PASSWORD)
    _assert_unavailable(refused)
    _assert_unavailable(ApiClient(server.url).post("/api/v1/auth/password-reset", json={"email": api.user["email"]}))
    assert api.get("/api/v1/me").status_code == 200, "a signed-in person keeps working"
