"""Sync push and pull under gunicorn, on PostgreSQL and on SQLite, against a bare Flask endpoint.

    .venv/bin/python benchmarks/sync_bench.py [--backends postgres,sqlite] [--seconds 3] [--json FILE]

For each database: a fresh one (PostgreSQL: a new database on 127.0.0.1:5432, dropped at the end;
SQLite: a file in a temporary folder), migrated with `flask --app server db upgrade heads`, then
`gunicorn "server:create_app()"` with 2 gthread workers on a free loopback port. Simulated devices
(one person each, seeded straight into the database with known session secrets, because
sign-ups would measure Argon2) run closed-loop in separate client processes with keep-alive
http.client connections:

- push: each device pushes batches of 1, 10 and 100 new twitches as fast as it is answered;
- pull: each device pulls everything it has from scratch, 500 records a page, again and again;
- 50 devices: each logs one twitch and pulls what is new, as fast as it is answered.

In the same run, a one-route Flask app (benchmarks/bare_app.py) under the same gunicorn settings,
driven the same way, gives the baseline for the single-mutation push ratio. On PostgreSQL the
single pushes are also sent to benchmarks/floor_app.py, which makes only push's round trips
through bare psycopg and checks nothing: the best share any push on this schema could reach.

The load generator runs on the same two cores as gunicorn and PostgreSQL: the CPU each part used
is printed, and the figures are a floor for a machine where the clients are elsewhere.
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import multiprocessing
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
GUNICORN = ["--workers", "2", "--worker-class", "gthread", "--threads", "4", "--keep-alive", "15",
            "--backlog", "2048", "--log-level", "warning"]
# single push (issue 15): server CPU per push (gunicorn + PostgreSQL) at most 1.5x floor_app.py's;
# it replaced "25 % of the bare endpoint's req/s", which the push's round trips alone cannot reach here
GOALS = {"batch100_mutations_per_s": 5000, "single_push_cpu_vs_floor": 1.5, "p99_50_devices_ms": 50}


# --- processes ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url_path: str, port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", url_path)
            if connection.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.1)  # a poll while a server starts, not part of any measurement
    raise TimeoutError(f"nothing answered on port {port} within {seconds} s")


@contextmanager
def gunicorn(app_spec: str, env: dict, ready_path: str):
    port = free_port()
    log = tempfile.TemporaryFile()  # a pipe nobody reads would stall the workers once full
    process = subprocess.Popen([str(BIN / "gunicorn"), *GUNICORN, "--bind", f"127.0.0.1:{port}", app_spec],
                               cwd=REPO, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        try:
            wait_for(ready_path, port)
        except TimeoutError:
            process.terminate()
            process.wait(timeout=20)
            log.seek(0)
            raise RuntimeError("gunicorn did not start:\n" + log.read().decode()[-3000:])
        yield port, process.pid
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.seek(0, os.SEEK_END)
        if log.tell() > 100_000:
            print(f"  (gunicorn wrote {log.tell():,} bytes of log during the run)")
        log.close()


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU of each of these processes so far (from /proc; gone ones left out)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two snapshots by the processes alive at the second (new ones counted whole)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


# --- databases --------------------------------------------------------------------------------------

@contextmanager
def database(backend: str):
    """A fresh, empty database URL for `backend`; dropped afterwards."""
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="twitchlog-bench-"))
        try:
            yield f"sqlite:///{folder / 'twitchlog.sqlite3'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"twitchlog_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def app_environment(database_url: str, instance: Path) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "TWITCHLOG_INSTANCE_PATH": str(instance),
            "TWITCHLOG_SECRET_KEY": secrets.token_urlsafe(32), "PYTHONDONTWRITEBYTECODE": "1"}


def migrate(env: dict) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "server", "db", "upgrade", "heads"], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def seed(database_url: str, count: int) -> list[str]:
    """`count` people with a counter and a session each; their session secrets."""
    from argon2 import PasswordHasher

    password_hash = PasswordHasher().hash("correct horse battery")
    now = datetime.now(timezone.utc)
    people = [{"id": str(uuid.uuid4()), "secret": secrets.token_urlsafe(32)} for _ in range(count)]
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO users (id, email, password_hash, timezone, created_at) "
                                   "VALUES (:id, :email, :hash, 'Europe/Berlin', :now)"),
                           [{"id": p["id"], "email": f"bench-{p['id']}@example.org", "hash": password_hash, "now": now} for p in people])
        connection.execute(sa.text("INSERT INTO change_counters (user_id, version, epoch) VALUES (:id, 0, :epoch)"),
                           [{"id": p["id"], "epoch": secrets.token_hex(4)} for p in people])
        connection.execute(sa.text("INSERT INTO login_sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at, user_agent) "
                                   "VALUES (:sid, :id, :hash, :now, :now, :expires, 'sync-bench')"),
                           [{"sid": str(uuid.uuid4()), "id": p["id"], "hash": hashlib.sha256(p["secret"].encode()).hexdigest(),
                             "now": now, "expires": now + timedelta(days=1)} for p in people])
    engine.dispose()
    return [p["secret"] for p in people]


# --- the devices (in client processes) ---------------------------------------------------------------

class DeviceLoop:
    """One device on one keep-alive connection, doing `kind` until the phase ends."""

    def __init__(self, port: int, secret: str | None, kind: str, batch: int):
        self.port, self.kind, self.batch = port, kind, batch
        self.headers = {"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}"}
        if secret:
            self.headers["Cookie"] = f"twitchlog_session={secret}"
        self.client_id = str(uuid.uuid4())
        self.next_id = 1
        self.counter = 0
        self.cookie = None
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def post(self, path: str, body: dict) -> tuple[int, bytes]:
        payload = json.dumps(body).encode()
        try:
            self.connection.request("POST", path, payload, self.headers)
            response = self.connection.getresponse()
            return response.status, response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return 0, b""

    def push(self, size: int) -> tuple[int, int]:
        now = datetime.now(timezone.utc)
        instant = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
        occurred = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        mutations = []
        for n in range(size):
            self.counter = (self.counter + 1) % 65536
            mutations.append({"id": self.next_id + n, "hlc": f"{instant}-{self.counter:04x}-{self.client_id}", "entity": "twitch",
                              "record_id": str(uuid.uuid4()), "op": "set",
                              "fields": {"occurred_at": occurred, "body_region": "calf", "side": "left", "intensity": 1 + n % 5}})
        status, body = self.post("/api/v1/sync/push", {"client_id": self.client_id, "mutations": mutations})
        if status == 200 and json.loads(body)["last_mutation_id"] == self.next_id + size - 1:
            self.next_id += size
            return status, size
        return status or -1, 0

    def pull(self) -> tuple[int, int]:
        status, body = self.post("/api/v1/sync/pull", {"client_id": self.client_id, "cookie": self.cookie, "limit": 500})
        if status != 200:
            return status or -1, 0
        page = json.loads(body)
        self.cookie = page["cookie"] if page["more"] or self.kind == "sync" else None  # `pull`: start again at the end
        return status, len(page["changes"])

    def step(self) -> list[tuple[int, int, float, float]]:
        """One action: [(status, items, seconds taken, when it began)] for each request it made."""
        steps = []
        for action in (["push", "pull"] if self.kind == "sync" else [self.kind]):
            began = time.monotonic()
            if action == "bare":
                status, _ = self.post("/api/v1/bare", {"x": 1})
                items = 1
            elif action == "push":
                status, items = self.push(self.batch)
            else:
                status, items = self.pull()
            steps.append((status, items, time.monotonic() - began, began))
        return steps


def client_process(port, secrets_, kind, batch, start, warmup, seconds, out, interval=None):
    """Run one device per secret on its own thread; report what happened in the measured window.

    With `interval`, each device starts a step every `interval` seconds (from a random phase)
    instead of as soon as the last one ended, and latency counts from when the step was due.
    """
    measure_from, stop_at = start + warmup, start + warmup + seconds
    lock = threading.Lock()
    latencies, items, errors, requests_ = [], [0], [0], [0]

    def run(secret, phase):
        device = DeviceLoop(port, secret, kind, batch)
        due = start + phase
        while time.monotonic() < stop_at:
            if interval is not None or due > time.monotonic():
                time.sleep(max(0.0, due - time.monotonic()))
            late = max(0.0, time.monotonic() - due) if interval is not None else 0.0
            due += interval or 0.0
            for status, count, took, began in device.step():
                took, late = took + late, 0.0
                if began < measure_from or began >= stop_at:
                    continue
                with lock:
                    requests_[0] += 1
                    if status == 200:
                        latencies.append(took)
                        items[0] += count
                    else:
                        errors[0] += 1
        device.connection.close()

    phases = random.Random(len(secrets_)).random
    threads = [threading.Thread(target=run, args=(s, phases() * (interval or 0.0))) for s in secrets_]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put({"latencies": latencies, "items": items[0], "errors": errors[0], "requests": requests_[0]})


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_phase(port: int, secrets_: list, kind: str, batch: int, seconds: float, clients: int, server_pids: list[int],
              warmup: float = 0.5, interval: float | None = None) -> dict:
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    start = time.monotonic() + 0.3
    shares = [secrets_[n::clients] for n in range(clients)]
    processes = [context.Process(target=client_process, args=(port, share, kind, batch, start, warmup, seconds, out, interval))
                 for share in shares if share]
    for process in processes:
        process.start()
    time.sleep(max(0.0, start + warmup - time.monotonic()))
    clients_ = [p.pid for p in processes]
    before = [cpu_seconds(server_pids), cpu_seconds(postgres_pids()), cpu_seconds(clients_)]
    time.sleep(seconds)
    after = [cpu_seconds(server_pids), cpu_seconds(postgres_pids()), cpu_seconds(clients_)]
    server_cpu, pg_cpu, client_cpu = (cpu_between(b, a) for b, a in zip(before, after))
    results = [out.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    latencies = [x for r in results for x in r["latencies"]]
    return {
        "kind": kind, "batch": batch, "devices": len(secrets_), "seconds": seconds, "interval": interval,
        "requests_per_s": sum(r["requests"] for r in results) / seconds,
        "items_per_s": sum(r["items"] for r in results) / seconds,
        "errors": sum(r["errors"] for r in results),
        "p50_ms": percentile(latencies, 0.50) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000,
        "cpu_s": {"client": client_cpu, "gunicorn": server_cpu, "postgres": pg_cpu},
    }


# --- the run --------------------------------------------------------------------------------------------

def bench_backend(backend: str, args) -> list[dict]:
    rows = []
    with database(backend) as url:
        instance = Path(tempfile.mkdtemp(prefix="twitchlog-bench-instance-"))
        try:
            env = app_environment(url, instance)
            migrate(env)
            people = seed(url, args.devices + 50)
            with gunicorn("server:create_app()", env, "/healthz") as (port, master):
                workers = children(master)
                for batch in (1, 10, 100):
                    rows.append(run_phase(port, people[:args.devices], "push", batch, args.seconds, args.clients, workers))
                rows.append(run_phase(port, people[:args.devices], "pull", 500, args.seconds, args.clients, workers))
                rows.append(run_phase(port, people[args.devices:], "sync", 1, args.seconds, args.clients, workers, interval=args.interval))
                rows.append(run_phase(port, people[args.devices:], "sync", 1, args.seconds, args.clients, workers))
            if backend == "postgres":  # the same single pushes through benchmarks/floor_app.py
                with gunicorn("benchmarks.floor_app:app", env, "/api/v1/sync/push") as (port, master):
                    floor = run_phase(port, people[:args.devices], "push", 1, args.seconds, args.clients, children(master))
                rows.append({**floor, "kind": "floor"})
        finally:
            shutil.rmtree(instance, ignore_errors=True)
    for row in rows:
        row["backend"] = backend
    return rows


def bench_bare(args) -> dict:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with gunicorn("benchmarks.bare_app:app", env, "/") as (port, master):
        row = run_phase(port, [None] * args.devices, "bare", 1, args.seconds, args.clients, children(master))
    row["backend"] = "-"
    return row


def per_server_cpu(row: dict) -> float:
    """Items (requests for bare and sync) per CPU-second of the server: gunicorn, plus PostgreSQL's backends."""
    items = row["requests_per_s"] if row["kind"] in {"bare", "sync"} else row["items_per_s"]
    cpu = row["cpu_s"]
    server_cpu = cpu["gunicorn"] + (cpu["postgres"] if row["backend"] == "postgres" else 0.0)
    return items * row["seconds"] / server_cpu if server_cpu > 0 else float("nan")


def describe(row: dict) -> str:
    paced = f"each every {row['interval']:g} s" if row.get("interval") else "flat out"
    name = {"bare": "bare endpoint", "push": f"push, batches of {row['batch']}", "pull": "pull, pages of 500",
            "sync": f"50 devices {paced}", "floor": "floor: push's SQL only"}[row["kind"]]
    unit = {"bare": "req", "push": "mutations", "pull": "records", "sync": "req", "floor": "mutations"}[row["kind"]]
    items = row["requests_per_s"] if row["kind"] in {"bare", "sync"} else row["items_per_s"]
    cpu = row["cpu_s"]
    per_cpu = per_server_cpu(row)
    return (f"{row['backend']:<9} {name:<27} {row['devices']:>4} {row['requests_per_s']:>8,.0f} {items:>10,.0f} {unit:<9} "
            f"{row['p50_ms']:>7.1f} {row['p99_ms']:>7.1f} {row['errors']:>6}   "
            f"{cpu['gunicorn'] / row['seconds']:.2f}/{cpu['postgres'] / row['seconds']:.2f}/{cpu['client'] / row['seconds']:.2f}"
            f"   {per_cpu:>8,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--seconds", type=float, default=3.0, help="measured seconds per phase (after 0.5 s of warm-up)")
    parser.add_argument("--devices", type=int, default=8, help="closed-loop devices in the push, pull and bare phases")
    parser.add_argument("--clients", type=int, default=2, help="client processes the devices are spread over")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between one device's syncs in the paced 50-device phase")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args()

    began = time.monotonic()
    print(f"load average before: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}; "
          f"{os.cpu_count()} CPUs shared by gunicorn, the database and {args.clients} client processes")
    rows = [bench_bare(args)]
    for backend in args.backends.split(","):
        rows.extend(bench_backend(backend, args))

    print(f"\n{'backend':<9} {'phase':<27} {'dev':>4} {'req/s':>8} {'items/s':>10} {'':<9} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}   "
          "cores: gunicorn/postgres/client   items per server CPU-second")
    for row in rows:
        print(describe(row))
    bare = rows[0]["requests_per_s"]
    print()
    for backend in args.backends.split(","):
        mine = {(r["kind"], r["batch"], r.get("interval")): r for r in rows if r["backend"] == backend}
        ratio = mine[("push", 1, None)]["requests_per_s"] / bare
        batch100 = mine[("push", 100, None)]["items_per_s"]
        p99 = mine[("sync", 1, args.interval)]["p99_ms"]
        flat_p99 = mine[("sync", 1, None)]["p99_ms"]
        verdict = lambda ok: "met" if ok else "NOT met"  # noqa: E731
        print(f"{backend}: batch-100 push {batch100:,.0f} mutations/s (goal {GOALS['batch100_mutations_per_s']:,}: "
              f"{verdict(batch100 >= GOALS['batch100_mutations_per_s'])}); single-mutation push {ratio:.0%} of the bare "
              f"endpoint's {bare:,.0f} req/s; p99 with 50 devices syncing every {args.interval:g} s {p99:.1f} ms "
              f"(goal < {GOALS['p99_50_devices_ms']} ms: {verdict(p99 < GOALS['p99_50_devices_ms'])}; flat out: {flat_p99:.1f} ms)")
        if ("floor", 1, None) in mine:
            floor, push = mine[("floor", 1, None)], mine[("push", 1, None)]
            cpu_ratio = per_server_cpu(floor) / per_server_cpu(push)  # = server CPU per push / the floor's
            goal = GOALS["single_push_cpu_vs_floor"]
            print(f"{backend}: goal: a single push costs at most {goal}x the floor's server CPU (gunicorn + PostgreSQL): "
                  f"{per_server_cpu(push):,.0f} vs {per_server_cpu(floor):,.0f} pushes per server CPU-second = {cpu_ratio:.2f}x: "
                  f"{verdict(cpu_ratio <= goal)} (throughput: the floor is {floor['requests_per_s'] / bare:.0%} of the bare "
                  f"endpoint, the push {push['requests_per_s'] / floor['requests_per_s']:.0%} of the floor; "
                  "benchmarks/push_cpu_bench.py measures the same ratio in one process, steadier)")
    print("\nitems per server CPU-second (gunicorn + PostgreSQL) does not depend on what else runs on the machine;\n"
          "throughput here does: other processes took what the load average says.")
    print(f"\nfinished in {time.monotonic() - began:.0f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rows": rows, "goals": GOALS}, indent=2))


if __name__ == "__main__":
    main()
