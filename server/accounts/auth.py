"""Who is calling: a session cookie or a bearer token, looked up by the hash of its secret."""
from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import after_this_request, current_app, g, request
from flask.sessions import NullSession, SessionInterface

from .. import direct_sql
from ..errors import Unauthorized
from ..extensions import db
from ..transactions import begin_write
from ..instants import utcnow
from .models import ApiToken, LoginSession, User

SESSION_COOKIE = "twitchlog_session"
# Production: Secure, and the __Host- prefix makes the browser refuse the cookie unless it is
# Secure, for path=/ and without Domain, so no sibling subdomain or plain-http page can plant one.
HOST_SESSION_COOKIE = "__Host-" + SESSION_COOKIE
TOUCH_EVERY = timedelta(hours=1)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def session_cookie_name() -> str:
    return HOST_SESSION_COOKIE if current_app.config["TWITCHLOG"].production else SESSION_COOKIE


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    return None


SESSIONS, TOKENS = LoginSession.__table__, ApiToken.__table__
# Built once: the lookup runs on every authenticated request, and building the expression each
# time cost more than running it. Only the columns the check needs; the user row loads on demand.
SESSION_BY_HASH = sa.select(SESSIONS.c.id, SESSIONS.c.user_id, SESSIONS.c.expires_at, SESSIONS.c.last_seen_at).where(
    SESSIONS.c.token_hash == sa.bindparam("token_hash"))
TOKEN_BY_HASH = sa.select(TOKENS.c.id, TOKENS.c.user_id, TOKENS.c.last_used_at).where(TOKENS.c.token_hash == sa.bindparam("token_hash"))
TOUCH_SESSION = sa.update(SESSIONS).where(SESSIONS.c.id == sa.bindparam("session_id")).values(
    last_seen_at=sa.bindparam("now"), expires_at=sa.bindparam("new_expires_at"))
TOUCH_TOKEN = sa.update(TOKENS).where(TOKENS.c.id == sa.bindparam("token_id")).values(last_used_at=sa.bindparam("now"))


def _load_caller() -> None:
    g.user_id, g.auth, g.session_id, g.token_id = None, None, None, None
    now = utcnow()
    connection = db.session.connection()
    if "Authorization" in request.headers:
        token = bearer_token()
        if not token or len(token) > 200:
            return
        row = direct_sql.execute(connection, TOKEN_BY_HASH, {"token_hash": hash_secret(token)}, first=True)
        if row is None:
            return
        if row["last_used_at"] is None or now - row["last_used_at"] > TOUCH_EVERY:
            begin_write()  # a GET has read already: take the write lock first (server/transactions.py)
            db.session.connection().execute(TOUCH_TOKEN, {"token_id": row["id"], "now": now})
            db.session.commit()
        g.user_id, g.auth, g.token_id = row["user_id"], "token", row["id"]
        return
    secret = request.cookies.get(session_cookie_name())
    if not secret or len(secret) > 200:
        return
    # the driver's cursor on PostgreSQL: every signed-in request runs this (server/direct_sql.py)
    row = direct_sql.execute(connection, SESSION_BY_HASH, {"token_hash": hash_secret(secret)}, first=True)
    if row is None or row["expires_at"] <= now:
        return
    if now - row["last_seen_at"] > TOUCH_EVERY:
        expires_at = now + timedelta(days=current_app.config["TWITCHLOG"].session_days)
        begin_write()  # as for tokens above
        db.session.connection().execute(TOUCH_SESSION, {"session_id": row["id"], "now": now, "new_expires_at": expires_at})
        db.session.commit()
        set_session_cookie(secret)  # the browser's copy lives as long as the server's row
    g.user_id, g.auth, g.session_id = row["user_id"], "session", row["id"]


def set_session_cookie(secret: str | None) -> None:
    """Set (or, with None, clear) the session cookie on this request's response."""
    settings = current_app.config["TWITCHLOG"]
    secure = settings.production or request.is_secure or (settings.public_url or "").startswith("https://")
    name = session_cookie_name()

    @after_this_request
    def _cookie(response):
        if secret is None:
            response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="Lax")
        else:
            response.set_cookie(name, secret, max_age=settings.session_days * 86400, path="/",
                                secure=secure, httponly=True, samesite="Lax")
        return response


def current_user_id() -> str | None:
    """The caller's user id, or None when nobody is signed in (one indexed lookup per request)."""
    if "auth_loaded" not in g:
        _load_caller()
        g.auth_loaded = True
    return g.user_id


def current_user() -> User | None:
    """The caller's account row, loaded on first use (most requests need only the id)."""
    user_id = current_user_id()
    if user_id is None:
        return None
    if "user" not in g:
        g.user = db.session.get(User, user_id)
    return g.user


def login_required(view):
    """The view runs only for a signed-in caller. :raise 401: otherwise."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_user_id() is None:
            raise Unauthorized()
        return view(*args, **kwargs)

    return wrapper


class ServerSideSessionsOnly(SessionInterface):
    """Flask's own signed-cookie session is never used: sessions are rows, looked up above. Opening
    it anyway (a signing serializer and a cookie lookup on every request) cost a sync push ~3 % of
    its CPU. `flask.session` reads as empty and refuses writes with a message saying why."""

    class null_session_class(NullSession):
        def _fail(self, *args, **kwargs):
            raise RuntimeError("flask.session is not used: sign-in sessions are database rows (server/accounts/auth.py).")

        __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail

    def open_session(self, app, request):
        return self.null_session_class()

    def save_session(self, app, session, response):
        return None


def has_session_cookie() -> bool:
    return bool(request.cookies.get(SESSION_COOKIE) or request.cookies.get(HOST_SESSION_COOKIE))
