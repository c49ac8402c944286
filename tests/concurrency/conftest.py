"""The concurrency layer (issue 17): every write endpoint answers while phones sync at full speed.

Runs on SQLite (the embedded default: one writer at a time, WAL) and on PostgreSQL
(TWITCHLOG_TEST_DATABASE_URL). Bounded by counts, not by time: each endpoint is called
`REPEATS` times while the load runs, so a test takes a few seconds.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from server.extensions import db
from server.instants import utcnow
from server.push.worker import Dispatcher
from tests.concurrency.load import HourlyClock, SyncLoad
from tests.conftest import POSTGRES_URL, build_app, create_postgres_database, drop_postgres_database, make_settings
from tests.support.api import ApiClient, LiveServer
from tests.support.push_service import PushService

REPEATS = 10  # calls of each endpoint under load
OFF_PACING = {"enabled": False, "every_minutes": 90, "active_from": "09:00", "active_to": "21:00", "days": [0, 1, 2, 3, 4]}


@pytest.fixture(scope="package")
def load_server(tmp_path_factory):
    """A live server on a database of its own: the load's dispatcher works on the whole database,
    and the endpoints leave rows (challenges, shares...) that other tests need not see."""
    folder = tmp_path_factory.mktemp("concurrency")
    url = create_postgres_database("twitchlog_load") if POSTGRES_URL else f"sqlite:///{folder / 'load.sqlite3'}"
    app = build_app(make_settings(folder / "instance", url))
    server = LiveServer(app)
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()
    if POSTGRES_URL:
        drop_postgres_database(url)


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


def household_with_reminders(url: str, push_service: PushService) -> ApiClient:
    """A person with the evening prompt on and one subscribed device: work for the dispatcher."""
    person = ApiClient(url)
    person.register()
    soon = (utcnow() + timedelta(minutes=3)).strftime("%H:%M")
    body = {"evening": {"enabled": True, "time": soon}, "pacing": OFF_PACING, "quiet_hours": None}
    assert person.put("/api/v1/reminders", json=body).status_code == 200
    key = person.get("/api/v1/push/key").json()["public_key"]
    device = push_service.subscribe(application_server_key=key)
    assert person.put("/api/v1/push/subscriptions", json=device.to_json()).status_code == 201
    return person


@pytest.fixture
def sync_load(load_server, push_service):
    """Two phones pushing back to back and the reminder dispatcher ticking, for the whole test."""
    household_with_reminders(load_server.url, push_service)
    clock = HourlyClock()
    dispatcher = Dispatcher(load_server.app, clock=clock, timeout=(2.0, 2.0), concurrency=4, batch=50)
    with SyncLoad(load_server.url, phones=2, dispatcher=dispatcher, clock=clock) as load:
        yield load
    assert load.server_errors == 0, f"the phones themselves got 5xx: {dict(load.statuses)}"
    assert not load.dispatcher_errors, f"the dispatcher failed: {load.dispatcher_errors[:3]}"
