"""Look through every table the database has, for tests that must prove something is nowhere."""
from __future__ import annotations

import sqlalchemy as sa

from server.extensions import db


def all_tables(app) -> list[sa.Table]:
    """Every table of the migrated database (reflected, so tables added by anyone later are included)."""
    with app.app_context():
        reflected = sa.MetaData()
        reflected.reflect(db.engine)
    missing = set(db.metadata.tables) - set(reflected.tables)
    assert not missing, f"models without a table in the database: {sorted(missing)}"
    return [table for table in reflected.sorted_tables if table.name != "alembic_version"]


def rows_holding(app, value: str) -> dict[str, int]:
    """table name -> how many of its rows hold `value` in any column (compared as text)."""
    found = {}
    tables = all_tables(app)
    with app.app_context(), db.engine.connect() as connection:
        for table in tables:
            matches = [sa.cast(column, sa.Text).contains(value, autoescape=True) for column in table.columns]
            count = connection.scalar(sa.select(sa.func.count()).select_from(table).where(sa.or_(*matches)))
            if count:
                found[table.name] = count
    return found
