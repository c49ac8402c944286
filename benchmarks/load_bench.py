"""1,000 simulated devices for 60 s through nginx against PostgreSQL, a realistic mix.

    .venv/bin/python benchmarks/load_bench.py [--devices 1000] [--seconds 60] [--rate 150]

The stack is the production one from deploy/ (nginx with TLS, gunicorn, a private PostgreSQL
cluster), started by tests/support/stack.py. Devices are open-loop: each acts at random moments
(a Poisson process) so the offered load does not drop when the server slows down, and latency is
measured from the moment an action was due (no coordinated omission). The mix is mostly one-tap
pushes and pulls, with some check-ins, insights and clinician share views.

In the same run, the bare-endpoint baseline: a one-route Flask app under the same gunicorn
settings, driven closed-loop as hard as this machine can, so the achieved rate can be given as a
ratio. Client and server share this machine's two cores: the figures are a floor.

Accounts are seeded straight into the database (one Argon2id hash reused, sessions with known
secrets) because 1,000 sign-ups would measure password hashing, not the service.
"""
from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests
import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.stack import BIN, PrivatePostgres, Stack, free_port, open_directory, wait_until  # noqa: E402

MIX = [("push_twitch", 0.50), ("pull", 0.30), ("checkin", 0.06), ("insights", 0.08), ("share_view", 0.06)]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def seed(database_url: str, devices: int) -> list[dict]:
    """Users, counters and sessions straight into the database; a secret per device."""
    from argon2 import PasswordHasher

    engine = sa.create_engine(database_url)
    password_hash = PasswordHasher().hash("correct horse battery")
    now = datetime.now(timezone.utc)
    people = []
    for n in range(devices):
        people.append({"id": str(uuid.uuid4()), "email": f"load{n}@example.org", "secret": secrets.token_urlsafe(32)})
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO users (id, email, password_hash, timezone, created_at) VALUES (:id, :email, :h, 'Europe/Berlin', :now)"),
            [{"id": p["id"], "email": p["email"], "h": password_hash, "now": now} for p in people])
        connection.execute(sa.text("INSERT INTO change_counters (user_id, version, epoch) VALUES (:id, 0, :epoch)"),
                           [{"id": p["id"], "epoch": secrets.token_hex(4)} for p in people])
        connection.execute(sa.text(
            "INSERT INTO login_sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at, user_agent) "
            "VALUES (:sid, :id, :hash, :now, :now, :exp, 'load-bench')"),
            [{"sid": str(uuid.uuid4()), "id": p["id"], "hash": hashlib.sha256(p["secret"].encode()).hexdigest(),
              "now": now, "exp": now + timedelta(days=30)} for p in people])
    engine.dispose()
    return people


class Device:
    def __init__(self, person: dict, stack: Stack):
        self.person = person
        self.http = stack.session()
        self.http.cookies.set("twitchlog_session", person["secret"], domain="127.0.0.1")
        self.url = stack.url
        self.client_id = str(uuid.uuid4())
        self.next_id = 1
        self.cookie = None
        self.counter = 0
        self.share_path = None
        self.lock = threading.Lock()

    def hlc(self) -> str:
        self.counter += 1
        now = datetime.now(timezone.utc)
        return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z-{self.counter % 65536:04x}-{self.client_id}"

    def act(self, kind: str) -> int:
        if kind == "push_twitch":
            mutation = {"id": self.next_id, "hlc": self.hlc(), "entity": "twitch", "record_id": str(uuid.uuid4()), "op": "set",
                        "fields": {"occurred_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                   "body_region": random.choice(["calf", "thigh", "eyelid", "forearm"]), "side": random.choice(["left", "right"])}}
            response = self.http.post(f"{self.url}/api/v1/sync/push", json={"client_id": self.client_id, "mutations": [mutation]}, timeout=30)
            if response.status_code == 200:
                self.next_id += 1
            return response.status_code
        if kind == "pull":
            response = self.http.post(f"{self.url}/api/v1/sync/pull", json={"client_id": self.client_id, "cookie": self.cookie, "limit": 500}, timeout=30)
            if response.status_code == 200:
                self.cookie = response.json()["cookie"]
            return response.status_code
        if kind == "checkin":
            day = datetime.now(timezone.utc).date() - timedelta(days=random.randint(0, 27))
            record_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"twitchlog:checkin:{day.isoformat()}"))
            mutation = {"id": self.next_id, "hlc": self.hlc(), "entity": "checkin", "record_id": record_id, "op": "set",
                        "fields": {"local_date": day.isoformat(), "sleep_hours": round(random.uniform(4, 9), 1),
                                   "stress": random.randint(0, 10), "anxiety": random.randint(0, 10)}}
            response = self.http.post(f"{self.url}/api/v1/sync/push", json={"client_id": self.client_id, "mutations": [mutation]}, timeout=30)
            if response.status_code == 200:
                self.next_id += 1
            return response.status_code
        if kind == "insights":
            return self.http.get(f"{self.url}/api/v1/insights", timeout=30).status_code
        if kind == "share_view":
            if self.share_path is None:
                response = self.http.post(f"{self.url}/api/v1/shares", json={"kind": "link", "scopes": ["summary", "events"], "label": "clinic"}, timeout=30)
                if response.status_code != 201:
                    return response.status_code
                self.share_path = response.json()["url"]
            return self.http.get(f"{self.url}{self.share_path}", timeout=30).status_code
        raise ValueError(kind)


def warm_up(devices: list, threads: int) -> None:
    """Each device opens its TLS connection first (a phone keeps one): steady state is measured."""
    chunks = [devices[i::threads] for i in range(threads)]

    def connect(chunk):
        for device in chunk:
            device.http.get(f"{device.url}/api/v1/me", timeout=30)

    pool = [threading.Thread(target=connect, args=(chunk,)) for chunk in chunks]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


def run_mix(stack: Stack, people: list[dict], seconds: float, rate: float, threads: int) -> dict:
    devices = [Device(p, stack) for p in people]
    warm_up(devices, threads)
    kinds, weights = zip(*MIX)
    start = time.monotonic() + 0.5
    per_device = rate / len(devices)
    schedule = [(start + random.expovariate(per_device), n) for n in range(len(devices))]
    heapq.heapify(schedule)
    lock = threading.Lock()
    results = defaultdict(list)  # kind -> [(latency_from_due, status)]
    stop_at = start + seconds

    def worker():
        while True:
            with lock:
                due, n = heapq.heappop(schedule)
                if due > stop_at:
                    heapq.heappush(schedule, (due, n))
                    return
                heapq.heappush(schedule, (due + random.expovariate(per_device), n))
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            kind = random.choices(kinds, weights)[0]
            device = devices[n]
            with device.lock:  # one device does one thing at a time, like a phone
                try:
                    status = device.act(kind)
                except requests.RequestException as error:
                    status = type(error).__name__
            results[kind].append((time.monotonic() - due, status))

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - start
    return {"elapsed": elapsed, "results": results}


BARE_APP = '''
from flask import Flask, jsonify
def create_app():
    app = Flask(__name__)
    @app.post("/api/v1/bare")
    def bare():
        return jsonify({"ok": True})
    return app
'''


def bare_baseline(seconds: float, concurrency: int, workers: int) -> float:
    """Requests/s of a one-route Flask app under the same gunicorn settings, closed loop."""
    folder = open_directory("twitchlog-bare-")
    (folder / "bare_app.py").write_text(BARE_APP)
    port = free_port()
    env = {**os.environ, "TWITCHLOG_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers), "PYTHONPATH": str(folder)}
    process = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(REPO / "deploy/gunicorn.conf.py"), "bare_app:create_app()"],
                               cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until(lambda: requests.post(f"http://127.0.0.1:{port}/api/v1/bare", json={}, timeout=2).ok, what="bare app")
        count = [0] * concurrency
        stop = time.monotonic() + seconds

        def loop(i):
            http = requests.Session()
            http.trust_env = False
            while time.monotonic() < stop:
                if http.post(f"http://127.0.0.1:{port}/api/v1/bare", json={"x": 1}, timeout=10).ok:
                    count[i] += 1

        threads = [threading.Thread(target=loop, args=(i,)) for i in range(concurrency)]
        begin = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return sum(count) / (time.monotonic() - begin)
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=150, help="offered actions per second, all devices together")
    parser.add_argument("--threads", type=int, default=48, help="client threads acting for the devices")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    baseline = bare_baseline(10, concurrency=16, workers=args.workers)
    print(f"bare endpoint (gunicorn {args.workers} workers, closed loop, 16 clients): {baseline:,.0f} req/s")

    postgres = PrivatePostgres(open_directory("twitchlog-pg-")).start()
    stack = Stack(open_directory("twitchlog-stack-"), postgres.url, workers=args.workers)
    try:
        stack.start()
        people = seed(postgres.url, args.devices)
        print(f"seeded {len(people)} devices; offering {args.rate:.0f} actions/s for {args.seconds:.0f} s through nginx")
        outcome = run_mix(stack, people, args.seconds, args.rate, args.threads)
    finally:
        stack.stop()
        postgres.stop()
        shutil.rmtree(stack.root, ignore_errors=True)
        shutil.rmtree(postgres.root, ignore_errors=True)

    results = outcome["results"]
    every = [r for rows in results.values() for r in rows]
    errors = [r for r in every if not (isinstance(r[1], int) and r[1] < 400)]
    achieved = len(every) / outcome["elapsed"]
    figures = {"baseline_rps": baseline, "achieved_rps": achieved, "ratio": achieved / baseline, "requests": len(every),
               "errors": len(errors), "p50_ms": percentile([r[0] for r in every], 0.50) * 1000,
               "p99_ms": percentile([r[0] for r in every], 0.99) * 1000, "by_kind": {}}
    print(f"\n{'kind':<12} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for kind, rows in sorted(results.items()):
        latencies = [r[0] for r in rows]
        bad = sum(1 for r in rows if not (isinstance(r[1], int) and r[1] < 400))
        figures["by_kind"][kind] = {"count": len(rows), "p50_ms": percentile(latencies, .5) * 1000, "p99_ms": percentile(latencies, .99) * 1000, "errors": bad}
        print(f"{kind:<12} {len(rows):>7} {percentile(latencies, .5)*1000:>8.1f} {percentile(latencies, .95)*1000:>8.1f} "
              f"{percentile(latencies, .99)*1000:>8.1f} {bad:>7}")
    print(f"\nall: {len(every)} requests in {outcome['elapsed']:.1f} s = {achieved:.0f} req/s "
          f"({figures['ratio']:.2f}x the bare endpoint's {baseline:.0f} req/s); errors {len(errors)}; "
          f"p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms (from when each action was due)")
    if errors:
        print("first errors:", sorted({str(e[1]) for e in errors})[:10])
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
