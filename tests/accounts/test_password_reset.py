"""Password reset by email (§12) through a real SMTP server in the test (aiosmtpd): the link, single
use, 60 minutes, only the hash stored, the same answer for any email, the limits, and the log
fallback that is the only line ever holding the token."""
from __future__ import annotations

import gc
import logging
import re
import socket
import ssl
import threading
import warnings
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from server import mail
from server.accounts.auth import hash_secret
from server.accounts.models import PasswordReset
from server.extensions import db
from server.instants import utcnow
from tests.support.api import PASSWORD, ApiClient
from tests.support.bad_input import assert_envelope

aiosmtpd = pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult  # noqa: E402

NEW_PASSWORD = "a brand new password"
LINK = re.compile(r"(https?://\S+)/reset#([A-Za-z0-9_-]+)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages: list = []
        self.logins: list = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self._arrived:
            self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10):
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.messages) >= count, timeout), f"{len(self.messages)} emails arrived, not {count}"
        return self.messages[count - 1]


def stop(controller) -> None:
    """Stop after our courier is done; aiosmtpd's loop may leave a closing transport to the collector."""
    mail.courier.wait_until_sent()
    controller.stop()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, f"smtp://127.0.0.1:{controller.port}"
    stop(controller)


def _reset_link(message) -> tuple[str, str]:
    found = LINK.search(message.get_content())
    assert found, message.get_content()
    return found.group(1), found.group(2)


def test_reset_by_email_signs_out_everywhere_and_works_once(make_app, smtp_server):
    inbox, url = smtp_server
    server = make_app(smtp_url=url, mail_from="Twitchlog <care@twitchlog.example>")
    owner = ApiClient(server.url)
    owner.register()
    email = owner.user["email"]
    token = owner.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD, "label": "script"}).json()["token"]

    asked = ApiClient(server.url).post("/api/v1/auth/password-reset", json={"email": email.upper()})
    assert asked.status_code == 202, asked.text
    recipients, message = inbox.wait_for(1)
    assert recipients == [email] and message["To"] == email
    assert message["From"] == "Twitchlog <care@twitchlog.example>"
    origin, secret = _reset_link(message)
    assert origin == server.url
    with server.app.app_context():
        stored = db.session.execute(sa.select(PasswordReset.token_hash, PasswordReset.expires_at)).all()
    assert secret not in {row.token_hash for row in stored}, "only the hash is stored"
    assert hash_secret(secret) in {row.token_hash for row in stored}

    browser = ApiClient(server.url)
    done = browser.post("/api/v1/auth/password-reset/confirm", json={"token": secret, "new_password": NEW_PASSWORD})
    assert done.status_code == 204, done.text
    assert_envelope(owner.get("/api/v1/me"), 401)  # every session ended
    assert_envelope(ApiClient(server.url, origin=None).get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401)
    assert_envelope(browser.login(email, PASSWORD), 401)
    assert browser.login(email, NEW_PASSWORD).status_code == 200
    again = ApiClient(server.url).post("/api/v1/auth/password-reset/confirm", json={"token": secret, "new_password": "yet another one!"})
    body = assert_envelope(again, 400)
    assert "token" in body.get("errors", {})
    assert ApiClient(server.url).login(email, NEW_PASSWORD).status_code == 200, "the used link changed nothing"


def test_the_answer_is_the_same_for_an_unknown_email_and_no_email_goes_out(make_app, smtp_server):
    inbox, url = smtp_server
    server = make_app(smtp_url=url)
    known = ApiClient(server.url)
    known.register()
    unknown = ApiClient(server.url).post("/api/v1/auth/password-reset", json={"email": "nobody-here@example.org"})
    existing = ApiClient(server.url).post("/api/v1/auth/password-reset", json={"email": known.user["email"]})
    assert unknown.status_code == existing.status_code == 202
    assert unknown.content == existing.content
    assert {k for k in unknown.headers if not k.lower().startswith("x-ratelimit")} == \
        {k for k in existing.headers if not k.lower().startswith("x-ratelimit")}
    inbox.wait_for(1)
    mail.courier.wait_until_sent()
    assert [rcpt for rcpt, _ in inbox.messages] == [[known.user["email"]]]


def test_a_link_expires_after_sixty_minutes(make_app, smtp_server):
    inbox, url = smtp_server
    server = make_app(smtp_url=url)
    owner = ApiClient(server.url)
    owner.register()
    assert ApiClient(server.url).post("/api/v1/auth/password-reset", json={"email": owner.user["email"]}).status_code == 202
    _, secret = _reset_link(inbox.wait_for(1)[1])
    with server.app.app_context():
        row = db.session.execute(sa.select(PasswordReset).where(PasswordReset.token_hash == hash_secret(secret))).scalar_one()
        assert timedelta(minutes=59) < row.expires_at - row.created_at <= timedelta(minutes=60)
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    late = ApiClient(server.url).post("/api/v1/auth/password-reset/confirm", json={"token": secret, "new_password": NEW_PASSWORD})
    assert_envelope(late, 400)
    assert owner.get("/api/v1/me").status_code == 200, "nothing ended"


def test_an_unknown_token_is_refused(client):
    body = assert_envelope(client.post("/api/v1/auth/password-reset/confirm", json={"token": "x" * 43, "new_password": NEW_PASSWORD}), 400)
    assert "token" in body["errors"]


def test_reset_requests_are_limited_per_address_and_per_email(make_app, smtp_server):
    _, url = smtp_server
    server = make_app(smtp_url=url, reset_limit="2/minute", trusted_proxies=1)

    def ask(email, address):
        return ApiClient(server.url).post("/api/v1/auth/password-reset", json={"email": email},
                                          headers={"X-Forwarded-For": address})

    assert ask("a@example.org", "198.51.100.7").status_code == 202
    assert ask("b@example.org", "198.51.100.7").status_code == 202
    limited = ask("c@example.org", "198.51.100.7")
    assert_envelope(limited, 429)
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert ask("c@example.org", "198.51.100.8").status_code == 202, "another address has its own budget"
    assert ask("c@example.org", "198.51.100.9").status_code == 202
    assert_envelope(ask("C@example.org", "198.51.100.10"), 429)  # the email's own budget, however written


def test_without_smtp_the_email_goes_to_the_log_and_no_other_line_holds_the_token(make_app, caplog):
    server = make_app(smtp_url=None)
    owner = ApiClient(server.url)
    owner.register()
    caplog.set_level(logging.DEBUG)
    assert ApiClient(server.url).post("/api/v1/auth/password-reset", json={"email": owner.user["email"]}).status_code == 202
    mail.courier.wait_until_sent()
    mails = [r for r in caplog.records if r.name == "server.mail"]
    assert len(mails) == 1
    found = LINK.search(mails[0].getMessage())
    assert found and found.group(1) == server.url
    secret = found.group(2)
    browser = ApiClient(server.url)
    assert browser.post("/api/v1/auth/password-reset/confirm", json={"token": secret, "new_password": NEW_PASSWORD}).status_code == 204
    assert_envelope(browser.post("/api/v1/auth/password-reset/confirm", json={"token": secret, "new_password": NEW_PASSWORD}), 400)
    holding = [r for r in caplog.records if secret in r.getMessage() or hash_secret(secret) in r.getMessage()]
    assert holding == mails, "the mail line is the only one with the token"


def test_starttls_with_login(make_app, tmp_path, monkeypatch):
    from tests.support.push_service import self_signed_certificate

    cert, key = self_signed_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()

    def authenticator(server, session, envelope, mechanism, auth_data):
        inbox.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"mailer" and auth_data.password == b"s3cret pass")

    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True,
                            auth_required=True, authenticator=authenticator)
    controller.start()
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # trust the test's own certificate authority
    try:
        server = make_app(smtp_url=f"smtp://mailer:s3cret%20pass@localhost:{controller.port}")
        owner = ApiClient(server.url)
        owner.register()
        assert ApiClient(server.url).post("/api/v1/auth/password-reset", json={"email": owner.user["email"]}).status_code == 202
        _, message = inbox.wait_for(1)
        assert _reset_link(message)
        assert inbox.logins == [(b"mailer", b"s3cret pass")]
    finally:
        stop(controller)


def test_smtp_url_forms():
    assert mail.parse_smtp_url("smtp://u:p@mail.example:587") == {
        "host": "mail.example", "port": 587, "user": "u", "password": "p", "implicit_tls": False, "starttls": True}
    assert mail.parse_smtp_url("smtps://u:p%40x@mail.example")["port"] == 465
    assert mail.parse_smtp_url("smtps://u:p%40x@mail.example")["password"] == "p@x"
    relay = mail.parse_smtp_url("smtp://localhost:25")
    assert relay["starttls"] is False and relay["user"] is None
    with pytest.raises(mail.MailSettingError):
        mail.parse_smtp_url("http://mail.example")


def test_the_reset_link_opens_the_app(client):
    """/reset is the app itself; the token after # never reaches the server (browsers keep fragments)."""
    page = client.get("/reset")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert page.text == client.get("/").text
