"""Real sender processes: exactly once under concurrent claiming, nothing lost when one is
killed, and `twitchlog worker` stopping cleanly on SIGTERM."""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.push import service
from server.push.models import PushDelivery
from server.push.dispatch import STALE_CLAIM
from server.push.worker import RECORD_EVERY
from tests.conftest import POSTGRES_URL
from tests.push.conftest import send_everything
from tests.push.senders import send_until_empty
from tests.support.push_service import Reply

REPO = Path(__file__).resolve().parents[2]


def queue_numbered(app, user, devices, per_device: int) -> int:
    """per_device messages to each device, each with its own number in the body."""
    with app.app_context():
        for n in range(per_device):
            payload = {"title": "Test", "body": str(n), "tag": "t", "url": "/", "kind": "test", "occurrence_id": None, "actions": []}
            service.notify_user(user.user["id"], payload, ttl=3600, urgency="normal")
        db.session.commit()
    return per_device * len(devices)


def arrivals(push_service) -> Counter:
    return Counter((m.subscription, m.payload["body"]) for m in push_service.delivered())


def states(app) -> Counter:
    with app.app_context():
        found = Counter(dict(db.session.execute(sa.select(PushDelivery.state, sa.func.count()).group_by(PushDelivery.state)).all()))
        db.session.rollback()
        return found


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.skipif(not POSTGRES_URL, reason="concurrent claiming is PostgreSQL's FOR UPDATE SKIP LOCKED; "
                                             "SQLite has one claiming process by design (BEGIN IMMEDIATE)")
def test_four_sender_processes_deliver_2000_each_exactly_once(user, make_user, subscribe, push_service, live_server, database_url,
                                                              instance_path):
    other = make_user()  # ten devices each: a user keeps at most ten subscriptions (§12)
    devices = [subscribe(user) for _ in range(10)]
    others = [subscribe(other) for _ in range(10)]
    total = queue_numbered(live_server.app, user, devices, 100) + queue_numbered(live_server.app, other, others, 100)
    assert total == 2000
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(5), context.Queue()
    processes = [context.Process(target=send_until_empty, args=(database_url, str(instance_path), 50, 8, ready, results))
                 for _ in range(4)]
    for process in processes:
        process.start()
    ready.wait(timeout=120)  # all four start claiming together
    claimed = sorted(results.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    seen = arrivals(push_service)
    assert push_service.problems() == []
    assert len(seen) == 2000 and set(seen.values()) == {1}, "each delivery exactly once"
    assert sum(claimed) == 2000 and sum(1 for c in claimed if c) >= 2, f"claims per process: {claimed}"
    assert states(live_server.app) == Counter(sent=2000)


def test_a_sender_killed_mid_batch_loses_nothing(user, subscribe, push_service, live_server, database_url, instance_path,
                                                 dispatcher, clock):
    devices = [subscribe(user) for _ in range(10)]
    total = queue_numbered(live_server.app, user, devices, 40)
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(2), context.Queue()
    concurrency = 8
    victim = context.Process(target=send_until_empty, args=(database_url, str(instance_path), total, concurrency, ready, results))
    victim.start()
    ready.wait(timeout=120)
    assert push_service.wait_for(lambda: len(push_service.delivered()) >= 120, timeout=60)
    push_service.hang_all()  # the rest of its batch is now in flight, unanswered
    assert push_service.wait_for(lambda: any(m.status == 0 for m in push_service.received()), timeout=30)
    os.kill(victim.pid, signal.SIGKILL)
    victim.join(timeout=30)
    assert victim.exitcode == -signal.SIGKILL
    push_service.release(then=Reply(201))
    before = states(live_server.app)
    assert before["claimed"] > 0, "killed with claims in hand"

    survivor = dispatcher()
    clock.advance(seconds=60)
    assert survivor.reap() == 0, "a claim is not stale before STALE_CLAIM"
    clock.advance(seconds=STALE_CLAIM.total_seconds())
    assert survivor.reap() == before["claimed"]
    send_everything(survivor)
    seen = arrivals(push_service)
    assert len(seen) == total, "nothing lost"
    duplicates = sum(seen.values()) - total
    assert duplicates <= RECORD_EVERY + 2 * concurrency, "duplicates only within the crash window (worker.RECORD_EVERY + sender.ahead)"
    assert {n for n in seen.values()} <= {1, 2}
    assert states(live_server.app) == Counter(sent=total)
    assert push_service.problems() == []


@pytest.mark.slow
def test_twitchlog_worker_sends_and_stops_cleanly_on_sigterm(user, subscribe, push_service, database_url, instance_path):
    device = subscribe(user)
    user.post("/api/v1/push/test")
    env = {**os.environ, "DATABASE_URL": database_url, "TWITCHLOG_INSTANCE_PATH": str(instance_path),
           "TWITCHLOG_ALLOW_LOCAL_PUSH": "1", "TWITCHLOG_VAPID_SUBJECT": "mailto:tests@twitchlog.invalid", "PYTHONPATH": str(REPO)}
    env.pop("TWITCHLOG_ENV", None)
    worker = subprocess.Popen([sys.executable, "-c", "from server.cli import main; main()", "worker", "--concurrency", "2"],
                              cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert push_service.wait_for(lambda: len(push_service.delivered(device)) == 1, timeout=60)
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "stopping" in output and "dispatcher stopped" in output
    assert json.loads(json.dumps(push_service.delivered(device)[0].payload))["kind"] == "test"


def test_the_embedded_dispatcher_thread_sends_and_stops(user, subscribe, push_service, live_server):
    """`twitchlog run` starts run_dispatcher(app) in a thread: a laptop needs one command."""
    import threading

    from server.push.worker import run_dispatcher

    device = subscribe(user)
    user.post("/api/v1/push/test")
    stop = threading.Event()
    thread = threading.Thread(target=run_dispatcher, args=(live_server.app, stop), daemon=True)
    thread.start()
    try:
        assert push_service.wait_for(lambda: len(push_service.delivered(device)) == 1, timeout=30)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
