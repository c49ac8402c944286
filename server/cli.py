"""The `twitchlog` command: `run` for a laptop (migrate, serve, dispatch in one process)."""
from __future__ import annotations

import logging
import os
import threading

import click
from flask import Flask

log = logging.getLogger(__name__)


def upgrade_database(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(revision="heads")


@click.group()
def main() -> None:
    """Twitchlog: an honest, offline-first log for post-COVID muscle twitching."""


@main.command()
@click.option("--host", default=lambda: os.environ.get("TWITCHLOG_HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option("--port", default=lambda: int(os.environ.get("TWITCHLOG_PORT", "8000")), type=int, show_default="8000")
def run(host: str, port: int) -> None:
    """Migrate the database if needed, then serve the API and the app on one port."""
    from werkzeug.serving import make_server

    from . import create_app

    app = create_app()
    upgrade_database(app)
    start_background_work(app)
    server = make_server(host, port, app, threaded=True)
    click.echo(f"Twitchlog is running at http://{host}:{port}/  (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


@main.command()
@click.option("--concurrency", default=16, show_default=True, help="messages in flight at once")
@click.option("--batch", default=200, show_default=True, help="deliveries claimed at a time")
@click.option("--once", is_flag=True, help="one pass (plan, send, reap), then exit")
def worker(concurrency: int, batch: int, once: bool) -> None:
    """Send reminders and notifications; run as many as wanted, on any machines. SIGTERM
    finishes the batch in hand, records it and exits."""
    import signal

    from . import create_app
    from .push.worker import Dispatcher

    app = create_app()
    stop = threading.Event()

    def _stop(signum, _frame) -> None:
        log.info("signal %s: finishing the batch in hand, then stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    dispatcher = Dispatcher(app, concurrency=concurrency, batch=batch)
    if once:
        dispatcher.tick(stop)
        dispatcher.sender.close()
    else:
        dispatcher.run(stop)


def start_background_work(app: Flask) -> None:
    """The embedded default runs the reminder dispatcher inside the web process."""
    try:
        from .push.worker import run_dispatcher
    except ImportError:
        return
    thread = threading.Thread(target=run_dispatcher, args=(app,), name="dispatcher", daemon=True)
    thread.start()


def init_app(app: Flask) -> None:
    """Hook for `flask --app server ...` commands of our own."""
