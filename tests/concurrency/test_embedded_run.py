"""`twitchlog run` (server and dispatcher in one process) under a full-speed pusher (issue 17).

The way a household runs it: one command on a laptop, the embedded SQLite file (or PostgreSQL
when the suite runs there), one phone syncing back to back while someone else signs up, signs
in, makes a token, shares and changes settings. Real Argon2 (the process is not in the test
env), real server, real dispatcher thread: every answer is the expected one, never a 5xx.
"""
from __future__ import annotations

import signal
import subprocess
import uuid

import pytest

from tests.concurrency.conftest import household_with_reminders
from tests.concurrency.load import SyncLoad, Tally
from tests.operations.conftest import BIN, free_port, own_database, process_env, wait_for  # noqa: F401 (fixture)
from tests.support.api import PASSWORD, ApiClient

pytestmark = [pytest.mark.slow]

REPEATS = 6


@pytest.fixture
def embedded(own_database, tmp_path):
    url, instance = own_database
    port = free_port()
    env = process_env(url, instance, TWITCHLOG_REGISTER_LIMIT="100000/hour", TWITCHLOG_LOGIN_LIMIT="100000/hour",
                      TWITCHLOG_SHARE_LIMIT="100000/minute")
    env.pop("TWITCHLOG_SECRET_KEY")  # the embedded default makes and keeps its own
    output = tmp_path / "run.log"
    with open(output, "w") as sink:
        process = subprocess.Popen([str(BIN / "twitchlog"), "run", "--port", str(port)], env=env,
                                   stdout=sink, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/healthz", process=process)
            yield base, output
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_twitchlog_run_answers_every_write_while_a_phone_pushes_back_to_back(embedded, push_service):
    base, output = embedded
    household_with_reminders(base, push_service)  # work for the dispatcher thread inside the process
    tally = Tally()
    with SyncLoad(base, phones=2) as load:
        pushes_before = load.pushes
        for _ in range(REPEATS):
            person = ApiClient(base)
            email = f"run-{uuid.uuid4().hex[:12]}@example.org"
            if not tally.call(person, "POST", "/api/v1/auth/register", 201,
                              json={"email": email, "password": PASSWORD, "timezone": "Europe/Berlin"}):
                continue
            again = ApiClient(base)
            tally.call(again, "POST", "/api/v1/auth/login", 200, json={"email": email, "password": PASSWORD})
            tally.call(again, "POST", "/api/v1/auth/tokens", 201, json={"email": email, "password": PASSWORD, "label": "script"})
            tally.call(again, "POST", "/api/v1/shares", 201, json={"kind": "link", "scopes": ["summary"]})
            tally.call(again, "PATCH", "/api/v1/me", 200, json={"timezone": "Europe/Paris"})
            tally.call(again, "POST", "/api/v1/auth/logout", 204)
        pushed = load.pushes - pushes_before
    assert pushed > 0, "the phones did not push while the endpoints were called"
    assert load.server_errors == 0, f"the phones got 5xx: {dict(load.statuses)}"
    errors = tally.server_errors()
    assert not errors, f"{sum(errors.values())} of {sum(tally.answers.values())} answers were 5xx ({tally.summary()})"
    assert not tally.unexpected({200, 201, 204}), tally.summary()
    assert "Traceback" not in output.read_text()
