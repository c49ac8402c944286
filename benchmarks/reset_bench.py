"""Server CPU of a burst of password-reset requests from one address (§12, issue 11).

The app runs in its own process (werkzeug, one request at a time); the CPU time of that process
(user + system, every thread, read from /proc) is taken around each burst, so the client's work is
not counted. Asking for a reset must cost no Argon2: the bar is 100 requests under 1 s of server CPU.

Bursts, each of 100 requests from one address:
- baseline: POST /api/v1/auth/logout without a session (the cheapest POST; the ratio's unit)
- reset, limit lifted: 50 known and 50 unknown emails, every one answered 202 (mail to the log)
- reset, default limit (5/hour): 5 answered 202, 95 answered 429
and, for scale, 10 failed logins (one full Argon2id each).

    .venv/bin/python -m benchmarks.reset_bench            # SQLite
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python -m benchmarks.reset_bench
"""
from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from benchmarks.databases import scratch_database

REPO = Path(__file__).resolve().parent.parent
SERVE = """
import sys
from werkzeug.serving import make_server
from flask_migrate import upgrade
from server import create_app
app = create_app()
with app.app_context():
    upgrade(revision="heads")
server = make_server("127.0.0.1", int(sys.argv[1]), app, threaded=False)
print("ready", flush=True)
server.serve_forever()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(self, database_url: str, **settings: str):
        self.port = free_port()
        instance = tempfile.mkdtemp(prefix="twitchlog-reset-bench-")
        env = {**os.environ, "DATABASE_URL": database_url, "TWITCHLOG_INSTANCE_PATH": instance,
               "TWITCHLOG_SECRET_KEY": secrets.token_urlsafe(32), "PYTHONDONTWRITEBYTECODE": "1", **settings}
        env.pop("TWITCHLOG_SMTP_URL", None)  # the embedded default: the email goes to the log
        self.process = subprocess.Popen([sys.executable, "-c", SERVE, str(self.port)], cwd=REPO, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.process.stdout.readline().strip() == "ready"
        self.origin = f"http://127.0.0.1:{self.port}"
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def post(self, path: str, body: dict) -> int:
        self.connection.request("POST", path, json.dumps(body).encode(), {"Content-Type": "application/json", "Origin": self.origin})
        response = self.connection.getresponse()
        response.read()
        return response.status

    def burst(self, requests: list[tuple[str, dict]]) -> tuple[float, dict]:
        self.post("/api/v1/auth/logout", {})  # warm the connection and the code path first
        before = cpu_seconds(self.process.pid)
        statuses: dict = {}
        for path, body in requests:
            status = self.post(path, body)
            statuses[status] = statuses.get(status, 0) + 1
        time.sleep(0.5)  # let the mail thread finish writing what this burst queued (its CPU counts too)
        return cpu_seconds(self.process.pid) - before, statuses

    def stop(self) -> None:
        self.connection.close()
        self.process.terminate()
        self.process.wait(timeout=10)


def seed(database_url: str, count: int) -> list[str]:
    from argon2 import PasswordHasher

    password_hash = PasswordHasher().hash("correct horse battery")
    emails = [f"reset-bench-{uuid.uuid4().hex[:10]}@example.org" for _ in range(count)]
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO users (id, email, password_hash, timezone, created_at) "
                                   "VALUES (:id, :email, :hash, 'Europe/Berlin', :now)"),
                           [{"id": str(uuid.uuid4()), "email": e, "hash": password_hash, "now": datetime.now(timezone.utc)} for e in emails])
    engine.dispose()
    return emails


def main() -> None:
    database_url, drop = scratch_database("twitchlog_reset_bench")
    results = {}
    try:
        lifted = Server(database_url, TWITCHLOG_RESET_LIMIT="100000/hour", TWITCHLOG_LOGIN_LIMIT="100000/hour",
                        TWITCHLOG_LOGIN_ADDRESS_LIMIT="100000/hour", TWITCHLOG_LOGIN_ACCOUNT_LIMIT="100000/hour")
        try:
            known = seed(database_url, 50)
            unknown = [f"nobody-{uuid.uuid4().hex[:10]}@example.org" for _ in range(50)]
            mixed = [e for pair in zip(known, unknown) for e in pair]
            results["baseline: 100 POST /auth/logout"] = lifted.burst([("/api/v1/auth/logout", {})] * 100)
            results["100 resets, limit lifted"] = lifted.burst([("/api/v1/auth/password-reset", {"email": e}) for e in mixed])
            results["10 failed logins (Argon2id)"] = lifted.burst(
                [("/api/v1/auth/login", {"email": e, "password": "wrong password"}) for e in known[:10]])
        finally:
            lifted.stop()
        limited = Server(database_url)  # TWITCHLOG_RESET_LIMIT at its default, 5/hour
        try:
            results["100 resets, default limit"] = limited.burst(
                [("/api/v1/auth/password-reset", {"email": e}) for e in seed(database_url, 100)])
        finally:
            limited.stop()
    finally:
        drop()
    unit = results["baseline: 100 POST /auth/logout"][0] or 1e-9
    backend = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    print(f"reset_bench ({backend}): server CPU seconds per burst, and as a ratio of the baseline burst")
    for name, (cpu, statuses) in results.items():
        print(f"  {name:<36} {cpu:6.3f} s  x{cpu / unit:5.1f}  answers {dict(sorted(statuses.items()))}")
    worst = max(results["100 resets, limit lifted"][0], results["100 resets, default limit"][0])
    print(f"  bar: a burst of 100 resets under 1 s of server CPU -> {'met' if worst < 1 else 'NOT met'} ({worst:.3f} s)")
    if worst >= 1:
        sys.exit(1)


if __name__ == "__main__":
    main()
