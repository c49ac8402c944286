"""`twitchlog run` as a person runs it on a laptop (§15): a production WSGI server, compressed
text assets, nginx's cache headers, request ids and JSON log lines, and where the data lives."""
from __future__ import annotations

import gzip
import json
import signal
import subprocess
import time
import uuid

import brotli
import pytest
import requests

from tests.conftest import POSTGRES_URL
from tests.operations.conftest import BIN, free_port, process_env, wait_for
from tests.support.api import ApiClient

# Always its own new SQLite file, whatever database the suite runs on: it runs once, in the SQLite run.
pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(POSTGRES_URL), reason="the embedded default is SQLite: "
                                                   "this ran in the SQLite run, and nothing here reads the suite's database")]


@pytest.fixture
def embedded(tmp_path):
    """`twitchlog run` on a new SQLite file with JSON logs; yields (url, output-reader)."""
    instance = tmp_path / "instance"
    port = free_port()
    env = process_env(f"sqlite:///{instance / 'twitchlog.sqlite3'}", instance, TWITCHLOG_LOG_FORMAT="json")
    env.pop("TWITCHLOG_SECRET_KEY")  # the embedded default makes and keeps its own
    output = tmp_path / "run.log"
    with open(output, "w") as sink:
        process = subprocess.Popen([str(BIN / "twitchlog"), "run", "--port", str(port)], env=env,
                                   stdout=sink, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for(f"{url}/healthz", process=process)
            yield url, lambda: output.read_text()
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_serves_through_a_production_server_and_says_where_the_data_lives(embedded, tmp_path):
    url, output = embedded
    response = requests.get(f"{url}/", timeout=10)
    assert response.status_code == 200
    assert response.headers.get("Server") == "Twitchlog"  # waitress, named; not Werkzeug
    text = output()
    assert "development server" not in text.lower() and "werkzeug" not in text.lower()
    assert str(tmp_path / "instance" / "twitchlog.sqlite3") in text
    assert "twitchlog backup" in text and "twitchlog restore" in text


@pytest.mark.parametrize("encoding, decode", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_text_assets_are_compressed_when_the_browser_accepts_it(embedded, encoding, decode):
    url, _ = embedded
    plain = requests.get(f"{url}/js/app.js", headers={"Accept-Encoding": "identity"}, timeout=10)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    packed = requests.get(f"{url}/js/app.js", headers={"Accept-Encoding": encoding}, timeout=10, stream=True)
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers.get("Vary", "")
    raw = packed.raw.read()
    assert len(raw) < len(plain.content) * 0.6
    assert decode(raw) == plain.content


def test_cache_headers_are_nginx_s(embedded):
    url, _ = embedded
    for path in ("/", "/sw.js", "/manifest.webmanifest", "/js/app.js", "/css/app.css"):
        assert requests.get(f"{url}{path}", timeout=10).headers["Cache-Control"] == "no-cache", path
    icon = requests.get(f"{url}/icons/icon-192.png", timeout=10)
    assert icon.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Content-Encoding" not in icon.headers  # a PNG is compressed already
    assert requests.get(f"{url}/api/v1/me", timeout=10).headers["Cache-Control"] == "no-store"


def test_every_answer_has_a_request_id_and_every_log_line_is_json(embedded):
    url, output = embedded
    answers = [
        requests.get(f"{url}/healthz", headers={"X-Request-ID": "from-the-client_1"}, timeout=10),
        requests.get(f"{url}/api/v1/me", timeout=10),                                   # 401
        requests.get(f"{url}/api/v1/nothing-here", timeout=10),                         # 404
        requests.post(f"{url}/api/v1/auth/login", data="x", headers={"Content-Type": "text/plain", "Origin": url}, timeout=10),  # 415
        requests.get(f"{url}/s/{uuid.uuid4().hex}", timeout=10),                        # unknown share: 404
        requests.get(f"{url}/healthz", headers={"X-Request-ID": "bad id\twith tab" + "x" * 80}, timeout=10),
    ]
    assert answers[0].headers["X-Request-ID"] == "from-the-client_1"
    for answer in answers[1:]:
        assert len(answer.headers["X-Request-ID"]) == 32, answer.url
    assert answers[-1].headers["X-Request-ID"] != "bad id\twith tab" + "x" * 80
    person = ApiClient(url)
    person.register(email=f"log-{uuid.uuid4().hex[:8]}@example.org")
    person.log_twitch()

    deadline = time.monotonic() + 10
    while "/api/v1/sync/push" not in output() and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = [line for line in output().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]  # every JSON line parses
    access = [r for r in records if r["logger"] == "twitchlog.access"]
    by_id = {r["request_id"]: r for r in access}
    assert by_id["from-the-client_1"]["route"] == "/healthz" and by_id["from-the-client_1"]["status"] == 200
    for answer in answers[1:]:
        line = by_id[answer.headers["X-Request-ID"]]
        assert line["status"] == answer.status_code and isinstance(line["duration_ms"], float)
    assert any(r["route"] == "/s/<string:token>" and r["status"] == 404 for r in access)
    assert any(r["route"] == "/api/v1/sync/push" and r["status"] == 200 for r in access)
    for record in records:
        assert {"time", "level", "logger", "message", "request_id"} <= set(record)
    # the output is only JSON lines and the few lines the command itself prints to a person
    others = [line for line in output().splitlines() if line and not line.startswith("{")]
    assert all(line.startswith(("Your data", "Back it up", "Restore a backup", "Twitchlog is running")) for line in others), others
