"""Production session cookie (§12): always Secure, with the __Host- prefix (path=/, no Domain);
local http keeps the plain name, so the laptop install and the tests keep working."""
from __future__ import annotations

from tests.support.api import PASSWORD, ApiClient


def _set_cookie(response) -> str:
    return response.headers.get("Set-Cookie", "")


def test_production_uses_a_secure_host_prefixed_cookie(make_app):
    server = make_app(env="production", allow_local_push=False)
    api = ApiClient(server.url)
    email = f"host-cookie-{id(api)}@example.org"
    made = api.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "timezone": "Europe/Berlin"})
    assert made.status_code == 201, made.text
    header = _set_cookie(made)
    assert header.startswith("__Host-twitchlog_session="), header
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}
    assert {"secure", "httponly", "path"} <= attributes and "domain" not in attributes
    assert "Path=/" in header and "SameSite=Lax" in header
    secret = header.split(";")[0].split("=", 1)[1]
    # the browser sends it back over https only; this test speaks http, so it carries it by hand
    me = ApiClient(server.url).get("/api/v1/me", headers={"Cookie": f"__Host-twitchlog_session={secret}"})
    assert me.status_code == 200 and me.json()["email"] == email
    plain = ApiClient(server.url).get("/api/v1/me", headers={"Cookie": f"twitchlog_session={secret}"})
    assert plain.status_code == 401, "production reads only the prefixed name"
    out = ApiClient(server.url).post("/api/v1/auth/logout", json={},
                                     headers={"Cookie": f"__Host-twitchlog_session={secret}"})
    assert out.status_code == 204
    assert _set_cookie(out).startswith("__Host-twitchlog_session=") and "Secure" in _set_cookie(out)


def test_local_http_keeps_the_plain_name(user):
    assert "twitchlog_session" in user.http.cookies
    assert user.get("/api/v1/me").status_code == 200
