"""The SQLite write rule: how a unit of work takes the write lock (read this before writing a view).

SQLite, the embedded default, has one writer at a time, and in WAL mode a transaction that READ
first and WRITES later cannot wait for the lock: when any other connection committed after its
read began, the write fails at once with SQLITE_BUSY_SNAPSHOT (the busy timeout never applies), and
the person saw a 503 while someone else synced. So, on SQLite:

1. Every request with a writing method (POST, PUT, PATCH, DELETE) begins its transaction with
   BEGIN IMMEDIATE on its first database use: the write lock is taken before the first read, and
   waits up to TWITCHLOG_SQLITE_BUSY_MS for other writers. Nothing to write in a view for that.
   A writing-method endpoint that only reads (sync pull) says so with `@reads_only`, so it does not
   queue behind writers; `begin_read()` does the same for the one short read before slow work.
2. A request that reads (GET) and must write, or a unit of work outside a request (the
   dispatcher, a command), calls `begin_write()` BEFORE the reads its write depends on. Calling it
   where the transaction is already IMMEDIATE does nothing, so it is always safe to call.
3. Slow pure work (Argon2, PDF rendering, parsing an import file) never runs while the lock is
   held: do it before the first database use of the request, or inside `with slow_work():`, which
   ends the transaction so far (reads only: a unit of work that has written may not pause) and
   lets the next database use take the lock again. Values read before it must be plain values
   (ids, hashes), not ORM objects, which expire when the transaction ends.

       @blp.route("/auth/login", methods=["POST"])
       def login(body):
           begin_read()                                    # the short read need not wait for the lock
           row = service.password_row(body["email"])
           with slow_work():                               # the read ends here
               ok = service.verify(row.hash, body["password"])
           user = service.start_session(row.id)           # BEGIN IMMEDIATE again, then write
           db.session.commit()

The wrong way fails loudly in the test suite (env "testing") on SQLite: a write after a read in a
deferred transaction of a request, an Argon2 hash or check while the lock is held (`check_no_write_lock`), a
database use inside `slow_work()`, or `slow_work()` after a write raise `WriteRuleError`. Elsewhere
they are logged, and a request that still meets SQLITE_BUSY_SNAPSHOT is re-run whole, at most
`RETRIES` times, each logged. A 503 keeps its one meaning: the database is down, or locked past
the busy timeout.

PostgreSQL needs none of it and is left exactly as it was: READ COMMITTED gives each statement a
fresh view, and a write waits for the row lock it needs. Every function here is a no-op there.
"""
from __future__ import annotations

import functools
import logging
import time
from contextlib import contextmanager
from typing import Callable

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask.globals import request_ctx
from sqlalchemy import event
from sqlalchemy import exc as sa_exc

from .extensions import db

log = logging.getLogger(__name__)

WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETRIES = 3  # attempts of one request that met a stale snapshot (the mistake this module prevents)
LONG_HOLD = 1.0  # seconds: a write lock held longer than this is logged with its endpoint

# Called with (label, seconds waited for the lock, seconds held) each time a write lock is released
# (benchmarks/lock_bench.py; metrics could count them). The label is "METHOD endpoint" or "background".
lock_observers: list[Callable[[str, float, float], None]] = []


class WriteRuleError(RuntimeError):
    """Code broke the SQLite write rule (see this module's docstring)."""


def _is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def reads_only(view):
    """Mark a writing-method view that never writes: its SQLite transaction stays deferred
    (it reads beside writers, not after them). If it finds it must write after all, it calls
    `begin_write()` first."""
    view.twitchlog_reads_only = True
    return view


def begin_write() -> None:
    """Take the write lock now, before the reads the write depends on (no-op if already held).

    On SQLite, a deferred transaction (reads only) is ended and BEGIN IMMEDIATE starts a new
    one. On PostgreSQL nothing is needed: READ COMMITTED gives each statement a fresh view, and
    the first write (the change counter's UPDATE) takes the row lock that serialises a user's pushes.
    """
    if not _is_sqlite():
        return
    session = db.session()
    if session.in_transaction():
        state = session.connection().info.get(_STATE)
        if state is not None and state.immediate:
            return
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def begin_read() -> None:
    """Begin a deferred (read-only) transaction now, even in a writing request: for the short read
    before slow work, so it does not queue for the lock it is about to let go (sign-in reads the
    password hash, checks it in `slow_work()`, then writes). A write in it is refused like any
    write after a read in a deferred transaction. If a transaction is already open, nothing changes.
    """
    if not _is_sqlite():
        return
    session = db.session()
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_begin": ""})


@contextmanager
def slow_work(what: str = "slow work"):
    """Run slow pure work with no SQLite transaction (so no write lock) held.

    The transaction so far must only have read: it is ended here (SQLite), and the next
    database use begins a new one (IMMEDIATE in a writing request). The block itself must not
    use the database. On PostgreSQL the block just runs.
    """
    if not _is_sqlite():
        yield
        return
    session = db.session()
    if session.in_transaction():
        state = session.connection().info.get(_STATE)
        if state is not None and state.wrote:
            _broken(f"{what} after a write: do it before the unit of work writes, or the work is split in two")
        session.commit()
    g.twitchlog_slow_work = what
    try:
        yield
    finally:
        g.twitchlog_slow_work = None


def check_no_write_lock(what: str) -> None:
    """Call at the start of slow pure work (Argon2 hash or check...): fails when the lock is held."""
    if has_app_context() and g.get("twitchlog_lock_held"):
        _broken(f"{what} while holding the SQLite write lock: do it before the first database use, "
                "or inside `with slow_work():`")


def _broken(message: str) -> None:
    if has_app_context() and current_app.config["TWITCHLOG"].env == "testing":
        raise WriteRuleError(message)
    log.warning("SQLite write rule: %s (%s)", message, _label())


def _label() -> str:
    if has_request_context():
        return f"{request.method} {request.endpoint or request.path}"
    return "background"


def _request_begin_mode() -> str:
    """IMMEDIATE for a writing method, unless its view is marked @reads_only."""
    if not has_request_context() or request.method not in WRITING_METHODS:
        return ""
    mode = g.get("twitchlog_begin_mode")
    if mode is None:
        mode = "IMMEDIATE"
        view = current_app.view_functions.get(request.endpoint or "")
        if view is not None:
            view = getattr(getattr(view, "view_class", None), request.method.lower(), view)
            if getattr(view, "twitchlog_reads_only", False):
                mode = ""
        g.twitchlog_begin_mode = mode
    return mode


_STATE = "twitchlog_tx"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class _TxState:
    __slots__ = ("immediate", "read", "wrote", "started", "waited", "label")

    def __init__(self, immediate: bool, label: str, started: float, waited: float):
        self.immediate, self.read, self.wrote, self.label = immediate, False, False, label
        self.started, self.waited = started, waited


def install(app: Flask, engine) -> None:
    """Bind the rule to an SQLite engine (called by create_app when bind_sqlite_pragmas found SQLite)."""

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if has_app_context() and g.get("twitchlog_slow_work"):
            _broken(f"database use inside slow_work({g.twitchlog_slow_work!r})")
        mode = connection.get_execution_options().get("sqlite_begin")
        if mode is None:
            mode = _request_begin_mode()
        asked = time.perf_counter()
        connection.exec_driver_sql(f"BEGIN {mode}".strip())  # IMMEDIATE waits here, up to the busy timeout
        started = time.perf_counter()
        immediate = mode == "IMMEDIATE"
        connection.info[_STATE] = _TxState(immediate, _label() if immediate else "", started, started - asked)
        if immediate and has_app_context():
            g.twitchlog_lock_held = True

    def _on_end(connection):
        state = connection.info.pop(_STATE, None)
        if state is None or not state.immediate:
            return
        if has_app_context():
            g.twitchlog_lock_held = False
        held = time.perf_counter() - state.started
        if held > LONG_HOLD:
            log.warning("SQLite write lock held %.2f s by %s", held, state.label)
        for observer in lock_observers:
            observer(state.label, state.waited, held)

    event.listen(engine, "commit", _on_end)
    event.listen(engine, "rollback", _on_end)

    @event.listens_for(engine, "before_cursor_execute")
    def _watch(connection, _cursor, statement, _parameters, _context, _executemany):
        state = connection.info.get(_STATE)
        if state is None or state.wrote:  # after its first write, nothing more to learn about a transaction
            return
        if statement.lstrip()[:7].upper().startswith(_WRITES):
            if not state.immediate and state.read and has_request_context():
                _broken("a write after a read in a deferred transaction: call begin_write() before the reads "
                        "the write depends on (writing methods get it automatically)")
            state.wrote = True
        else:
            state.read = True

    _retry_stale_snapshots(app)


def is_stale_snapshot(error: BaseException) -> bool:
    return getattr(getattr(error, "orig", None), "sqlite_errorname", None) == "SQLITE_BUSY_SNAPSHOT"


def _retry_stale_snapshots(app: Flask) -> None:
    """Re-run a whole request that met SQLITE_BUSY_SNAPSHOT (bounded, logged): the safety net
    for a path that broke the rule outside the tests. Nothing of the failed attempt was written."""
    dispatch = app.dispatch_request

    @functools.wraps(dispatch)
    def dispatch_request():
        ctx = request_ctx._get_current_object()
        callbacks = len(ctx._after_request_functions)
        for attempt in range(1, RETRIES + 1):
            try:
                return dispatch()
            except sa_exc.OperationalError as error:
                if attempt == RETRIES or not is_stale_snapshot(error):
                    raise
                db.session.rollback()
                del ctx._after_request_functions[callbacks:]  # cookies etc. of the failed attempt
                for name in ("auth_loaded", "user", "twitchlog_lock_held"):
                    g.pop(name, None)
                log.warning("SQLite stale snapshot on %s %s: retrying the request (attempt %d of %d)",
                            request.method, request.path, attempt + 1, RETRIES)
        raise AssertionError("unreachable")

    app.dispatch_request = dispatch_request
