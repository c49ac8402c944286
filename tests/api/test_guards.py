"""The guards every request passes (§4, §9): the origin check, JSON only, at most 1 MiB."""
from __future__ import annotations

import json

import pytest

from tests.support.api import PASSWORD, ApiClient
from tests.support.bad_input import MAX_BODY, assert_envelope

FOREIGN = "https://evil.example"


# --- cross-site requests ----------------------------------------------------------------------

@pytest.mark.parametrize("origin", [FOREIGN, "null", "http://127.0.0.1", "http://127.0.0.1:1", "https://127.0.0.1"])
def test_a_write_from_a_foreign_origin_is_refused(user, origin):
    response = user.patch("/api/v1/me", json={"timezone": "Asia/Tokyo"}, headers={"Origin": origin})
    assert_envelope(response, 403)
    assert user.get("/api/v1/me").json()["timezone"] == "Europe/Berlin"


def test_a_foreign_origin_cannot_sign_in_register_or_sign_out(user, client):
    assert_envelope(client.post("/api/v1/auth/login", json={"email": user.user["email"], "password": PASSWORD},
                                headers={"Origin": FOREIGN}), 403)
    assert "twitchlog_session" not in client.http.cookies
    assert_envelope(client.post("/api/v1/auth/register", json={"email": "x@example.org", "password": PASSWORD, "timezone": "UTC"},
                                headers={"Origin": FOREIGN}), 403)
    assert_envelope(user.post("/api/v1/auth/logout", headers={"Origin": FOREIGN}), 403)
    assert_envelope(user.post("/api/v1/auth/logout-all", headers={"Origin": FOREIGN}), 403)
    assert user.get("/api/v1/me").status_code == 200, "still signed in"


def test_a_cookie_write_must_show_it_is_same_origin(live_server, user):
    quiet = ApiClient(live_server.url, origin=None)
    quiet.http.cookies.update(user.http.cookies)
    twitch = {"client_id": quiet.client_id, "mutations": [quiet.mutation("twitch", "6f1c0000-0000-4000-8000-000000000001",
                                                                          {"occurred_at": "2026-11-25T19:42:10Z"})]}
    assert_envelope(quiet.post("/api/v1/sync/push", json=twitch), 403)
    assert_envelope(quiet.post("/api/v1/sync/push", json=twitch, headers={"Sec-Fetch-Site": "cross-site"}), 403)
    assert_envelope(quiet.post("/api/v1/sync/push", json=twitch, headers={"Sec-Fetch-Site": "same-site"}), 403)
    assert quiet.get("/api/v1/me").status_code == 200, "reads need no proof"
    assert user.pull_all()[0] == {}, "nothing was written"
    assert quiet.post("/api/v1/sync/push", json=twitch, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert len(user.pull_all()[0]) == 1


def test_a_write_without_origin_and_without_a_cookie_is_judged_on_its_own(live_server, user):
    script = ApiClient(live_server.url, origin=None)
    response = script.post("/api/v1/auth/login", json={"email": user.user["email"], "password": PASSWORD})
    assert response.status_code == 200, "no ambient credential, nothing to forge"


def test_bearer_requests_are_exempt_from_the_origin_check(live_server, user):
    token = user.post("/api/v1/auth/tokens", json={"email": user.user["email"], "password": PASSWORD, "label": "cli"}).json()["token"]
    script = ApiClient(live_server.url, origin=FOREIGN)
    script.http.headers["Authorization"] = f"Bearer {token}"
    assert script.patch("/api/v1/me", json={"timezone": "Asia/Tokyo"}).status_code == 200
    script.http.headers.pop("Origin")
    assert script.patch("/api/v1/me", json={"timezone": "Europe/Paris"}).status_code == 200
    assert user.get("/api/v1/me").json()["timezone"] == "Europe/Paris"


def test_a_bearer_header_does_not_carry_a_cookie_past_the_origin_check(live_server, user):
    """A page cannot add `Authorization: Bearer junk` to ride on the victim's cookie."""
    forged = ApiClient(live_server.url, origin=FOREIGN)
    forged.http.cookies.update(user.http.cookies)
    response = forged.patch("/api/v1/me", json={"timezone": "Asia/Tokyo"}, headers={"Authorization": "Bearer junk"})
    assert_envelope(response, 401)
    assert user.get("/api/v1/me").json()["timezone"] == "Europe/Berlin"


def test_the_public_url_is_the_only_origin_when_set(make_app):
    server = make_app(public_url="https://twitchlog.example")
    at_home = ApiClient(server.url, origin="https://twitchlog.example")
    at_home.register()
    # the cookie is Secure now, and this test speaks plain http to the app behind the proxy
    at_home.http.headers["Cookie"] = "twitchlog_session=" + at_home.http.cookies["twitchlog_session"]
    assert at_home.patch("/api/v1/me", json={"timezone": "Asia/Tokyo"}).status_code == 200
    by_address = ApiClient(server.url)  # the request's own scheme and host are no longer enough
    by_address.http.headers["Cookie"] = at_home.http.headers["Cookie"]
    assert_envelope(by_address.patch("/api/v1/me", json={"timezone": "UTC"}), 403)
    assert at_home.get("/api/v1/me").json()["timezone"] == "Asia/Tokyo"


# --- JSON only, at most 1 MiB ------------------------------------------------------------------

@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                          "application/jsonp", "text/json", None])
def test_a_body_that_is_not_declared_json_gets_415(user, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = user.post("/api/v1/sync/pull", data=json.dumps({"client_id": user.client_id}).encode(), headers=headers)
    assert_envelope(response, 415)


def test_json_with_a_charset_parameter_is_json(user):
    response = user.post("/api/v1/sync/pull", data=json.dumps({"client_id": user.client_id}).encode(),
                         headers={"Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 200


def test_a_body_of_exactly_1_mib_is_read_and_one_byte_more_is_413(user):
    def padded(size):
        head = json.dumps({"client_id": user.client_id, "limit": 5}).encode()
        return head[:-1] + b" " * (size - len(head)) + b"}"

    exact = user.post("/api/v1/sync/pull", data=padded(MAX_BODY), headers={"Content-Type": "application/json"})
    assert exact.status_code == 200, exact.text
    assert_envelope(user.post("/api/v1/sync/pull", data=padded(MAX_BODY + 1), headers={"Content-Type": "application/json"}), 413)


def test_a_chunked_body_over_1_mib_is_413_too(user):
    def chunks():
        yield b'{"client_id": "%s", "cookie": "' % user.client_id.encode()
        for _ in range(17):
            yield b"x" * 65536
        yield b'"}'

    assert_envelope(user.post("/api/v1/sync/pull", data=chunks(), headers={"Content-Type": "application/json"}), 413)

    def small():
        yield json.dumps({"client_id": user.client_id}).encode()

    assert user.post("/api/v1/sync/pull", data=small(), headers={"Content-Type": "application/json"}).status_code == 200


def test_a_1_mib_push_writes_nothing(user):
    big = [user.mutation("twitch", f"6f1c0000-0000-4000-8000-{i:012d}", {"occurred_at": "2026-11-25T19:42:10Z", "note": "n" * 500})
           for i in range(1, 1001)]
    body = json.dumps({"client_id": user.client_id, "mutations": big, "padding": "p" * MAX_BODY}).encode()
    assert_envelope(user.post("/api/v1/sync/push", data=body, headers={"Content-Type": "application/json"}), 413)
    assert user.pull_all()[0] == {}
