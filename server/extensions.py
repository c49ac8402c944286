"""Extensions made once here, bound to the app in create_app.

Writing to the database? Read server/transactions.py first: on SQLite a writing request takes the
write lock before its first read, and slow work (Argon2, PDFs, parsing) happens outside it.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, has_app_context, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.orm import DeclarativeBase

from .config import REPO_ROOT

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(directory=str(REPO_ROOT / "migrations"), compare_type=True, render_as_batch=True)
api = Api()


class AppLimiter(Limiter):
    """One limiter for the route decorators, but each app keeps the storage its own settings chose.

    Flask-Limiter keeps its storage on the instance, so the last app bound would count for every
    app in the process (tests, or an embedded app beside another): the storage and its strategy
    are looked up on the current app instead.
    """

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        app.extensions["rate_limit_storage"] = {"_storage": self.__dict__["_storage"], "_limiter": self.__dict__["_limiter"]}

    def unlimited(self, blueprint: Blueprint) -> Blueprint:
        """Exempt a blueprint no limit applies to, and skip the per-request check for it outright:
        finding that nothing applies walked every limit source and cost a single sync push ~6 % of
        its CPU. A route of it that gets its own `@limiter.limit` is still checked by that decorator."""
        self.__dict__.setdefault("_unlimited_blueprints", set()).add(blueprint.name)
        return self.exempt(blueprint)

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if in_middleware and request.blueprint in self.__dict__.get("_unlimited_blueprints", ()):
            return None
        return super()._check_request_limit(callable_name, in_middleware)

    def _per_app(name):
        def get(self):
            if has_app_context() and "rate_limit_storage" in current_app.extensions:
                return current_app.extensions["rate_limit_storage"][name]
            return self.__dict__.get(name)

        def set_(self, value):
            self.__dict__[name] = value

        return property(get, set_)

    _storage = _per_app("_storage")
    _limiter = _per_app("_limiter")
    del _per_app


limiter = AppLimiter(key_func=get_remote_address, default_limits=[])


def bind_sqlite_pragmas(app: Flask) -> bool:
    """SQLite: WAL and foreign keys; True when the engine is SQLite, where create_app then binds
    the write rule of server/transactions.py (read it before writing a view: writing requests
    take the write lock first, slow work happens outside it)."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return False
    busy_ms = int(app.config["TWITCHLOG"].sqlite_busy_ms)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (server/transactions.py)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")  # then a clear 503, and the client retries
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return True
