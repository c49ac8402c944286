"""Accounts: register, sign in and out, sessions, bearer tokens, deleting everything of a user."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from ..errors import ApiError, Conflict, Forbidden, NotFound, Unauthorized
from ..extensions import db
from ..instants import utcnow
from ..transactions import begin_read, check_no_write_lock, slow_work
from .auth import hash_secret, new_secret
from .models import ApiToken, LoginSession, User

hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
# The test suite hashes thousands of passwords; it uses Argon2id with minimal cost. Only an app
# whose settings say env="testing" (made by the tests, never from the environment) picks it.
_test_hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
_DUMMY_HASH = hasher.hash("not a real password, only for equal timing")


def _hasher() -> PasswordHasher:
    check_no_write_lock("Argon2")  # slow: never while holding the SQLite write lock (server/transactions.py)
    return _test_hasher if current_app.config["TWITCHLOG"].env == "testing" else hasher


class HashingBusy(ApiError):
    """Every hashing slot of this process stayed busy past TWITCHLOG_HASH_WAIT_MS."""

    status = 503

    def __init__(self):
        super().__init__("The server is busy checking other passwords. Try again in a moment.")
        self.headers = [("Retry-After", "2")]


_slots_lock = threading.Lock()


@contextmanager
def hashing_slot():
    """At most TWITCHLOG_HASH_CONCURRENCY Argon2 runs at once per app (each takes ~64 MiB and a core);
    a request waits up to TWITCHLOG_HASH_WAIT_MS for a slot, then gets 503 with Retry-After: the
    server is out of capacity, the client did nothing wrong (so not 429). :raise 503:"""
    settings = current_app.config["TWITCHLOG"]
    extensions = current_app.extensions
    if "argon2_slots" not in extensions:
        with _slots_lock:
            extensions.setdefault("argon2_slots", threading.BoundedSemaphore(max(1, settings.hash_concurrency)))
    slots = extensions["argon2_slots"]
    if not slots.acquire(timeout=max(0, settings.hash_wait_ms) / 1000):
        raise HashingBusy()
    try:
        yield
    finally:
        slots.release()


def hash_password(password: str) -> str:
    with hashing_slot():
        return _hasher().hash(password)
WRONG_LOGIN = "The email or the password is wrong."

# Capabilities that keep rows per user register a deleter here; delete_account runs them all.
account_deleters: list = []


def register(email: str, password: str, timezone: str) -> User:
    """Argon2 first, before any database use (so outside the write lock). :raise 409: when the
    email is taken (case-insensitively)."""
    with slow_work("hashing the new password"):
        password_hash = hash_password(password)
    if db.session.scalar(sa.select(User.id).where(User.email == email.lower())):
        raise Conflict("An account with this email already exists. Sign in instead.")
    user = User(email=email.lower(), password_hash=password_hash, timezone=timezone)
    db.session.add(user)
    db.session.flush()
    return user


def check_password(email: str, password: str) -> User:
    """The account, read again under the write lock after Argon2 ran outside it.

    :raise 401: for an unknown email or a wrong password (the same answer for both).
    """
    begin_read()  # a short read, not queued for the write lock (server/transactions.py)
    row = db.session.execute(sa.select(User.id, User.password_hash).where(User.email == email.lower())).first()
    with slow_work("checking a password"):
        ok = _verify(row.password_hash if row else _DUMMY_HASH, password) and row is not None
        new_hash = hash_password(password) if ok and _hasher().check_needs_rehash(row.password_hash) else None
    if not ok:
        raise Unauthorized(WRONG_LOGIN)
    user = db.session.get(User, row.id)
    if user is None or user.password_hash != row.password_hash:  # deleted or changed meanwhile
        raise Unauthorized(WRONG_LOGIN)
    if new_hash is not None:
        user.password_hash = new_hash
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        with hashing_slot():
            return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def start_session(user: User, user_agent: str | None, days: int) -> tuple[LoginSession, str]:
    secret = new_secret()
    now = utcnow()
    login = LoginSession(
        user_id=user.id,
        token_hash=hash_secret(secret),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=days),
        user_agent=(user_agent or "")[:200] or None,
    )
    db.session.add(login)
    db.session.flush()
    return login, secret


def end_session(session_id: str) -> None:
    db.session.execute(sa.delete(LoginSession).where(LoginSession.id == session_id))


def end_all_sessions(user_id: str) -> None:
    db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user_id))


def revoke_session(user_id: str, session_id: str) -> None:
    """:raise 404: when the session is not the user's."""
    result = db.session.execute(sa.delete(LoginSession).where(LoginSession.id == session_id, LoginSession.user_id == user_id))
    if result.rowcount == 0:
        raise NotFound("No such session.")


def list_sessions(user_id: str) -> list[LoginSession]:
    now = utcnow()
    return list(
        db.session.scalars(
            sa.select(LoginSession)
            .where(LoginSession.user_id == user_id, LoginSession.expires_at > now)
            .order_by(LoginSession.last_seen_at.desc())
        )
    )


def create_token(user: User, label: str) -> tuple[ApiToken, str]:
    secret = "tl_" + new_secret()
    token = ApiToken(user_id=user.id, label=label, token_hash=hash_secret(secret), created_at=utcnow())
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_all_tokens(user_id: str) -> None:
    db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user_id))


def list_tokens(user_id: str) -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at)))


def revoke_token(user_id: str, token_id: str) -> None:
    """:raise 404: when the token is not the user's."""
    result = db.session.execute(sa.delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))
    if result.rowcount == 0:
        raise NotFound("No such token.")


def set_timezone(user: User, timezone: str) -> User:
    user.timezone = timezone
    db.session.flush()
    return user


def set_display_name(user: User, name: str | None) -> User:
    user.display_name = name
    db.session.flush()
    return user


def delete_account(user: User, password: str) -> None:
    """Every row of the user goes (Argon2 first, outside the write lock). :raise 403: with a wrong password."""
    user_id, password_hash = user.id, user.password_hash
    with slow_work("checking the password"):
        ok = _verify(password_hash, password)
    if not ok:
        raise Forbidden("The password is wrong; the account was not deleted.")
    for delete_rows in account_deleters:
        delete_rows(user_id)
    db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user_id))
    db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user_id))
    db.session.execute(sa.delete(User).where(User.id == user_id))
