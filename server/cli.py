"""The `twitchlog` command: `run` for a laptop (migrate, serve, dispatch in one process)."""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

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
    from .push.worker import run_dispatcher

    thread = threading.Thread(target=run_dispatcher, args=(app,), name="dispatcher", daemon=True)
    thread.start()


@main.command()
@click.argument("destination", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup(destination: Path) -> None:
    """Copy the embedded SQLite database to DESTINATION while the app keeps running.

    Uses SQLite's online backup, so the copy is consistent even mid-write. For PostgreSQL use
    pg_dump (see the README)."""
    import sqlite3

    from .config import Settings

    url = Settings.from_environment().database_url
    if not url.startswith("sqlite:///"):
        raise click.ClickException("DATABASE_URL is not SQLite: back up PostgreSQL with `pg_dump -Fc`.")
    source_path = url.removeprefix("sqlite:///")
    if not Path(source_path).exists():
        raise click.ClickException(f"There is no database at {source_path} yet.")
    if destination.exists():
        raise click.ClickException(f"{destination} exists; choose a new file.")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(destination)
    try:
        source.backup(target, pages=1024)
        integrity = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.close()
    if integrity != "ok":
        raise click.ClickException(f"The copy failed its integrity check: {integrity}")
    os.chmod(destination, 0o600)
    click.echo(f"Backed up {source_path} to {destination} (integrity ok).")


@main.command("vapid-key")
def vapid_key() -> None:
    """Print a new VAPID private key (PEM) for TWITCHLOG_VAPID_KEY_FILE, and its public key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from .push.vapid import b64url

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    click.echo(pem.decode(), nl=False)
    click.echo(f"# public key (applicationServerKey): {b64url(public)}", err=True)
