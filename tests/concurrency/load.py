"""Background load for the concurrency layer: phones pushing at full speed, a dispatcher ticking.

    with SyncLoad(url, phones=2, dispatcher=Dispatcher(app, clock=HourlyClock())) as load:
        ... call write endpoints, record each answer in a Tally ...
    load.pushes (how many pushes went through meanwhile), load.server_errors (5xx seen by phones)

Each phone is a person of its own with one device, pushing one new twitch per request as fast as
it is answered (the back-to-back case of issue 17). The dispatcher plans, fans out, sends and
reaps in a loop on a clock that moves an hour per pass, so evening prompts are planned and sent
while the endpoints are called: every pass takes the write lock several times and commits.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta

import requests

from server.instants import utcnow
from tests.support.api import ApiClient


class HourlyClock:
    """Real time plus an hour more on every call to `tick()` (the dispatcher's injected clock)."""

    def __init__(self):
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def tick(self) -> None:
        self.offset += timedelta(hours=1)


class Tally:
    """Every answer an endpoint gave under load, by label and status."""

    def __init__(self):
        self.answers: Counter = Counter()

    def call(self, api: ApiClient, method: str, path: str, expect: int, label: str | None = None, **kwargs) -> requests.Response | None:
        """Make the request; the response when it had the expected status, else None."""
        response = api.request(method, path, timeout=30, **kwargs)
        self.answers[(label or f"{method} {path.split('/api/v1')[-1]}", response.status_code)] += 1
        return response if response.status_code == expect else None

    def server_errors(self) -> dict:
        return {key: n for key, n in self.answers.items() if key[1] >= 500}

    def unexpected(self, expected: set[int]) -> dict:
        return {key: n for key, n in self.answers.items() if key[1] not in expected}

    def summary(self) -> str:
        return ", ".join(f"{label} -> {status}: {n}" for (label, status), n in sorted(self.answers.items()))


class SyncLoad:
    """Phones pushing back to back and (optionally) a dispatcher ticking, until the block ends."""

    def __init__(self, url: str, phones: int = 2, dispatcher=None, clock: HourlyClock | None = None,
                 warm_up: int = 20):
        self.url = url
        self.phones = [ApiClient(url) for _ in range(phones)]
        self.dispatcher = dispatcher
        self.clock = clock
        self.warm_up = warm_up
        self.stop = threading.Event()
        self.pushes = 0
        self.ticks = 0
        self.statuses: Counter = Counter()
        self.dispatcher_errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> "SyncLoad":
        for phone in self.phones:
            phone.register()
        for phone in self.phones:
            self._threads.append(threading.Thread(target=self._push_forever, args=(phone,), daemon=True))
        if self.dispatcher is not None:
            self._threads.append(threading.Thread(target=self._dispatch_forever, daemon=True))
        for thread in self._threads:
            thread.start()
        deadline = time.monotonic() + 30
        while self.pushes < self.warm_up and time.monotonic() < deadline:  # load is on before the first call
            time.sleep(0.01)
        return self

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        if self.dispatcher is not None:
            self.dispatcher.sender.close()

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def _push_forever(self, phone: ApiClient) -> None:
        while not self.stop.is_set():
            mutation = phone.mutation("twitch", str(uuid.uuid4()), {"occurred_at": "2026-11-25T19:42:10Z", "intensity": 2})
            try:
                response = phone.post("/api/v1/sync/push", json={"client_id": phone.client_id, "mutations": [mutation]}, timeout=30)
                status = response.status_code
            except requests.RequestException:
                status = 599
            with self._lock:
                self.pushes += 1
                self.statuses[status] += 1

    def _dispatch_forever(self) -> None:
        while not self.stop.is_set():
            try:
                self.dispatcher.plan()
                self.dispatcher.send_batch()
                self.dispatcher.reap()
                self.ticks += 1
            except Exception as error:  # kept: the test says what the dispatcher met
                self.dispatcher_errors.append(error)
            if self.clock is not None:
                self.clock.tick()
            self.stop.wait(0.005)
