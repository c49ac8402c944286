"""Fixtures for reminders and Web Push: the push-service stand-in, a settable clock, a dispatcher.

The dispatcher works on the whole database, so each test here starts with empty push tables
(tests run one at a time; other tests never rely on push rows left behind).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.instants import utcnow
from server.push.models import PushDelivery, PushSubscription, ReminderOccurrence, ReminderSettings
from server.push.worker import Dispatcher
from tests.support.push_service import PushService, Subscription


class Clock:
    """An injected now: real time plus an offset that tests move instead of sleeping (the API
    stamps rows with real time), or a fixed instant once `now` is set."""

    def __init__(self):
        self.offset = timedelta(0)
        self.fixed: datetime | None = None

    def __call__(self) -> datetime:
        return self.fixed if self.fixed is not None else utcnow() + self.offset

    @property
    def now(self) -> datetime:
        return self()

    @now.setter
    def now(self, value: datetime) -> None:
        self.fixed = value

    def advance(self, **delta) -> datetime:
        if self.fixed is not None:
            self.fixed += timedelta(**delta)
        else:
            self.offset += timedelta(**delta)
        return self()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(autouse=True)
def empty_push_tables(app):
    with app.app_context():
        for model in (PushDelivery, ReminderOccurrence, PushSubscription, ReminderSettings):
            db.session.execute(sa.delete(model))
        db.session.commit()


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


@pytest.fixture
def dispatcher(live_server, clock):
    """dispatcher(**options) -> a Dispatcher on the test app with the test clock."""
    made = []

    def factory(**options) -> Dispatcher:
        options.setdefault("timeout", (2.0, 2.0))
        made.append(Dispatcher(live_server.app, clock=clock, **options))
        return made[-1]

    yield factory
    for one in made:
        one.sender.close()


@pytest.fixture
def subscribe(push_service):
    """subscribe(api) -> a stand-in subscription saved for that user, made with the app's key."""

    def factory(api, expect: int = 201) -> Subscription:
        key = api.get("/api/v1/push/key").json()["public_key"]
        device = push_service.subscribe(application_server_key=key)
        response = api.put("/api/v1/push/subscriptions", json=device.to_json())
        assert response.status_code == expect, response.text
        return device

    return factory


def rows(app, model, **where) -> list:
    with app.app_context():
        query = sa.select(model).where(*(getattr(model, k) == v for k, v in where.items()))
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        db.session.rollback()
        return found


def send_everything(dispatcher_) -> int:
    """Plan, fan out and send until the queue is empty at the dispatcher's now."""
    dispatcher_.plan()
    total = 0
    while count := dispatcher_.send_batch():
        total += count
    return total
