"""How long each endpoint holds the SQLite write lock, and sign-in latency under a full-speed pusher.

    .venv/bin/python benchmarks/lock_bench.py [--seconds 8] [--phones 2] [--database-url URL] [--json FILE]
    .venv/bin/python benchmarks/lock_bench.py --push-cpu sqlite,postgres    # CPU per sync push of this tree

A fresh SQLite file (or the database given, e.g. a new PostgreSQL one) is migrated, and the app
is served by waitress (8 threads, as `twitchlog run`) in a child process with the production
Argon2 parameters (env "development": not the cheap hasher of the tests). That process records,
through server.transactions.lock_observers, how long every IMMEDIATE transaction held the lock,
by endpoint. In this process, `--phones` people push one twitch per request back to back, while
one caller signs in again and again and the other write endpoints are each called `--calls`
times. Printed: p50/p99 of the lock hold per endpoint (PostgreSQL has no such lock: nothing to
print there), the sign-in latency p50/p99 seen by the caller (goal on SQLite: p99 < 1 s), the
time one Argon2 check takes in the server process (it runs outside the lock, so it must not show
in the holds), and every 5xx.

`--push-cpu` instead measures this tree's CPU per sync push (single mutation, batch of 100;
Flask test client in one thread, plus the PostgreSQL backend's CPU from /proc), which does not
move with the machine's load as wall-clock throughput does. For a before/after ratio, run it
from a `git worktree` of the old commit and from this tree in turns, with PYTHONPATH set to each.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import requests
import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PASSWORD = "correct horse battery staple"
SIGN_IN_GOAL_S = 1.0


# --- the server process -----------------------------------------------------------------------

def serve(database_url: str, instance: Path, port: int) -> None:
    from flask import jsonify
    from flask_migrate import upgrade
    from waitress import serve as waitress_serve

    from server import create_app
    from server.config import Settings
    from server.transactions import lock_observers

    settings = Settings(env="development", instance_path=instance, database_url=database_url,
                        secret_key=secrets.token_urlsafe(32), allow_local_push=True, login_limit="100000/minute",
                        register_limit="100000/hour", share_limit="100000/minute", login_address_limit="100000/hour",
                        login_account_limit="100000/hour", hash_concurrency=2, hash_wait_ms=30000)
    app = create_app({"TWITCHLOG": settings})
    with app.app_context():
        upgrade(revision="heads")
    holds: dict[str, list[list[float]]] = defaultdict(list)
    guard = threading.Lock()

    def observe(label: str, waited: float, held: float) -> None:
        with guard:
            holds[label].append([waited, held])

    lock_observers.append(observe)

    @app.get("/_bench/locks")
    def _locks():
        with guard:
            return jsonify({label: list(values) for label, values in holds.items()})

    @app.post("/_bench/locks/reset")
    def _reset():
        with guard:
            holds.clear()
        return "", 204

    @app.get("/_bench/argon2")
    def _argon2():
        from server.accounts.service import _hasher

        hashed = _hasher().hash(PASSWORD)
        started = time.perf_counter()
        for _ in range(5):
            _hasher().verify(hashed, PASSWORD)
        return jsonify({"verify_s": (time.perf_counter() - started) / 5})

    waitress_serve(app, host="127.0.0.1", port=port, threads=8, ident="lock-bench", _quiet=True)


# --- the load ---------------------------------------------------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Person:
    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()
        self.http.headers["Origin"] = base
        self.email = f"bench-{uuid.uuid4().hex[:12]}@example.org"
        self.client_id = str(uuid.uuid4())
        self.next_id = 1

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, self.base + path, timeout=60, **kwargs)

    def register(self) -> None:
        response = self.call("POST", "/api/v1/auth/register", json={"email": self.email, "password": PASSWORD, "timezone": "Europe/Berlin"})
        assert response.status_code == 201, response.text

    def push_one(self) -> int:
        mutation = {"id": self.next_id, "hlc": f"2026-11-25T19:42:10.123Z-{self.next_id % 65536:04x}-{self.client_id}",
                    "entity": "twitch", "record_id": str(uuid.uuid4()), "op": "set",
                    "fields": {"occurred_at": "2026-11-25T19:42:10Z", "intensity": 2}}
        self.next_id += 1
        return self.call("POST", "/api/v1/sync/push", json={"client_id": self.client_id, "mutations": [mutation]}).status_code


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def sign_ins(signer: Person, seconds: float, note) -> list[float]:
    """Sign in again and again for `seconds`: each answer's latency."""
    latencies: list[float] = []
    until = time.monotonic() + seconds
    while time.monotonic() < until or len(latencies) < 3:
        started = time.perf_counter()
        note("sign-in", signer.call("POST", "/api/v1/auth/login", json={"email": signer.email, "password": PASSWORD}))
        latencies.append(time.perf_counter() - started)
    return latencies


def latency_figures(latencies: list[float]) -> dict:
    return {"n": len(latencies), "p50_ms": percentile(latencies, 0.5) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000}


def run(args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="lock-bench-"))
    database_url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWITCHLOG_")}
    server = subprocess.Popen([sys.executable, __file__, "--serve", database_url, str(tmp / "instance"), str(port)],
                              env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=open(tmp / "server.log", "w"))
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the server did not start: see {tmp / 'server.log'}")
            time.sleep(0.2)
        argon2 = requests.get(base + "/_bench/argon2", timeout=60).json()["verify_s"]
        phones = [Person(base) for _ in range(args.phones)]
        signer, owner, caregiver = Person(base), Person(base), Person(base)
        for person in (*phones, signer, owner, caregiver):
            person.register()
        stop = threading.Event()
        push_statuses: dict[int, int] = defaultdict(int)

        def push_forever(phone: Person) -> None:
            while not stop.is_set():
                push_statuses[phone.push_one()] += 1

        threads = [threading.Thread(target=push_forever, args=(phone,), daemon=True) for phone in phones]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        requests.post(base + "/_bench/locks/reset", timeout=10)
        statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))

        def note(name: str, response: requests.Response) -> requests.Response:
            statuses[name][response.status_code] += 1
            return response

        # the other write endpoints, `--calls` times each
        for _ in range(args.calls):
            newcomer = Person(base)
            note("sign-up", newcomer.call("POST", "/api/v1/auth/register", json={"email": newcomer.email, "password": PASSWORD, "timezone": "Europe/Berlin"}))
            made = note("token create", owner.call("POST", "/api/v1/auth/tokens", json={"email": owner.email, "password": PASSWORD, "label": "b"}))
            if made.status_code == 201:
                note("token revoke", owner.call("DELETE", f"/api/v1/auth/tokens/{made.json()['id']}"))
            note("me patch", owner.call("PATCH", "/api/v1/me", json={"timezone": "Europe/Paris"}))
            share = note("share create", owner.call("POST", "/api/v1/shares", json={"kind": "caregiver", "scopes": ["summary"]}))
            if share.status_code == 201:
                note("share accept", caregiver.call("POST", "/api/v1/shares/accept", json={"token": share.json()["token"]}))
                note("share revoke", owner.call("DELETE", f"/api/v1/shares/{share.json()['id']}"))
            note("sign-out", newcomer.call("POST", "/api/v1/auth/logout"))
        latencies = sign_ins(signer, args.seconds, note)  # under the pushers
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        holds = requests.get(base + "/_bench/locks", timeout=10).json()
        quiet = sign_ins(signer, args.seconds / 2, lambda _name, response: response)  # the same, nobody pushing
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return {
        "database": "postgresql" if database_url.startswith("postgresql") else "sqlite",
        "argon2_verify_ms": argon2 * 1000,
        "pushes": dict(push_statuses),
        "statuses": {name: dict(counts) for name, counts in statuses.items()},
        "sign_in": latency_figures(latencies),
        "sign_in_nobody_pushing": latency_figures(quiet),
        "holds_ms": {label: {"n": len(values),
                             "held_p50": percentile([h for _, h in values], 0.5) * 1000,
                             "held_p99": percentile([h for _, h in values], 0.99) * 1000,
                             "waited_p50": percentile([w for w, _ in values], 0.5) * 1000,
                             "waited_p99": percentile([w for w, _ in values], 0.99) * 1000}
                     for label, values in sorted(holds.items())},
    }


def report(result: dict) -> None:
    print(f"\n{result['database']}: one Argon2 check in the server process takes {result['argon2_verify_ms']:.1f} ms (outside the lock)")
    print(f"pushes during the run: {result['pushes']}")
    if result["holds_ms"]:
        print(f"\n{'write lock (IMMEDIATE transactions) of':40} {'n':>6} {'held p50':>9} {'held p99':>9} {'wait p50':>9} {'wait p99':>9}  (ms)")
        for label, h in result["holds_ms"].items():
            print(f"{label:40} {h['n']:>6} {h['held_p50']:>9.2f} {h['held_p99']:>9.2f} {h['waited_p50']:>9.2f} {h['waited_p99']:>9.2f}")
    else:
        print("no write lock (PostgreSQL): nothing held")
    s, q = result["sign_in"], result["sign_in_nobody_pushing"]
    verdict = "met" if s["p99_ms"] < SIGN_IN_GOAL_S * 1000 else "NOT met"
    print(f"\nsign-in while {len(result['pushes']) and sum(result['pushes'].values())} pushes went through: n={s['n']} "
          f"p50 {s['p50_ms']:.1f} ms, p99 {s['p99_ms']:.1f} ms (goal p99 < {SIGN_IN_GOAL_S * 1000:.0f} ms: {verdict})")
    print(f"sign-in with nobody pushing, same run: n={q['n']} p50 {q['p50_ms']:.1f} ms, p99 {q['p99_ms']:.1f} ms; "
          f"ratio of p50s {s['p50_ms'] / q['p50_ms']:.2f}")
    bad = {name: {st: n for st, n in counts.items() if st >= 500} for name, counts in result["statuses"].items()}
    bad = {name: counts for name, counts in bad.items() if counts}
    print("5xx answers:", bad or "none", "| every answer:", result["statuses"])


# --- CPU per push, for an A/B of two trees ------------------------------------------------------

def backend_cpu(pid):
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def push_cpu(url, n_single=1500, n_batch=60) -> dict:
    """CPU ms per push of this tree (test client, one thread; + the PostgreSQL backend's CPU)."""
    from flask_migrate import upgrade

    from server import create_app
    from server.config import Settings
    from server.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="lock-bench-cpu-"))
    settings = Settings(env="development", instance_path=tmp, database_url=url, secret_key=secrets.token_urlsafe(32),
                        register_limit="100000/hour")
    app = create_app({"TWITCHLOG": settings})
    with app.app_context():
        upgrade(revision="heads")
    client = app.test_client()
    headers = {"Sec-Fetch-Site": "same-origin"}
    r = client.post("/api/v1/auth/register", json={"email": f"cpu-{uuid.uuid4().hex}@example.org",
                                                     "password": "correct horse battery", "timezone": "Europe/Berlin"}, headers=headers)
    assert r.status_code == 201, r.data
    cid = str(uuid.uuid4())
    state = {"id": 1}

    def push(count):
        muts = []
        for _ in range(count):
            i = state["id"]
            state["id"] += 1
            muts.append({"id": i, "hlc": f"2026-11-25T19:42:10.123Z-{i % 65536:04x}-{cid}", "entity": "twitch",
                         "record_id": str(uuid.uuid4()), "op": "set",
                         "fields": {"occurred_at": "2026-11-25T19:42:10Z", "intensity": 2}})
        r = client.post("/api/v1/sync/push", json={"client_id": cid, "mutations": muts}, headers=headers)
        assert r.status_code == 200, r.data

    with app.app_context():
        pid = db.session.scalar(sa.text("select pg_backend_pid()")) if url.startswith("postgresql") else None
        db.session.remove()
    # one thread: the pool hands the same connection back each time, so this backend does the work
    for _ in range(50):
        push(1)
    out = {}
    for name, count, n in (("single", 1, n_single), ("batch100", 100, n_batch)):
        c0, b0 = time.process_time(), backend_cpu(pid)
        for _ in range(n):
            push(count)
        c1, b1 = time.process_time(), backend_cpu(pid)
        out[name + "_app_ms"] = (c1 - c0) / n * 1000
        out[name + "_db_ms"] = (b1 - b0) / n * 1000
    with app.app_context():
        db.engine.dispose()
    return out


def push_cpu_main(backends: list[str]) -> None:
    for backend in backends:
        if backend == "sqlite":
            figures = push_cpu(f"sqlite:///{tempfile.mkdtemp(prefix='lock-bench-cpu-')}/cpu.sqlite3")
        else:
            admin_url = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
            name = f"lock_bench_cpu_{os.getpid()}_{secrets.token_hex(3)}"
            admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            try:
                figures = push_cpu(sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False))
            finally:
                with admin.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.dispose()
        print(json.dumps({"backend": backend, "tree": str(REPO), **figures}))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds of back-to-back sign-ins")
    parser.add_argument("--phones", type=int, default=2, help="people pushing back to back")
    parser.add_argument("--calls", type=int, default=10, help="calls of each other write endpoint")
    parser.add_argument("--database-url", help="default: a new SQLite file; or a new, empty PostgreSQL database")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--push-cpu", metavar="BACKENDS", help="instead: CPU ms per sync push (single, batch of 100) of this "
                        "tree on sqlite,postgres; run it from two trees (git worktree) in turns for a before/after ratio")
    args = parser.parse_args()
    if args.push_cpu:
        push_cpu_main(args.push_cpu.split(","))
        return
    result = run(args)
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
