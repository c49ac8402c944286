"""The first sign-ups of a fresh server, while its dispatcher makes its first ticks (issue 17).

Before the SQLite write rule, a sign-up that had read the users table when the dispatcher's
tick took the write lock got SQLITE_BUSY at once (a read cannot wait to become a write), and the
very first person of a new install saw "The database is busy". Each round here is a new,
migrated database, a dispatcher ticking back to back from the start, and a handful of people
signing up at the same moment: every sign-up must answer 201.
"""
from __future__ import annotations

import threading

import pytest

from server.extensions import db
from server.push.worker import Dispatcher
from tests.concurrency.load import HourlyClock
from tests.conftest import POSTGRES_URL, build_app, create_postgres_database, drop_postgres_database, make_settings
from tests.support.api import ApiClient, LiveServer

pytestmark = [pytest.mark.slow]

ROUNDS = 2 if POSTGRES_URL else 4  # a round migrates a new database (PostgreSQL: makes and drops one)
SIGN_UPS = 6


def one_round(tmp_path, index: int) -> list[int]:
    url = create_postgres_database("twitchlog_fresh") if POSTGRES_URL else f"sqlite:///{tmp_path / f'fresh{index}.sqlite3'}"
    app = build_app(make_settings(tmp_path / f"instance{index}", url))
    server = LiveServer(app)
    stop, started = threading.Event(), threading.Event()
    dispatcher = Dispatcher(app, clock=HourlyClock(), timeout=(1.0, 1.0), concurrency=2, batch=20)
    errors: list[BaseException] = []

    def tick_back_to_back():
        while not stop.is_set():
            try:
                dispatcher.plan()
                dispatcher.send_batch()
                dispatcher.reap()
            except Exception as error:
                errors.append(error)
            started.set()

    statuses: list[int] = []
    gate = threading.Barrier(SIGN_UPS)

    def sign_up():
        api = ApiClient(server.url)
        gate.wait()
        response = api.post("/api/v1/auth/register", timeout=30,
                            json={"email": f"first-{index}-{threading.get_ident()}@example.org",
                                  "password": "correct horse battery", "timezone": "Europe/Berlin"})
        statuses.append(response.status_code)

    ticker = threading.Thread(target=tick_back_to_back, daemon=True)
    ticker.start()
    try:
        assert started.wait(30)
        people = [threading.Thread(target=sign_up) for _ in range(SIGN_UPS)]
        for person in people:
            person.start()
        for person in people:
            person.join(60)
    finally:
        stop.set()
        ticker.join(30)
        dispatcher.sender.close()
        server.stop()
        with app.app_context():
            db.engine.dispose()
        if POSTGRES_URL:
            drop_postgres_database(url)
    assert not errors, f"the dispatcher failed: {errors[:3]}"
    return statuses


def test_the_first_sign_ups_of_a_fresh_server_answer_201_while_the_dispatcher_ticks(tmp_path):
    statuses = [status for index in range(ROUNDS) for status in one_round(tmp_path, index)]
    failed = [status for status in statuses if status != 201]
    assert not failed, f"{len(failed)} of {len(statuses)} first sign-ups failed: {sorted(failed)}"
