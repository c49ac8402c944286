"""Deliveries per second from our senders to the local push-service stand-in, and in the same
run a plain loop of pywebpush.webpush() calls; then the ratio.

    .venv/bin/python benchmarks/push_bench.py [--deliveries 5000] [--plain 500] [--processes 2]

The stand-in (two push services by default, each its own process) checks and decrypts every
request, as in the tests; a single one would cap the figure at what one Python process can check.
Our side is the real pipeline: deliveries queued in the database, claimed in batches, encrypted,
signed (once per origin), sent on pooled connections, and recorded. DATABASE_URL picks the
database (default: a fresh SQLite file); a PostgreSQL URL gets a fresh database made beside it.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests
import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.databases import scratch_database  # noqa: E402


def settings_for(instance: Path, database_url: str, vapid_key: str):
    from server.config import Settings

    return Settings(env="testing", instance_path=instance, database_url=database_url, secret_key="bench",
                    allow_local_push=True, vapid_private_key=vapid_key, vapid_subject="mailto:bench@twitchlog.invalid")


def queue(app, subscriptions: list[dict], deliveries: int) -> None:
    from server.accounts.service import register
    from server.extensions import db
    from server.push import service
    from server.sync.service import create_counter

    with app.app_context():
        users = []
        for start in range(0, len(subscriptions), service.MAX_SUBSCRIPTIONS):  # a user keeps at most ten (§12)
            user = register(f"bench-{secrets.token_hex(4)}@example.org", "bench password 123", "Europe/Berlin")
            create_counter(user.id)
            users.append(user)
            for sub in subscriptions[start:start + service.MAX_SUBSCRIPTIONS]:
                service.save_subscription(user.id, sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], None,
                                          app.extensions["twitchlog_vapid"].public_key)
            db.session.commit()  # one unit of work per user: the next one hashes a password before it writes
        for n in range(deliveries // len(subscriptions)):
            for user in users:
                service.notify_user(user.id, {"title": "Benchmark", "body": f"message {n}", "tag": "bench", "url": "/",
                                              "kind": "test", "occurrence_id": None, "actions": []}, ttl=3600, urgency="normal")
        db.session.commit()


def sender_process(instance: str, database_url: str, vapid_key: str, concurrency: int, batch: int, start, results) -> None:
    from server import create_app
    from server.push.worker import Dispatcher

    app = create_app({"TWITCHLOG": settings_for(Path(instance), database_url, vapid_key)})
    dispatcher = Dispatcher(app, concurrency=concurrency, batch=batch)
    start.wait()  # a barrier: every process is ready before the clock starts
    cpu = time.process_time()
    sent = 0
    while True:
        count = dispatcher.send_batch()
        sent += count
        if count == 0:
            break
    dispatcher.sender.close()
    results.put((sent, dict(dispatcher.totals), time.process_time() - cpu))


def run_ours(instance: Path, database_url: str, vapid_key: str, processes: int, concurrency: int, batch: int) -> dict:
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(processes + 1), context.Queue()
    workers = [context.Process(target=sender_process, args=(str(instance), database_url, vapid_key, concurrency, batch, start, results))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    reports = [results.get() for _ in workers]
    elapsed = time.perf_counter() - began
    for worker in workers:
        worker.join()
    sent = sum(r[0] for r in reports)
    outcomes = sum((Counter(r[1]) for r in reports), Counter())
    return {"sent": sent, "elapsed": elapsed, "cpu_ms": sum(r[2] for r in reports) / max(1, sent) * 1000, "outcomes": dict(outcomes)}


def not_sent(app) -> dict:
    """Deliveries that did not end `sent`, by state and last error."""
    from server.extensions import db
    from server.push.models import PushDelivery

    with app.app_context():
        rows = db.session.execute(
            sa.select(PushDelivery.state, PushDelivery.last_error, sa.func.count())
            .where(PushDelivery.state != "sent").group_by(PushDelivery.state, PushDelivery.last_error)
        ).all()
        return {f"{state}: {error}": count for state, error, count in rows}


def run_plain(subscriptions: list[dict], vapid_key: str, count: int) -> tuple[float, float]:
    from pywebpush import webpush

    payload = json.dumps({"title": "Benchmark", "body": "plain", "tag": "bench", "url": "/", "kind": "test",
                          "occurrence_id": None, "actions": []})
    began, cpu = time.perf_counter(), time.process_time()
    for n in range(count):
        webpush(subscriptions[n % len(subscriptions)], payload, vapid_private_key=vapid_key,
                vapid_claims={"sub": "mailto:bench@twitchlog.invalid"}, ttl=3600, headers={"Urgency": "normal"})
    return time.perf_counter() - began, time.process_time() - cpu


def median(values):
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=5000, help="deliveries our senders send per round")
    parser.add_argument("--plain", type=int, default=500, help="messages in the plain pywebpush loop per round")
    parser.add_argument("--rounds", type=int, default=5, help="ours and the plain loop alternate; medians are reported")
    parser.add_argument("--processes", type=int, default=2, help="sender processes")
    parser.add_argument("--concurrency", type=int, default=16, help="messages in flight per sender process")
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--subscriptions", type=int, default=100)
    parser.add_argument("--services", type=int, default=2,
                        help="stand-in processes (push services), the subscriptions split among them: one Python "
                             "process checking and decrypting tops out near 2,200 messages/s on its GIL")
    args = parser.parse_args()

    from cryptography.hazmat.primitives.asymmetric import ec

    from server.push.vapid import b64url
    from tests.conftest import build_app

    vapid_key = b64url(ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value.to_bytes(32, "big"))
    stand_ins = [subprocess.Popen([sys.executable, "-m", "tests.support.push_service", "--subscriptions",
                                   str(args.subscriptions // args.services)], cwd=REPO, stdout=subprocess.PIPE, text=True)
                 for _ in range(args.services)]
    database_url, drop_database = scratch_database("push_bench")
    rounds, valid = [], True
    try:
        hellos = [json.loads(stand_in.stdout.readline()) for stand_in in stand_ins]
        subscriptions = [sub for number in range(args.subscriptions // args.services) for sub in
                         (hello["subscriptions"][number] for hello in hellos)]  # interleaved: every service in turn

        def stats() -> dict:
            each = [requests.get(hello["url"] + "/_stats", timeout=10).json() for hello in hellos]
            return {key: sum(one[key] for one in each) for key in each[0]}

        instance = Path(tempfile.mkdtemp())
        app = build_app(settings_for(instance, database_url, vapid_key))
        print(f"database {sa.make_url(database_url).get_backend_name()}; ours: {args.processes} processes, {args.concurrency} "
              f"in flight each, batch {args.batch}, {args.deliveries} deliveries a round; plain: {args.plain} webpush() calls "
              f"a round; {args.services} push services with {len(subscriptions)} subscriptions in all")
        for number in range(1, args.rounds + 1):
            queue(app, subscriptions, args.deliveries)
            load = os.getloadavg()[0]
            before = stats()
            ours = run_ours(instance, database_url, vapid_key, args.processes, args.concurrency, args.batch)
            middle = stats()
            plain_elapsed, plain_cpu = run_plain(subscriptions, vapid_key, args.plain)
            after = stats()
            accepted = middle["delivered"] - before["delivered"]
            row = {
                "ours": ours["sent"] / ours["elapsed"], "ours_cpu": ours["cpu_ms"],
                "stand_in_cpu": (middle["cpu_seconds"] - before["cpu_seconds"]) / max(1, accepted) * 1000,
                "plain": args.plain / plain_elapsed, "plain_ms": plain_elapsed / args.plain * 1000, "plain_cpu": plain_cpu / args.plain * 1000,
            }
            row["ratio"] = row["ours"] / row["plain"]
            rounds.append(row)
            print(f"round {number}  load {load:4.1f} | ours {row['ours']:6,.0f}/s, {row['ours_cpu']:.2f} ms CPU a delivery "
                  f"| plain {row['plain']:4,.0f}/s, {row['plain_ms']:.2f} ms a message ({row['plain_cpu']:.2f} CPU) "
                  f"| ratio {row['ratio']:.1f}x | stand-in {row['stand_in_cpu']:.2f} ms CPU a message | outcomes {ours['outcomes']}")
            if after["problems"] or accepted != ours["outcomes"].get("sent", 0):
                valid = False
        unsent = not_sent(app)
    finally:
        for stand_in in stand_ins:
            stand_in.terminate()
            stand_in.wait()
        drop_database()
    print(f"median      ours {median([r['ours'] for r in rounds]):,.0f}/s ({median([r['ours_cpu'] for r in rounds]):.2f} ms CPU a delivery)"
          f" | plain {median([r['plain'] for r in rounds]):,.0f}/s ({median([r['plain_cpu'] for r in rounds]):.2f} ms CPU a message)"
          f" | ratio {median([r['ratio'] for r in rounds]):.1f}x")
    print(f"not sent    {unsent or 'none'}")
    if not valid:
        sys.exit("the stand-in rejected requests or its count disagrees with the senders': the figures are not valid")


if __name__ == "__main__":
    main()
