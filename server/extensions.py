"""Extensions made once here, bound to the app in create_app."""
from __future__ import annotations

from flask import Flask, current_app, has_app_context
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


def bind_sqlite_pragmas(app: Flask) -> None:
    """SQLite: WAL, foreign keys, and explicit BEGIN so a write transaction can be IMMEDIATE."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    busy_ms = int(app.config["TWITCHLOG"].sqlite_busy_ms)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")  # then a clear 503, and the client retries
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


def begin_write() -> None:
    """Make the request's transaction the write one.

    On SQLite, end any read of this request and start BEGIN IMMEDIATE, so the write lock is
    taken up front and a later write never fails on a stale snapshot. On PostgreSQL nothing is
    needed: READ COMMITTED gives each statement a fresh view, and the first write (the change
    counter's UPDATE) takes the row lock that serialises a user's pushes.
    """
    if db.engine.dialect.name == "sqlite":
        db.session.commit()
        db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
