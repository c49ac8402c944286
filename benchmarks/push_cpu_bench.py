"""CPU per single-mutation push, the app's against the floor's, on PostgreSQL, in one process.

    .venv/bin/python benchmarks/push_cpu_bench.py [--pushes 2000] [--rounds 5] [--metrics]

Both are driven through their real WSGI stacks with Flask's test client from one thread (no HTTP
parsing, which costs both the same under gunicorn): the app (`server:create_app()`, session
cookie, schema validation, the §3 merge) and `benchmarks/floor_app.py` (push's round trips through
bare psycopg, nothing checked). Each uses exactly one PostgreSQL connection, whose backend's CPU
is read from /proc, so the figure is this process's CPU plus its own backend's and does not move
with what else runs on the machine. Rounds alternate app and floor; medians are reported, and the
goal line is the app's CPU per push against the floor's (goal: at most 1.5x).

`--metrics` sets TWITCHLOG_METRICS_TOKEN, so the app also counts every request for /metrics: the
difference against a run without it is what metrics cost a push.
"""
from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.sync_bench import POSTGRES_ADMIN_URL, database, seed  # noqa: E402

GOAL = 1.5


def backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) of one PostgreSQL backend, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def bodies(client_id: str, first: int, count: int) -> list[dict]:
    return [{"client_id": client_id, "mutations": [{
        "id": first + n, "hlc": f"2026-11-25T19:42:10.123Z-{n % 65536:04x}-{client_id}", "entity": "twitch",
        "record_id": str(uuid.uuid4()), "op": "set",
        "fields": {"occurred_at": "2026-11-25T19:42:10Z", "body_region": "calf", "side": "left", "intensity": 2}}]}
        for n in range(count)]


def measure(client, pid_of, secret: str, count: int, first: int, client_id: str) -> float:
    """CPU seconds per push: this process's plus its database backend's."""
    client.set_cookie("twitchlog_session", secret)
    work = bodies(client_id, first, count)
    headers = {"Origin": "http://localhost"}
    response = client.post("/api/v1/sync/push", json=work[0], headers=headers)  # warm the connection up
    assert response.status_code == 200, response.get_data(as_text=True)
    pid = pid_of()
    cpu0, db0 = time.process_time(), backend_cpu(pid)
    for body in work[1:]:
        response = client.post("/api/v1/sync/push", json=body, headers=headers)
        assert response.status_code == 200
    assert pid_of() == pid, "the benchmark must keep one database connection"
    return ((time.process_time() - cpu0) + (backend_cpu(pid) - db0)) / (count - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pushes", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--metrics", action="store_true", help="count requests for /metrics too")
    args = parser.parse_args()

    with database("postgres") as url:
        os.environ.update(DATABASE_URL=url, TWITCHLOG_SECRET_KEY=secrets.token_urlsafe(32),
                          TWITCHLOG_INSTANCE_PATH=str(Path(os.environ.get("TMPDIR", "/tmp")) / f"twitchlog-cpu-{os.getpid()}"),
                          TWITCHLOG_ACCESS_LOG="1")
        if args.metrics:
            os.environ["TWITCHLOG_METRICS_TOKEN"] = secrets.token_urlsafe(16)
        import logging

        from flask_migrate import upgrade

        from server import create_app
        from server.extensions import db

        app = create_app()
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
        with app.app_context():
            upgrade(revision="heads")
            db.engine.dispose()
        logging.getLogger().handlers[0].setStream(open(os.devnull, "w"))  # log lines cost their formatting, not a terminal
        people = seed(url, 2)

        def app_pid() -> int:
            with app.app_context():
                return db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()

        # one thread, one request at a time: the pool keeps using its one connection (checked per round)
        os.environ["DATABASE_URL"] = url
        import benchmarks.floor_app as floor_module

        floor_module.DSN = url.replace("postgresql+psycopg://", "postgresql://", 1)
        floor_client = floor_module.app.test_client()
        app_client = app.test_client()

        def floor_pid() -> int:
            return floor_module.connection().info.backend_pid

        results = {"app": [], "floor": []}
        next_id = {"app": 1, "floor": 1}
        for round_ in range(args.rounds + 1):  # the first round warms caches up and is not counted
            for name, client, pid_of, secret in (("app", app_client, app_pid, people[0]), ("floor", floor_client, floor_pid, people[1])):
                cpu = measure(client, pid_of, secret, args.pushes, next_id[name], str(uuid.uuid4()))
                if round_:
                    results[name].append(cpu)
                next_id[name] += args.pushes
        app_cpu, floor_cpu = statistics.median(results["app"]), statistics.median(results["floor"])
        ratios = [a / f for a, f in zip(results["app"], results["floor"])]
        print(f"load average: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}; {args.rounds} rounds x {args.pushes} pushes"
              f"{' with metrics counted' if args.metrics else ''}")
        print(f"app:   {app_cpu * 1e3:.3f} ms CPU per push ({1 / app_cpu:,.0f} pushes per CPU-second)   rounds: "
              + " ".join(f"{v * 1e3:.3f}" for v in results["app"]))
        print(f"floor: {floor_cpu * 1e3:.3f} ms CPU per push ({1 / floor_cpu:,.0f} pushes per CPU-second)   rounds: "
              + " ".join(f"{v * 1e3:.3f}" for v in results["floor"]))
        ratio = app_cpu / floor_cpu
        print(f"goal: a single push costs at most {GOAL}x the floor's CPU: {ratio:.2f}x "
              f"({min(ratios):.2f}-{max(ratios):.2f}x by round): {'met' if ratio <= GOAL else 'NOT met'}")
        with app.app_context():
            db.engine.dispose()
        floor_module.connection().close()


if __name__ == "__main__":
    main()
