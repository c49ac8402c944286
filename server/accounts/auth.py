"""Who is calling: a session cookie or a bearer token, looked up by the hash of its secret."""
from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import after_this_request, current_app, g, request

from ..errors import Unauthorized
from ..extensions import db
from ..instants import utcnow
from .models import ApiToken, LoginSession, User

SESSION_COOKIE = "twitchlog_session"
TOUCH_EVERY = timedelta(hours=1)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    return None


def _load_caller() -> None:
    g.user, g.auth, g.session_id, g.token_id = None, None, None, None
    now = utcnow()
    if "Authorization" in request.headers:
        token = bearer_token()
        if not token or len(token) > 200:
            return
        row = db.session.execute(
            sa.select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == hash_secret(token))
        ).first()
        if row is None:
            return
        api_token, user = row
        if api_token.last_used_at is None or now - api_token.last_used_at > TOUCH_EVERY:
            api_token.last_used_at = now
            db.session.commit()
        g.user, g.auth, g.token_id = user, "token", api_token.id
        return
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret or len(secret) > 200:
        return
    row = db.session.execute(
        sa.select(LoginSession, User).join(User, User.id == LoginSession.user_id).where(LoginSession.token_hash == hash_secret(secret))
    ).first()
    if row is None:
        return
    login, user = row
    if login.expires_at <= now:
        return
    if now - login.last_seen_at > TOUCH_EVERY:
        login.last_seen_at = now
        login.expires_at = now + timedelta(days=current_app.config["TWITCHLOG"].session_days)
        db.session.commit()
        set_session_cookie(secret)  # the browser's copy lives as long as the server's row
    g.user, g.auth, g.session_id = user, "session", login.id


def set_session_cookie(secret: str | None) -> None:
    """Set (or, with None, clear) the session cookie on this request's response."""
    settings = current_app.config["TWITCHLOG"]
    secure = request.is_secure or (settings.public_url or "").startswith("https://")

    @after_this_request
    def _cookie(response):
        if secret is None:
            response.delete_cookie(SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="Lax")
        else:
            response.set_cookie(SESSION_COOKIE, secret, max_age=settings.session_days * 86400, path="/",
                                secure=secure, httponly=True, samesite="Lax")
        return response


def current_user() -> User | None:
    if "auth_loaded" not in g:
        _load_caller()
        g.auth_loaded = True
    return g.user


def login_required(view):
    """The view runs only for a signed-in caller. :raise 401: otherwise."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_user() is None:
            raise Unauthorized()
        return view(*args, **kwargs)

    return wrapper


def has_session_cookie() -> bool:
    return bool(request.cookies.get(SESSION_COOKIE))
