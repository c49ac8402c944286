"""The dispatcher: plan, fan out, send, reap, in a loop; run as many as wanted.

`twitchlog worker` runs it in the foreground (SIGTERM finishes the batch in hand, records it
and stops); `twitchlog run` runs `run_dispatcher(app)` in a thread beside the web server, so a
laptop install needs one command. The clock is injected, so tests never sleep.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
from collections import Counter
from datetime import datetime, timedelta
from typing import Callable

from flask import Flask

from ..extensions import db
from ..transactions import begin_write
from ..instants import utcnow
from ..observability.metrics import DISPATCHER_PASSES, PUSH_DELIVERIES, PUSH_REAPED
from ..sharing.alerts import missed_days_alerts
from . import dispatch
from .sender import CONNECT_TIMEOUT, READ_TIMEOUT, PushSender, Outcome

log = logging.getLogger(__name__)
IDLE_WAIT = 1.0  # seconds between looks at an empty queue
FAILED_WAIT = 5.0  # after a failed pass (database away, say), so the log is not flooded
PLAN_EVERY = timedelta(seconds=5)
REAP_EVERY = timedelta(seconds=30)
RECORD_EVERY = 50  # outcomes per commit; a crash re-sends at most this + PushSender.ahead


def vapid_of(app: Flask):
    return app.extensions["twitchlog_vapid"]


class Dispatcher:
    def __init__(self, app: Flask, *, clock: Callable[[], datetime] = utcnow, batch: int = 200, concurrency: int = 16,
                 timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT), horizon: timedelta = dispatch.HORIZON,
                 stale_after: timedelta = dispatch.STALE_CLAIM, per_origin: int | None = None):
        self.app = app
        self.clock = clock
        self.batch = batch
        self.horizon = horizon
        self.stale_after = stale_after
        settings = app.config["TWITCHLOG"]
        self.sender = PushSender(vapid_of(app), concurrency=concurrency, timeout=timeout, clock=clock, per_origin=per_origin,
                                 push_hosts=settings.push_hosts, allow_local=settings.allow_local_push)
        slowest = timedelta(seconds=-(-batch // concurrency) * sum(timeout))
        if slowest >= stale_after:
            log.warning("a batch could take %s when push services hang, longer than the %s after which claims are "
                        "reaped: lower the batch or raise the concurrency", slowest, stale_after)
        self.totals: Counter = Counter()  # sent, retried, gone, failed, expired, refused since start
        self._planned_at: datetime | None = None
        self._reaped_at: datetime | None = None

    def _write(self, step, *args):
        """One step in its own write transaction (BEGIN IMMEDIATE on SQLite)."""
        with self.app.app_context():
            try:
                begin_write()
                result = step(*args)
                db.session.commit()
                return result
            except BaseException:
                db.session.rollback()
                raise

    def plan(self) -> tuple[int, int]:
        """Plan due prompts and fan out those whose time has come: (planned, queued)."""
        now = self.clock()
        planned = self._write(dispatch.plan_reminders, now, self.horizon)
        queued = self._write(dispatch.fan_out, now)
        self._planned_at = now
        return planned, queued

    def reap(self) -> int:
        now = self.clock()
        self._reaped_at = now
        returned = self._write(dispatch.reap, now, self.stale_after)
        self._write(missed_days_alerts, now)  # §13: caregivers hear when the person has gone quiet
        PUSH_REAPED.inc(returned)
        return returned

    def send_batch(self) -> int:
        """Claim a batch, send it outside any transaction, record outcomes as they come."""
        messages = self._write(dispatch.claim_deliveries, self.clock(), self.batch)
        pending: list[Outcome] = []
        for outcome in self.sender.send_all(messages):
            pending.append(outcome)
            if len(pending) >= RECORD_EVERY:
                self._record(pending)
                pending = []
        if pending:
            self._record(pending)
        return len(messages)

    def _record(self, outcomes: list[Outcome]) -> None:
        tally = self._write(dispatch.record_outcomes, outcomes, self.clock())
        self.totals.update(dataclasses.asdict(tally))
        for outcome, count in dataclasses.asdict(tally).items():
            if count:
                PUSH_DELIVERIES.labels(outcome).inc(count)

    def tick(self, stop: threading.Event | None = None) -> int:
        """One pass: reap and plan when their time has come, then send until the queue is
        empty, a batch comes back short, or `stop` is set. Returns how many were tried."""
        now = self.clock()
        if self._reaped_at is None or now - self._reaped_at >= REAP_EVERY:
            self.reap()
        if self._planned_at is None or now - self._planned_at >= PLAN_EVERY:
            self.plan()
        total = 0
        while True:
            count = self.send_batch()
            total += count
            if count < self.batch or (stop is not None and stop.is_set()):
                DISPATCHER_PASSES.inc()
                return total

    def run(self, stop: threading.Event) -> None:
        """Loop until `stop` is set; a failing pass is logged and tried again, never fatal."""
        log.info("reminder dispatcher started")
        while not stop.is_set():
            try:
                busy = self.tick(stop)
            except Exception:
                log.exception("dispatcher pass failed; trying again shortly")
                stop.wait(FAILED_WAIT)
                continue
            if not busy:
                stop.wait(IDLE_WAIT)
        self.sender.close()
        log.info("reminder dispatcher stopped")


def run_dispatcher(app: Flask, stop: threading.Event | None = None) -> None:
    """The embedded default: the dispatcher in a thread of the web process (`twitchlog run`)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            Dispatcher(app).run(stop)
        except Exception:  # a database not yet migrated, say: wait and start again
            log.exception("dispatcher could not start; retrying in 10 s")
            stop.wait(10)
