"""HTTP for accounts: /api/v1/auth/*, /api/v1/me."""
from __future__ import annotations

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from ..extensions import db, limiter
from . import service
from .auth import current_user, current_user_id, login_required, set_session_cookie
from .schemas import (
    LoginSchema,
    MePatchSchema,
    NewTokenSchema,
    PasswordSchema,
    RegisterSchema,
    SessionSchema,
    TokenCreateSchema,
    TokenSchema,
    UserSchema,
)

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Accounts, sessions and tokens")


def _settings():
    return current_app.config["TWITCHLOG"]


def _login_key() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    email = email.strip().lower()[:254] if isinstance(email, str) else ""
    return f"{request.remote_addr}|{email}"


def _failed(response) -> bool:
    return response.status_code == 401


# One count of failed password checks per address and email, whichever endpoint checked the password.
_failed_logins = limiter.shared_limit(lambda: _settings().login_limit, scope="login", key_func=_login_key, deduct_when=_failed)




def _sign_in(user) -> None:
    _, secret = service.start_session(user, request.user_agent.string, _settings().session_days)
    db.session.commit()
    set_session_cookie(secret)


@blp.route("/auth/register", methods=["POST"])
@limiter.limit(lambda: _settings().register_limit)
@blp.arguments(RegisterSchema())
@blp.response(201, UserSchema)
def register(body):
    """Create an account and sign in."""
    from ..sync.service import create_counter

    user = service.register(body["email"], body["password"], body["timezone"])
    create_counter(user.id)
    _sign_in(user)
    return user


@blp.route("/auth/login", methods=["POST"])
@_failed_logins
@blp.arguments(LoginSchema())
@blp.response(200, UserSchema)
def login(body):
    """Sign in with email and password; sets the session cookie."""
    user = service.check_password(body["email"], body["password"])
    _sign_in(user)
    return user


@blp.route("/auth/logout", methods=["POST"])
@blp.response(204)
def logout():
    """End this session (no error when there is none)."""
    current_user()
    if g.get("session_id"):
        service.end_session(g.session_id)
        db.session.commit()
    set_session_cookie(None)


@blp.route("/auth/logout-all", methods=["POST"])
@login_required
@blp.response(204)
def logout_all():
    """End every session of this account."""
    service.end_all_sessions(current_user_id())
    db.session.commit()
    set_session_cookie(None)


@blp.route("/auth/sessions", methods=["GET"])
@login_required
@blp.response(200, SessionSchema(many=True))
def sessions():
    """The signed-in browsers of this account."""
    rows = service.list_sessions(current_user_id())
    return [
        {**{c: getattr(s, c) for c in ("id", "created_at", "last_seen_at", "expires_at", "user_agent")}, "current": s.id == g.session_id}
        for s in rows
    ]


@blp.route("/auth/sessions/<string:session_id>", methods=["DELETE"])
@login_required
@blp.response(204)
def revoke_session(session_id):
    """End one session of this account."""
    service.revoke_session(current_user_id(), session_id)
    db.session.commit()


@blp.route("/auth/tokens")
class Tokens(MethodView):
    @_failed_logins
    @blp.arguments(TokenCreateSchema())
    @blp.response(201, NewTokenSchema)
    def post(self, body):
        """Make a bearer token for a script; the secret is shown only now."""
        user = service.check_password(body["email"], body["password"])
        token, secret = service.create_token(user, body["label"])
        db.session.commit()
        return {"id": token.id, "token": secret, "label": token.label, "created_at": token.created_at}

    @login_required
    @blp.response(200, TokenSchema(many=True))
    def get(self):
        """The bearer tokens of this account, without their secrets."""
        return service.list_tokens(current_user_id())


@blp.route("/auth/tokens/<string:token_id>", methods=["DELETE"])
@login_required
@blp.response(204)
def revoke_token(token_id):
    """Revoke a bearer token; it stops working at once."""
    service.revoke_token(current_user_id(), token_id)
    db.session.commit()


@blp.route("/me")
class Me(MethodView):
    @login_required
    @blp.response(200, UserSchema)
    def get(self):
        """The signed-in account."""
        return current_user()

    @login_required
    @blp.arguments(MePatchSchema())
    @blp.response(200, UserSchema)
    def patch(self, body):
        """Change the account's time zone or the name on its reports (null clears the name)."""
        user = current_user()
        if "timezone" in body:
            service.set_timezone(user, body["timezone"])
        if "display_name" in body:
            service.set_display_name(user, body["display_name"])
        for key in ("day_starts_at", "calm_mode"):  # plain settings, validated by the schema
            if key in body:
                setattr(user, key, body[key])
        db.session.commit()
        return user

    @login_required
    @blp.arguments(PasswordSchema())
    @blp.response(204)
    def delete(self, body):
        """Delete the account and every row it owns."""
        service.delete_account(current_user(), body["password"])
        db.session.commit()
        set_session_cookie(None)
