"""Passkeys (§12): register while signed in, sign in with no email, list, remove; challenges single
use and short-lived; the signature counter must grow. A software authenticator makes real keys and
signatures (tests/support/authenticator.py); the browser test is tests/e2e/test_account_security.py."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from server.accounts.models import Passkey, WebAuthnChallenge
from server.extensions import db
from server.instants import utcnow
from tests.support.api import ApiClient
from tests.support.authenticator import UP, SoftAuthenticator
from tests.support.bad_input import assert_envelope

OPTIONS = "/api/v1/auth/passkeys/register/options"


def register_passkey(api: ApiClient, authenticator: SoftAuthenticator, label: str = "My phone") -> dict:
    options = api.post(OPTIONS).json()
    response = api.post("/api/v1/auth/passkeys/register", json={"credential": authenticator.create(options, api.base_url), "label": label})
    assert response.status_code == 201, response.text
    return response.json()


def passkey_login(server_url: str, authenticator: SoftAuthenticator, **kwargs):
    browser = ApiClient(server_url)
    options = browser.post("/api/v1/auth/passkeys/login/options")
    assert options.status_code == 200, options.text
    response = browser.post("/api/v1/auth/passkeys/login", json={"credential": authenticator.get(options.json(), server_url, **kwargs)})
    return browser, response


def test_register_then_sign_in_with_no_email(user, live_server):
    options = user.post(OPTIONS)
    assert options.status_code == 200, options.text
    body = options.json()
    assert body["rp"]["id"] == "127.0.0.1", "the request's host when no public URL is set"
    assert body["authenticatorSelection"]["residentKey"] == "required"
    assert body["authenticatorSelection"]["userVerification"] == "required"
    authenticator = SoftAuthenticator()
    made = user.post("/api/v1/auth/passkeys/register", json={"credential": authenticator.create(body, user.base_url), "label": "Phone"})
    assert made.status_code == 201, made.text
    assert set(made.json()) == {"id", "label", "created_at"} and made.json()["label"] == "Phone"
    assert [p["id"] for p in user.get("/api/v1/auth/passkeys").json()] == [made.json()["id"]]

    login_options = ApiClient(live_server.url).post("/api/v1/auth/passkeys/login/options").json()
    assert login_options["rpId"] == "127.0.0.1"
    assert not login_options.get("allowCredentials"), "discoverable: the passkey names the account, no email asked"
    browser, response = passkey_login(live_server.url, authenticator)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == user.user["id"]
    assert browser.get("/api/v1/me").json()["email"] == user.user["email"], "a session, as a password login gives"
    assert len(user.get("/api/v1/auth/sessions").json()) == 2


def test_register_needs_a_signed_in_caller(client):
    assert_envelope(client.post(OPTIONS), 401)
    assert_envelope(client.post("/api/v1/auth/passkeys/register", json={"credential": {}, "label": "x"}), 401)
    assert_envelope(client.get("/api/v1/auth/passkeys"), 401)


def test_a_challenge_works_once(user, live_server):
    authenticator = SoftAuthenticator()
    options = user.post(OPTIONS).json()
    credential = authenticator.create(options, user.base_url)
    assert user.post("/api/v1/auth/passkeys/register", json={"credential": credential, "label": "a"}).status_code == 201
    again = authenticator.create(options, user.base_url)  # a second key over the same challenge
    assert_envelope(user.post("/api/v1/auth/passkeys/register", json={"credential": again, "label": "b"}), 400)

    login_options = ApiClient(live_server.url).post("/api/v1/auth/passkeys/login/options").json()
    first = authenticator.get(login_options, live_server.url)
    assert ApiClient(live_server.url).post("/api/v1/auth/passkeys/login", json={"credential": first}).status_code == 200
    replay = authenticator.get(login_options, live_server.url)  # a fresh signature, counter higher, same challenge
    assert_envelope(ApiClient(live_server.url).post("/api/v1/auth/passkeys/login", json={"credential": replay}), 400)


def test_a_challenge_expires_after_five_minutes(user, live_server):
    authenticator = SoftAuthenticator()
    register_passkey(user, authenticator)
    options = ApiClient(live_server.url).post("/api/v1/auth/passkeys/login/options").json()
    with live_server.app.app_context():
        rows = db.session.execute(sa.select(WebAuthnChallenge.expires_at).where(WebAuthnChallenge.purpose == "login")).scalars().all()
        assert rows and all(timedelta(minutes=4) < at - utcnow() <= timedelta(minutes=5) for at in rows)
        db.session.execute(sa.update(WebAuthnChallenge).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    response = ApiClient(live_server.url).post("/api/v1/auth/passkeys/login", json={"credential": authenticator.get(options, live_server.url)})
    assert_envelope(response, 400)


def test_challenges_are_stored_only_as_hashes(user, live_server):
    options = user.post(OPTIONS).json()
    with live_server.app.app_context():
        stored = db.session.execute(sa.select(WebAuthnChallenge.challenge_hash)).scalars().all()
    assert options["challenge"] not in stored
    assert all(len(h) == 64 for h in stored)


def test_a_signature_counter_that_does_not_grow_is_refused(user, live_server):
    authenticator = SoftAuthenticator()
    register_passkey(user, authenticator)
    _, response = passkey_login(live_server.url, authenticator, sign_count=5)
    assert response.status_code == 200
    _, cloned = passkey_login(live_server.url, authenticator, sign_count=5)  # a copy of the key, same counter
    assert_envelope(cloned, 401)
    _, later = passkey_login(live_server.url, authenticator, sign_count=6)
    assert later.status_code == 200


def test_user_verification_is_required(user):
    options = user.post(OPTIONS).json()
    credential = SoftAuthenticator(flags=UP).create(options, user.base_url)  # presence only, no PIN or biometrics
    assert_envelope(user.post("/api/v1/auth/passkeys/register", json={"credential": credential, "label": "x"}), 400)


def test_another_accounts_challenge_cannot_register(make_user):
    owner, other = make_user(), make_user()
    options = owner.post(OPTIONS).json()
    credential = SoftAuthenticator().create(options, other.base_url)
    assert_envelope(other.post("/api/v1/auth/passkeys/register", json={"credential": credential, "label": "x"}), 400)


def test_an_unknown_passkey_cannot_sign_in(live_server):
    stranger = SoftAuthenticator()
    stranger.create({"rp": {"id": "127.0.0.1"}, "user": {"id": "AAAA"}, "challenge": "AAAA"}, live_server.url)
    _, response = passkey_login(live_server.url, stranger)
    assert_envelope(response, 401)


def test_remove_a_passkey_and_it_no_longer_signs_in(make_user, live_server):
    owner, other = make_user(), make_user()
    authenticator = SoftAuthenticator()
    made = register_passkey(owner, authenticator)
    assert_envelope(other.delete(f"/api/v1/auth/passkeys/{made['id']}"), 404)
    assert other.get("/api/v1/auth/passkeys").json() == []
    assert owner.delete(f"/api/v1/auth/passkeys/{made['id']}").status_code == 204
    assert owner.get("/api/v1/auth/passkeys").json() == []
    _, response = passkey_login(live_server.url, authenticator)
    assert_envelope(response, 401)


def test_the_relying_party_is_the_public_url_host(make_app):
    server = make_app(public_url="https://twitchlog.example")
    api = ApiClient(server.url, origin="https://twitchlog.example")
    api.register()
    # the cookie is Secure (an https public URL) and this test speaks http: carry it by hand
    api.http.headers["Cookie"] = f"twitchlog_session={api.http.cookies['twitchlog_session']}"
    options = api.post(OPTIONS).json()
    assert options["rp"]["id"] == "twitchlog.example"
    authenticator = SoftAuthenticator()
    wrong_origin = authenticator.create(options, server.url)  # signed for another origin than the public one
    assert_envelope(api.post("/api/v1/auth/passkeys/register", json={"credential": wrong_origin, "label": "x"}), 400)
    options = api.post(OPTIONS).json()
    good = authenticator.create(options, "https://twitchlog.example")
    assert api.post("/api/v1/auth/passkeys/register", json={"credential": good, "label": "x"}).status_code == 201


def test_deleting_the_account_removes_its_passkeys(user, live_server):
    register_passkey(user, SoftAuthenticator())
    user_id = user.user["id"]
    assert user.delete("/api/v1/me", json={"password": user.password}).status_code == 204
    with live_server.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Passkey).where(Passkey.user_id == user_id)) == 0


def test_login_options_are_limited_per_address(make_app):
    """Each answer stores a challenge for 5 minutes: an address cannot fill the table."""
    server = make_app(login_address_limit="3/minute")
    for _ in range(3):
        assert ApiClient(server.url).post("/api/v1/auth/passkeys/login/options").status_code == 200
    limited = ApiClient(server.url).post("/api/v1/auth/passkeys/login/options")
    assert_envelope(limited, 429)
    assert limited.headers["Retry-After"].isdigit()
