"""Error reports to Sentry (§15, optional): sent when SENTRY_DSN is set, scrubbed of tokens,
personal data, cookies and bodies. A Sentry stand-in on 127.0.0.1 receives what the real SDK
sends; the app runs in its own process, since the SDK is set up once per process."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest

from tests.operations.conftest import process_env

pytestmark = [pytest.mark.slow]

TOKEN = "tok3nZZsecretQQ9"
EMAIL = "private.person@example.org"
APP = f"""
import sentry_sdk
from server import create_app
from server.extensions import db

app = create_app()
with app.app_context():
    from flask_migrate import upgrade
    upgrade(revision="heads")

@app.route("/s/<token>/explode", methods=["POST"])
def explode(token):
    raise RuntimeError("the page for /s/" + token + " broke")

client = app.test_client()
client.set_cookie("twitchlog_session", "cookie-secret-value")
answer = client.post("/s/{TOKEN}/explode?email={EMAIL}", json={{"note": "{EMAIL} has weakness"}},
                     headers={{"Authorization": "Bearer bearer-secret-value", "Origin": "http://localhost"}})
assert answer.status_code == 500, answer.status_code
assert answer.get_json()["code"] == 500
sentry_sdk.flush(timeout=10)
"""


class SentryStandIn(ThreadingHTTPServer):
    def __init__(self):
        self.envelopes: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "br":
                    body = brotli.decompress(body)
                outer.envelopes.append(body.decode("utf-8", "replace"))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


def test_an_error_reaches_sentry_without_tokens_or_personal_data(tmp_path):
    pytest.importorskip("sentry_sdk")
    stand_in = SentryStandIn()
    thread = threading.Thread(target=stand_in.serve_forever, daemon=True)
    thread.start()
    try:
        dsn = f"http://publickey@127.0.0.1:{stand_in.server_port}/42"
        env = process_env(f"sqlite:///{tmp_path / 'app.sqlite3'}", tmp_path / "instance", SENTRY_DSN=dsn)
        run = subprocess.run([sys.executable, "-c", APP], env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr[-3000:]
    finally:
        stand_in.shutdown()
        stand_in.server_close()
    assert stand_in.envelopes, "no report reached the Sentry stand-in"
    everything = "\n".join(stand_in.envelopes)
    events = [json.loads(line) for envelope in stand_in.envelopes for line in envelope.splitlines()
              if line.startswith("{") and '"exception"' in line]
    assert events, everything[:2000]
    assert any(v["type"] == "RuntimeError" for e in events for v in e["exception"]["values"])
    for secret in (TOKEN, EMAIL, "cookie-secret-value", "bearer-secret-value", "has weakness"):
        assert secret not in everything, secret
    assert "/s/[redacted]" in everything
