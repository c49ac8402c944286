"""Sender processes for the multi-process tests (a module, so `spawn` can import it)."""
from __future__ import annotations

from pathlib import Path


def send_until_empty(database_url: str, instance: str, batch: int, concurrency: int, ready, results) -> None:
    """Build the app from scratch like a worker process, wait for the others, send until the
    queue is empty, and report how many deliveries this process claimed."""
    from server.push.worker import Dispatcher
    from tests.conftest import build_app, make_settings

    app = build_app(make_settings(Path(instance), database_url), migrate=False)
    dispatcher = Dispatcher(app, batch=batch, concurrency=concurrency)
    ready.wait()
    claimed = 0
    while count := dispatcher.send_batch():
        claimed += count
    dispatcher.sender.close()
    results.put(claimed)
