"""HTTP for accounts: /api/v1/auth/*, /api/v1/me."""
from __future__ import annotations

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from .. import mail
from ..extensions import db, limiter
from ..transactions import begin_write
from ..security import own_origin
from ..transactions import slow_work
from . import passkeys, passwords, service, throttle
from .auth import current_user, current_user_id, login_required, set_session_cookie
from .schemas import (
    LoginSchema,
    LogoutAllSchema,
    MePatchSchema,
    NewPasskeySchema,
    NewTokenSchema,
    PasskeyLoginSchema,
    PasskeyRegisterSchema,
    PasskeySchema,
    PasswordChangeSchema,
    PasswordSchema,
    RegisterSchema,
    ResetConfirmSchema,
    ResetRequestSchema,
    SessionSchema,
    TokenCreateSchema,
    TokenSchema,
    UserSchema,
)

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Accounts, sessions and tokens")


def _settings():
    return current_app.config["TWITCHLOG"]



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
@blp.arguments(LoginSchema())
@blp.response(200, UserSchema)
def login(body):
    """Sign in with email and password; sets the session cookie. Failures are limited (§4, §12)."""
    with throttle.guarded(throttle.password_budgets(body["email"])):
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
@blp.arguments(LogoutAllSchema())
@blp.response(204)
def logout_all(body):
    """End every session of this account; with {"tokens": true} revoke every bearer token too."""
    service.end_all_sessions(current_user_id())
    if body.get("tokens"):
        service.revoke_all_tokens(current_user_id())
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
    @blp.arguments(TokenCreateSchema())
    @blp.response(201, NewTokenSchema)
    def post(self, body):
        """Make a bearer token for a script; the secret is shown only now."""
        with throttle.guarded(throttle.password_budgets(body["email"])):
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
        """Change the account's time zone, the name on its reports (null clears it), day start or calm mode."""
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
        """Delete the account and every row it owns. A wrong password counts as a failed login."""
        user = current_user()
        with throttle.guarded(throttle.password_budgets(user.email)):
            service.delete_account(user, body["password"])
        db.session.commit()
        set_session_cookie(None)


# --- §12: password change and reset, passkeys ----------------------------------------------

@blp.route("/auth/password", methods=["POST"])
@login_required
@blp.arguments(PasswordChangeSchema())
@blp.response(204)
def change_password(body):
    """Change the password: every other session and every bearer token ends, this session stays."""
    user = current_user()
    user_id, email, old_hash, session_id = user.id, user.email, user.password_hash, g.session_id
    with slow_work("checking the current password and hashing the new one"):
        with throttle.guarded(throttle.password_budgets(email)):
            passwords.check_current(old_hash, body["current_password"])
        new_hash = service.hash_password(body["new_password"])
    begin_write()
    passwords.set_password(user_id, old_hash, new_hash, keep_session_id=session_id)
    db.session.commit()


@blp.route("/auth/password-reset", methods=["POST"])
@blp.arguments(ResetRequestSchema())
@blp.response(202)
def request_password_reset(body):
    """Email a reset link when an account has this email; the answer is the same either way."""
    budgets = throttle.reset_budgets(body["email"])
    throttle.check(*budgets)
    throttle.spend(*budgets)
    begin_write()
    token = passwords.start_reset(body["email"])
    db.session.commit()
    if token:  # after the commit, outside any transaction, by the courier thread
        mail.send_later(_settings().smtp_url, passwords.reset_message(body["email"], own_origin(), token))


@blp.route("/auth/password-reset/confirm", methods=["POST"])
@blp.arguments(ResetConfirmSchema())
@blp.response(204)
def confirm_password_reset(body):
    """Set a new password with the emailed token; every session and bearer token of the account ends."""
    passwords.usable_reset(body["token"])  # a bad token costs no Argon2
    with slow_work("hashing the new password"):
        new_hash = service.hash_password(body["new_password"])
    begin_write()
    passwords.finish_reset(body["token"], new_hash)
    db.session.commit()


@blp.route("/auth/passkeys/register/options", methods=["POST"])
@login_required
@blp.response(200)
def passkey_register_options():
    """Creation options for navigator.credentials.create() (a discoverable credential)."""
    begin_write()
    options = passkeys.registration_options(current_user())
    db.session.commit()
    return options


@blp.route("/auth/passkeys/register", methods=["POST"])
@login_required
@blp.arguments(PasskeyRegisterSchema())
@blp.response(201, NewPasskeySchema)
def passkey_register(body):
    """Keep a new passkey of this account."""
    user = current_user()
    challenge, verified = passkeys.verify_registration(user, body["credential"])
    begin_write()
    passkey = passkeys.add_passkey(user, challenge, verified, body["label"])
    db.session.commit()
    return passkey


@blp.route("/auth/passkeys", methods=["GET"])
@login_required
@blp.response(200, PasskeySchema(many=True))
def passkey_list():
    """The passkeys of this account."""
    return passkeys.list_passkeys(current_user_id())


@blp.route("/auth/passkeys/<string:passkey_id>", methods=["DELETE"])
@login_required
@blp.response(204)
def passkey_remove(passkey_id):
    """Remove a passkey; it can no longer sign in."""
    begin_write()
    passkeys.remove_passkey(current_user_id(), passkey_id)
    db.session.commit()


@blp.route("/auth/passkeys/login/options", methods=["POST"])
@limiter.limit(lambda: _settings().login_address_limit, key_func=throttle.client_group)  # each answer stores a challenge
@blp.response(200)
def passkey_login_options():
    """Request options for navigator.credentials.get(): no email asked, the passkey names the account."""
    begin_write()
    options = passkeys.login_options()
    db.session.commit()
    return options


@blp.route("/auth/passkeys/login", methods=["POST"])
@blp.arguments(PasskeyLoginSchema())
@blp.response(200, UserSchema)
def passkey_login(body):
    """Sign in with a passkey; sets the session cookie, as a password login does."""
    with throttle.guarded(throttle.passkey_budgets()):
        challenge, passkey_id, old_count, new_count = passkeys.verify_login(body["credential"])
        begin_write()
        user = passkeys.finish_login(challenge, passkey_id, old_count, new_count)
    _sign_in(user)
    return user
