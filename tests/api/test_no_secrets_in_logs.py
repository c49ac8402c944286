"""§12: share tokens, reset tokens, bearer tokens, session cookies and passwords never reach a log.

Every log record of the process is captured while a run uses each kind of secret the way people
do, including the paths that log a request path (a 503 while the database is away, a 500 from a
bug), and none of the secrets may appear in what was captured.
"""
from __future__ import annotations

import io
import logging
import re
import socket
import threading
from email import message_from_bytes, policy

import pytest

from server.redaction import redact
from tests.sharing.helpers import make_share
from tests.support.api import PASSWORD, ApiClient

aiosmtpd = pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402

LINK = re.compile(r"/reset#([A-Za-z0-9_-]+)")


class Inbox:
    def __init__(self):
        self.messages: list = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self.arrived:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            self.arrived.notify_all()
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def every_log_line():
    """All records of every logger, at every level, formatted with their tracebacks."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


def test_no_token_of_any_kind_reaches_a_log(make_app, every_log_line, tmp_path):
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        server = make_app(smtp_url=f"smtp://127.0.0.1:{smtp.port}")

        def boom(token):
            raise RuntimeError("a bug while answering a share page")

        server.app.add_url_rule("/s/<token>/boom", "boom", boom)  # a 500 on a path that carries a token
        owner, caregiver, clinician = ApiClient(server.url), ApiClient(server.url), ApiClient(server.url, origin=None)
        owner.register(), caregiver.register()
        owner.log_twitch(note="calf, after a walk")
        link = make_share(owner, "link", ("summary", "events"))
        care = make_share(owner, "caregiver", ("summary", "alerts"))
        secrets = {"link token": link["token"], "caregiver token": care["token"], "password": PASSWORD,
                   "session cookie": owner.http.cookies["twitchlog_session"]}
        for path in ("", "/report.pdf", "?from=2026-11-01&to=2026-11-30", "/boom"):
            assert clinician.get(f"/s/{link['token']}{path}").status_code in (200, 500)
        assert clinician.get("/s/not-a-token-but-a-guess-1234567890").status_code == 404
        assert caregiver.post("/api/v1/shares/accept", json={"token": care["token"]}).status_code == 200
        made = owner.post("/api/v1/auth/tokens", json={"email": owner.user["email"], "password": PASSWORD, "label": "cli"})
        secrets["bearer token"] = made.json()["token"]
        script = ApiClient(server.url, origin=None)
        assert script.get("/api/v1/me", headers={"Authorization": f"Bearer {secrets['bearer token']}"}).status_code == 200

        assert ApiClient(server.url).post("/api/v1/auth/password-reset", json={"email": owner.user["email"]}).status_code == 202
        with inbox.arrived:
            assert inbox.arrived.wait_for(lambda: inbox.messages, 10), "the reset email arrived"
        secrets["reset token"] = LINK.search(inbox.messages[0].get_content()).group(1)
        confirm = ApiClient(server.url).post("/api/v1/auth/password-reset/confirm",
                                             json={"token": secrets["reset token"], "new_password": "another password 42"})
        assert confirm.status_code == 204, confirm.text
        assert ApiClient(server.url).get(f"/reset?token={secrets['reset token']}").status_code in (200, 404)

        from tests.conftest import build_app, make_settings
        from tests.support.api import LiveServer

        down = LiveServer(build_app(make_settings(tmp_path, f"sqlite:///{tmp_path}/missing/dir/none.sqlite3"), migrate=False))
        try:  # the database is away: 503
            assert ApiClient(down.url, origin=None).get(f"/s/{link['token']}").status_code == 503
        finally:
            down.stop()
    finally:
        smtp.stop()
    text = every_log_line.getvalue()
    assert "/s/[redacted]" in text, "the request lines were captured (and redacted)"
    assert "unhandled error on GET /s/[redacted]/boom" in text and "database unavailable on GET /s/[redacted]" in text
    leaked = [name for name, secret in secrets.items() if secret in text]
    assert leaked == [], f"{leaked} reached the log"


@pytest.mark.parametrize("line, expected", [
    ('127.0.0.1 - - "GET /s/AbC_123-x/report.pdf?from=1 HTTP/1.1" 200 -', '127.0.0.1 - - "GET /s/[redacted]/report.pdf?from=1 HTTP/1.1" 200 -'),
    ("open https://twitchlog.example/reset#tok_EN-123 within an hour", "open https://twitchlog.example/reset#[redacted] within an hour"),
    ("GET /reset?token=abc&x=1", "GET /reset?token=[redacted]&x=1"),
    ('body {"token": "abc\\"def", "new_password": "hunter2 hunter2"}', 'body {"token": "[redacted]", "new_password": "[redacted]"}'),
    ("Authorization: Bearer tl_AAAA.bbbb", "Authorization: Bearer [redacted]"),
    ("Cookie: twitchlog_session=xyz; other=1", "Cookie: twitchlog_session=[redacted]; other=1"),
    ("GET /api/v1/shares 200", "GET /api/v1/shares 200"),
    ("GET /sync/pull 200", "GET /sync/pull 200"),
])
def test_redaction_keeps_what_explains_a_line(line, expected):
    assert redact(line) == expected
