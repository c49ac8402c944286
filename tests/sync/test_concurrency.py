"""Property 4 of DESIGN §3: no skipped commits under concurrent pushers, on real PostgreSQL.

Pusher threads push batches of new twitches for one person over HTTP (the live server is
threaded) while puller threads pull continuously, each following its own cookie. At the end each
puller must have received every record exactly once: a cursor that moved past a record before it
was committed never comes back for it.

To make the race easy to hit, every push in this test holds its transaction open, rows stamped and
not yet committed, until one to six more pulls have completed. With the per-user counter (the
real service) that cannot skip anything, because pushes of one person queue on the counter's row
lock and a pull reads only up to the counter's committed value. The same test run with a
sequence-number cursor (versions from `nextval` without the lock; a pull reads up to the highest
committed version it can see) must fail: that shows the test can catch the bug it is for.
"""
from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.instants import utcnow
from server.sync import service
from server.sync.entities import ENTITIES
from server.sync.hlc import format_clock_instant
from tests.conftest import POSTGRES_URL
from tests.sync.devices import quick_person, signed_in_session

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="needs real PostgreSQL (set TWITCHLOG_TEST_DATABASE_URL): SQLite lets one writer in at a "
               "time with BEGIN IMMEDIATE, so concurrent pushers cannot race there",
    ),
]

PUSHERS, PULLERS, BATCHES, MOST_PER_BATCH = 4, 3, 10, 5
HOLD_TIMEOUT = 10.0       # seconds a push waits for pulls at most (reached only if the pullers died)
SEQUENCE_ROUNDS = 8       # rounds the sequence cursor gets to show a skip before the test gives up


class CommitHold:
    """After a push stamps its rows and before it commits, wait until more pulls have completed.

    Installed as an after_push_hook (called inside the push transaction) for one person only.
    """

    def __init__(self, user_id: str, seed: int):
        self.user_id = user_id
        self.random = random.Random(seed)
        self.changed = threading.Condition()
        self.pulls = 0
        self.held = 0

    def pulled(self) -> None:
        with self.changed:
            self.pulls += 1
            self.changed.notify_all()

    def __call__(self, user_id: str, _rows) -> None:
        if user_id != self.user_id:
            return
        with self.changed:
            target = self.pulls + self.random.randint(1, 6)
            if self.changed.wait_for(lambda: self.pulls >= target, timeout=HOLD_TIMEOUT):
                self.held += 1


# --- the cursor that §3 forbids -------------------------------------------------------------------

def sequence_version(_user_id: str) -> int:
    """A version from a PostgreSQL sequence: unique and increasing, but taken without any lock."""
    return db.session.execute(sa.text("SELECT nextval('sync_race_versions')")).scalar_one()


def sequence_cursor_pull(user_id: str, client_id: str, cookie: str | None, limit: int) -> dict:
    """service.pull with the bound a sequence cursor has: the highest version committed so far."""
    since = int(cookie) if cookie and cookie.isdigit() else 0
    upto = max(
        db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(e.model.version), 0)).where(e.model.user_id == user_id))
        for e in ENTITIES.values()
    )
    rows = service._changed_rows(user_id, since, upto, limit + 1)
    if len(rows) <= limit:
        page, next_version, more = rows, max(upto, since), False
    else:  # the same paging as the service: never split a version
        cut = rows[limit][0].version
        if rows[0][0].version == cut:
            page, next_version = service._changed_rows(user_id, cut - 1, cut, None), cut
        else:
            page, next_version = [r for r in rows[:limit] if r[0].version < cut], cut - 1
        more = True
    return {"cookie": str(next_version), "last_mutation_id": 0, "more": more, "reset": False,
            "changes": [service.change_of(entity, row) for row, entity in page]}


@pytest.fixture
def version_sequence(live_server):
    with live_server.app.app_context():
        db.session.execute(sa.text("CREATE SEQUENCE IF NOT EXISTS sync_race_versions"))
        db.session.commit()
    yield
    with live_server.app.app_context():
        db.session.execute(sa.text("DROP SEQUENCE IF EXISTS sync_race_versions"))
        db.session.commit()


# --- the race ---------------------------------------------------------------------------------------

def race(live_server, monkeypatch, seed: int, pull=service.pull) -> tuple[set[str], list[list[str]], CommitHold]:
    """One round: PUSHERS push BATCHES batches each while PULLERS pull; what was pushed, what each saw."""
    user_id, cookies = quick_person(live_server.app)
    hold = CommitHold(user_id, seed)

    def counted_pull(*args, **kwargs):
        result = pull(*args, **kwargs)
        hold.pulled()
        return result

    monkeypatch.setattr(service, "pull", counted_pull)
    monkeypatch.setattr(service, "after_push_hooks", [*service.after_push_hooks, hold])

    rng = random.Random(seed)
    plans = [[rng.randint(1, MOST_PER_BATCH) for _ in range(BATCHES)] for _ in range(PUSHERS)]
    limits = [[rng.randint(1, 7) for _ in range(64)] for _ in range(PULLERS)]
    pushed: list[set[str]] = [set() for _ in range(PUSHERS)]
    seen: list[list[str]] = [[] for _ in range(PULLERS)]
    errors: list[BaseException] = []
    pushing_done = threading.Event()
    instant = format_clock_instant(utcnow() - timedelta(hours=1))

    def push(n: int) -> None:
        http, client_id, next_id = signed_in_session(live_server.url, cookies), str(uuid.uuid4()), 1
        try:
            for size in plans[n]:
                records = [str(uuid.uuid4()) for _ in range(size)]
                mutations = [
                    {"id": next_id + i, "hlc": f"{instant}-{(next_id + i) % 65536:04x}-{client_id}", "entity": "twitch",
                     "record_id": record, "op": "set", "fields": {"occurred_at": "2026-11-25T08:00:00Z"}}
                    for i, record in enumerate(records)
                ]
                response = http.post(live_server.url + "/api/v1/sync/push", json={"client_id": client_id, "mutations": mutations}, timeout=60)
                assert response.status_code == 200, response.text
                next_id += size
                assert response.json()["last_mutation_id"] == next_id - 1
                pushed[n].update(records)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            http.close()

    def pull_continuously(n: int) -> None:
        http, client_id, cookie, page_sizes = signed_in_session(live_server.url, cookies), str(uuid.uuid4()), None, iter(limits[n] * 1000)
        try:
            while True:
                last_pass = pushing_done.is_set()  # every push committed before this pull began
                response = http.post(live_server.url + "/api/v1/sync/pull",
                                     json={"client_id": client_id, "cookie": cookie, "limit": next(page_sizes)}, timeout=60)
                assert response.status_code == 200, response.text
                page = response.json()
                assert page["reset"] is False
                seen[n].extend(change["record_id"] for change in page["changes"])
                cookie = page["cookie"]
                if last_pass and not page["more"]:
                    return
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            http.close()

    pushers = [threading.Thread(target=push, args=(n,), name=f"pusher{n}") for n in range(PUSHERS)]
    pullers = [threading.Thread(target=pull_continuously, args=(n,), name=f"puller{n}") for n in range(PULLERS)]
    for thread in pullers + pushers:
        thread.start()
    for thread in pushers:
        thread.join(timeout=120)
    pushing_done.set()
    for thread in pullers:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in pushers + pullers), "a thread hung"
    assert errors == [], errors
    monkeypatch.undo()
    return set().union(*pushed), seen, hold


def assert_every_record_seen_once(pushed: set[str], seen: list[list[str]]) -> None:
    for n, records in enumerate(seen):
        counts = Counter(records)
        missed = pushed - set(counts)
        repeated = sorted(r for r, c in counts.items() if c > 1)
        unknown = set(counts) - pushed
        assert not missed, f"puller {n} missed {len(missed)} of {len(pushed)} records: its cursor skipped them"
        assert not repeated, f"puller {n} got {len(repeated)} records twice"
        assert not unknown, f"puller {n} got records nobody pushed"


def test_concurrent_pushers_never_make_a_puller_skip_a_commit(live_server, monkeypatch):
    pushed, seen, hold = race(live_server, monkeypatch, seed=4)
    assert len(pushed) >= PUSHERS * BATCHES
    assert hold.held == PUSHERS * BATCHES, "pushes were not held open while pulls ran; the race was not tested"
    assert_every_record_seen_once(pushed, seen)


def test_a_sequence_number_cursor_fails_the_same_test(live_server, monkeypatch, version_sequence):
    """The negative control: versions from a sequence, read up to the highest committed one."""
    for round_number in range(SEQUENCE_ROUNDS):
        monkeypatch.setattr(service, "claim_version", sequence_version)
        pushed, seen, _ = race(live_server, monkeypatch, seed=round_number, pull=sequence_cursor_pull)
        try:
            assert_every_record_seen_once(pushed, seen)
        except AssertionError as caught:
            assert "missed" in str(caught)
            return
    pytest.fail(f"the sequence cursor skipped nothing in {SEQUENCE_ROUNDS} rounds: this test cannot catch the bug")
