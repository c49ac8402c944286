"""Python function calls per single-mutation push, served by gunicorn, the app's against the floor's.

    .venv/bin/python benchmarks/push_profile.py [--pushes 500] [--warmup 100] [--top 25] [--floor]

CPU time on the shared machine moves with what else runs; the number of Python calls a push makes
does not. This starts `gunicorn "server:create_app()"` (or with `--floor` benchmarks/floor_app.py)
with one gthread worker on a fresh PostgreSQL database, as sync_bench.py does, and profiles the
worker's whole handling of each request (gunicorn's `ThreadWorker.handle`: reading and parsing
the request, the app, writing the answer, the access log line) with cProfile; one keep-alive
client sends the pushes one at a time. It prints calls per push and the functions that cost most.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.sync_bench import BIN, app_environment, database, free_port, migrate, seed, wait_for  # noqa: E402

# gunicorn config: profile each pool thread's handle() with its own profiler, dump them on exit
CONFIG = '''
import cProfile, os, threading, time
from gunicorn.workers import gthread

_profiles, _lock, _local = [], threading.Lock(), threading.local()
_original = gthread.ThreadWorker.handle

def handle(self, conn):
    profile = getattr(_local, "profile", None)
    if profile is None:
        profile = _local.profile = cProfile.Profile(time.process_time)
        with _lock:
            _profiles.append(profile)
    if os.path.exists(os.environ["PROFILE_ON"]):
        profile.enable()
        try:
            return _original(self, conn)
        finally:
            profile.disable()
    return _original(self, conn)

gthread.ThreadWorker.handle = handle

def worker_exit(server, worker):
    for n, profile in enumerate(_profiles):
        profile.dump_stats(f"{os.environ['PROFILE_OUT']}.{os.getpid()}.{n}")
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pushes", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--floor", action="store_true", help="profile benchmarks/floor_app.py instead")
    parser.add_argument("--dump", type=Path, help="also write the merged stats here (for pstats or snakeviz)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="twitchlog-profile-"))
    config = work / "gunicorn_profile.py"
    config.write_text(CONFIG)
    switch, out = work / "on", work / "stats"
    with database("postgres") as url:
        env = {**app_environment(url, work / "instance"), "PROFILE_ON": str(switch), "PROFILE_OUT": str(out)}
        migrate(env)
        secret = seed(url, 1)[0]
        port = free_port()
        log = open(work / "gunicorn.log", "wb")
        app_spec = "benchmarks.floor_app:app" if args.floor else "server:create_app()"
        process = subprocess.Popen([  # noqa: S603 (our own argv)
            str(BIN / "gunicorn"), "-c", str(config), "--workers", "1", "--worker-class", "gthread", "--threads", "4",
            "--keep-alive", "15", "--log-level", "warning", "--bind", f"127.0.0.1:{port}", app_spec,
        ], cwd=REPO, env=env, stdout=log, stderr=log)
        try:
            wait_for("/api/v1/sync/push" if args.floor else "/healthz", port)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}",
                       "Cookie": f"twitchlog_session={secret}"}
            client_id = str(uuid.uuid4())

            def push(n: int) -> None:
                body = {"client_id": client_id, "mutations": [{
                    "id": n, "hlc": f"2026-11-25T19:42:10.123Z-{n % 65536:04x}-{client_id}", "entity": "twitch",
                    "record_id": str(uuid.uuid4()), "op": "set",
                    "fields": {"occurred_at": "2026-11-25T19:42:10Z", "body_region": "calf", "side": "left", "intensity": 2}}]}
                connection.request("POST", "/api/v1/sync/push", json.dumps(body), headers)
                response = connection.getresponse()
                answer = response.read()
                if response.status != 200 or json.loads(answer)["last_mutation_id"] != n:
                    raise RuntimeError(f"push {n} failed: {response.status} {answer[:300]!r}")

            for n in range(1, args.warmup + 1):
                push(n)
            switch.touch()
            for n in range(args.warmup + 1, args.warmup + args.pushes + 1):
                push(n)
            switch.unlink()
            connection.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()
        time.sleep(0.2)  # the worker's exit hook has written its files by now; not a measurement
        files = sorted(str(p) for p in work.glob("stats.*"))
        stats = pstats.Stats(*[f for f in files if os.path.getsize(f)], stream=sys.stdout)
        calls = stats.total_calls
        print(f"{'floor' if args.floor else 'app'}: {calls / args.pushes:,.0f} Python calls per push "
              f"({calls:,} in {args.pushes} pushes; {stats.total_tt / args.pushes * 1e3:.3f} ms profiled CPU per push)")
        if args.dump:
            stats.dump_stats(args.dump)
        stats.sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
