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
@click.option("--threads", default=lambda: int(os.environ.get("TWITCHLOG_THREADS", "8")), type=int, show_default="8")
def run(host: str, port: int, threads: int) -> None:
    """Migrate the database if needed, then serve the API and the app on one port.

    Served by waitress, a production WSGI server that needs no reverse proxy, with the app's
    text assets compressed (br or gzip) and cached as nginx caches them in production."""
    from waitress import serve

    app = embedded_app()
    upgrade_database(app)
    start_background_work(app)
    click.echo(where_the_data_lives(app))
    click.echo(f"Twitchlog is running at http://{host}:{port}/  (Ctrl+C to stop)")
    serve(app, host=host, port=port, threads=threads, ident="Twitchlog", clear_untrusted_proxy_headers=True)


def embedded_app() -> Flask:
    """The app as `twitchlog run` serves it: compressed text assets, as nginx gives them."""
    from flask_compress import Compress

    from . import create_app

    app = create_app()
    app.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_MIMETYPES=["text/html", "text/css", "text/javascript", "application/javascript",
                            "application/manifest+json", "image/svg+xml", "text/plain"],
        COMPRESS_MIN_SIZE=512,
        COMPRESS_BR_LEVEL=5,
    )
    Compress(app)
    return app


def where_the_data_lives(app: Flask) -> str:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///")).resolve()
        return (f"Your data lives in {path} (and the keys beside it in {path.parent}).\n"
                f"Back it up while it runs:  twitchlog backup ~/twitchlog-backup.sqlite3\n"
                f"Restore a backup (stop the app first):  twitchlog restore ~/twitchlog-backup.sqlite3")
    return "Your data lives in PostgreSQL (DATABASE_URL): back it up with pg_dump -Fc (see the README)."


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


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="replace a database that already holds data (a copy of it is kept first)")
def restore(source: Path, force: bool) -> None:
    """Restore a `twitchlog backup` copy into the embedded SQLite database, then migrate it.

    Stop `twitchlog run` first. The backup is checked (integrity, a Twitchlog schema this version
    knows) before anything is touched; a database that already holds data is replaced only with
    --force, and is itself copied aside first."""
    import sqlite3
    from datetime import datetime, timezone

    from . import create_app
    from .config import Settings

    url = Settings.from_environment().database_url
    if not url.startswith("sqlite:///"):
        raise click.ClickException("DATABASE_URL is not SQLite: restore PostgreSQL with pg_restore (see the README).")
    target_path = Path(url.removeprefix("sqlite:///"))
    revision = check_backup(source)
    if target_path.exists() and holds_data(target_path):
        if not force:
            raise click.ClickException(f"{target_path} already holds data. Stop the app, then run again with --force to replace it.")
        aside = target_path.with_name(f"{target_path.name}.before-restore-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}")
        copy_sqlite(target_path, aside)
        click.echo(f"Kept the database it replaces at {aside}.")
    target_path.parent.mkdir(parents=True, exist_ok=True)
    copy_sqlite(source, target_path)
    app = create_app()
    upgrade_database(app)
    with sqlite3.connect(target_path) as connection:
        users = connection.execute("SELECT count(*) FROM users").fetchone()[0]
        twitches = connection.execute("SELECT count(*) FROM twitches").fetchone()[0]
    connection.close()
    click.echo(f"Restored {source} (schema {revision}) into {target_path}: {users} accounts, {twitches} twitches.")


def check_backup(path: Path) -> str:
    """The backup's schema revision, after checking it is a sound Twitchlog database this version knows."""
    import sqlite3

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from .config import REPO_ROOT

    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            revisions = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")] if "alembic_version" in tables else []
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"{path} is not a SQLite database ({error}).") from None
    if integrity != "ok":
        raise click.ClickException(f"{path} failed its integrity check: {integrity}")
    if not {"users", "twitches"} <= tables or len(revisions) != 1:
        raise click.ClickException(f"{path} is not a Twitchlog backup.")
    config = Config()
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if revisions[0] not in known:
        raise click.ClickException(f"{path} was made by a newer Twitchlog (schema {revisions[0]}): upgrade this install first.")
    return revisions[0]


def holds_data(path: Path) -> bool:
    import sqlite3

    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return "users" in tables and connection.execute("SELECT count(*) FROM users").fetchone()[0] > 0
    finally:
        connection.close()


def copy_sqlite(source: Path, destination: Path) -> None:
    """SQLite's online backup: a consistent copy even while the source is written; owner-only."""
    import sqlite3

    source_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    target_db = sqlite3.connect(destination, timeout=30)
    try:
        source_db.backup(target_db, pages=1024)
    finally:
        target_db.close()
        source_db.close()
    os.chmod(destination, 0o600)


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
