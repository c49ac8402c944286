"""Changing a password, and resetting a forgotten one with a link sent by email (§12).

A reset token is 32 random bytes in the link's fragment (`/reset#<token>`, never sent to the
server in a URL, so never in an access log); only its SHA-256 is stored. It works once, for 60
minutes. Asking for a reset costs no Argon2 and answers the same whether or not the account exists.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from .. import mail
from ..errors import ApiError, Conflict, Forbidden
from ..extensions import db
from ..instants import utcnow
from .auth import hash_secret, new_secret
from .models import ApiToken, LoginSession, PasswordReset, User
from .service import _verify

RESET_VALID = timedelta(minutes=60)
BAD_RESET = "This reset link has expired or was already used. Ask for a new one from the sign-in screen."


class InvalidResetToken(ApiError):
    status = 400

    def __init__(self):
        super().__init__(BAD_RESET, {"token": [BAD_RESET]})


def end_sign_ins(user_id: str, keep_session_id: str | None = None) -> None:
    """End every session (but the one kept) and every bearer token, and void open reset links."""
    sessions = sa.delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep_session_id:
        sessions = sessions.where(LoginSession.id != keep_session_id)
    db.session.execute(sessions)
    db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user_id))
    db.session.execute(sa.delete(PasswordReset).where(PasswordReset.user_id == user_id))


def check_current(password_hash: str, password: str) -> None:
    """Argon2: run it outside the write lock. :raise 403: with a wrong password."""
    if not _verify(password_hash, password):
        raise Forbidden("The current password is wrong; the password was not changed.")


def set_password(user_id: str, old_hash: str, new_hash: str, keep_session_id: str | None) -> None:
    """Store the new hash (computed before the write lock) unless the password changed meanwhile.

    :raise 409: when another request changed the password since `old_hash` was read.
    """
    changed = db.session.execute(
        sa.update(User).where(User.id == user_id, User.password_hash == old_hash).values(password_hash=new_hash))
    if changed.rowcount != 1:
        raise Conflict("The password was changed elsewhere at the same moment. Sign in with the new one.")
    end_sign_ins(user_id, keep_session_id)
    db.session.flush()


def start_reset(email: str) -> str | None:
    """A new reset token for the account with this email, or None when there is none."""
    user_id = db.session.scalar(sa.select(User.id).where(User.email == email.lower()))
    now = utcnow()
    # Links that expired long ago are of no use to anyone: tidy them on the way.
    db.session.execute(sa.delete(PasswordReset).where(PasswordReset.expires_at < now - timedelta(days=1)))
    if user_id is None:
        return None
    token = new_secret()
    db.session.add(PasswordReset(user_id=user_id, token_hash=hash_secret(token), created_at=now, expires_at=now + RESET_VALID))
    db.session.flush()
    return token


def reset_message(email: str, origin: str, token: str):
    settings = current_app.config["TWITCHLOG"]
    link = f"{origin}/reset#{token}"
    body = (
        "Someone, probably you, asked to reset the password of the Twitchlog account for this email address.\n\n"
        f"To choose a new password, open this link within 60 minutes:\n\n{link}\n\n"
        "The link works once. Every device signed in to the account will be signed out.\n\n"
        "If you did not ask for this, you can ignore this email: your password stays as it is.\n"
    )
    return mail.compose(settings.mail_from, email, "Reset your Twitchlog password", body)


def usable_reset(token: str) -> None:
    """Cheap check before any Argon2: :raise 400: for an unknown, used or expired token."""
    row = db.session.execute(
        sa.select(PasswordReset.id).where(PasswordReset.token_hash == hash_secret(token), PasswordReset.used_at.is_(None),
                                          PasswordReset.expires_at > utcnow())).first()
    if row is None:
        raise InvalidResetToken()


def finish_reset(token: str, new_hash: str) -> None:
    """Claim the token (once, even against a second request racing this one) and set the password.

    :raise 400: when the token is unknown, used or expired.
    """
    now = utcnow()
    token_hash = hash_secret(token)
    user_id = db.session.scalar(
        sa.select(PasswordReset.user_id).where(PasswordReset.token_hash == token_hash, PasswordReset.used_at.is_(None),
                                               PasswordReset.expires_at > now))
    claimed = db.session.execute(
        sa.update(PasswordReset).where(PasswordReset.token_hash == token_hash, PasswordReset.used_at.is_(None),
                                       PasswordReset.expires_at > now).values(used_at=now))
    if user_id is None or claimed.rowcount != 1:
        raise InvalidResetToken()
    db.session.execute(sa.update(User).where(User.id == user_id).values(password_hash=new_hash))
    end_sign_ins(user_id)
    db.session.flush()
