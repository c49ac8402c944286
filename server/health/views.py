"""GET /healthz (the process is up) and GET /readyz (database reachable, migrations current)."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Blueprint, jsonify

from ..config import REPO_ROOT
from ..errors import envelope, rollback_quietly
from ..extensions import db

blp = Blueprint("health", __name__)
_heads: set[str] | None = None


def expected_heads() -> set[str]:
    global _heads
    if _heads is None:
        config = Config()
        config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
        _heads = set(ScriptDirectory.from_config(config).get_heads())
    return _heads


@blp.route("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@blp.route("/readyz")
def readyz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:  # any database failure means: not ready
        rollback_quietly()
        return envelope(503, "The database cannot be reached.", headers=[("Retry-After", "1")])
    try:
        current = set(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")))
    except sa.exc.DBAPIError:  # no alembic_version table: never migrated
        current = set()
    db.session.rollback()
    if current != expected_heads():
        return envelope(503, "The database schema is not current: run `flask --app server db upgrade`.")
    return jsonify({"status": "ready", "database": db.engine.dialect.name, "schema": sorted(current)})
