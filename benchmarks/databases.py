"""A scratch database for a benchmark: a fresh SQLite file, or (DATABASE_URL set to PostgreSQL) a
new database made beside the one named, dropped again by the returned function."""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Callable

import sqlalchemy as sa


def scratch_database(prefix: str) -> tuple[str, Callable[[], None]]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        return f"sqlite:///{path}", lambda: None
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"{prefix}_{secrets.token_hex(3)}"
    admin = sa.create_engine(sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return sa.make_url(url).set(database=name).render_as_string(hide_password=False), drop
