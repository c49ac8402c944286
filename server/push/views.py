"""HTTP for §5: /api/v1/push/* (key, subscriptions, test) and /api/v1/reminders/*."""
from __future__ import annotations

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from ..accounts.auth import current_user_id, login_required
from ..config import ConfigError
from ..extensions import db, limiter
from ..transactions import begin_write
from . import service
from .schemas import (
    EndpointSchema,
    OccurrenceSchema,
    PublicKeySchema,
    QueuedSchema,
    ReminderSettingsSchema,
    SnoozeSchema,
    SubscriptionOutSchema,
    SubscriptionSchema,
)
from .vapid import load_vapid

blp = Blueprint("push", __name__, url_prefix="/api/v1", description="Reminders and Web Push")


@blp.record_once
def _load_keys(state) -> None:
    """The VAPID key is read (or made) at start-up, so a bad one stops the app at once; and
    production never starts with local push endpoints allowed (§12)."""
    settings = state.app.config["TWITCHLOG"]
    if settings.production and settings.allow_local_push:
        raise ConfigError("TWITCHLOG_ALLOW_LOCAL_PUSH=1 is for development and tests: it lets accounts make the server "
                          "send to http://127.0.0.1 and http://localhost. Remove it when TWITCHLOG_ENV=production.")
    state.app.extensions["twitchlog_vapid"] = load_vapid(state.app.config["TWITCHLOG"])


def _vapid():
    return current_app.extensions["twitchlog_vapid"]


@blp.route("/push/key", methods=["GET"])
@blp.response(200, PublicKeySchema)
def public_key():
    """The VAPID public key, as PushManager.subscribe() wants it for applicationServerKey."""
    return {"public_key": _vapid().public_key}


@blp.route("/push/subscriptions")
class Subscriptions(MethodView):
    @login_required
    @blp.arguments(SubscriptionSchema())
    @blp.response(201, SubscriptionOutSchema)
    @blp.alt_response(200, schema=SubscriptionOutSchema, description="The endpoint was already this user's: updated")
    def put(self, body):
        """Save this browser's push subscription (upsert by endpoint): 201 new, 200 known."""
        user_id = current_user_id()
        begin_write()
        row, created = service.save_subscription(
            user_id, body["endpoint"], body["keys"]["p256dh"], body["keys"]["auth"], body["expirationTime"],
            _vapid().public_key, request.user_agent.string, session_id=g.get("session_id"),
        )
        db.session.commit()
        return row, 201 if created else 200

    @login_required
    @blp.arguments(EndpointSchema())
    @blp.response(204)
    def delete(self, body):
        """Stop pushes to this browser (no error when it is not subscribed)."""
        user_id = current_user_id()
        begin_write()
        service.remove_subscription(user_id, body["endpoint"])
        db.session.commit()


def _per_user() -> str:
    return "push-test:" + current_user_id()


@blp.route("/push/test", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["TWITCHLOG"].push_test_limit, key_func=_per_user)
@blp.response(202, QueuedSchema)
@blp.alt_response(429, description="More test notifications than TWITCHLOG_PUSH_TEST_LIMIT allows (per user); see Retry-After")
def send_test():
    """Queue a test notification to each of the caller's devices."""
    user_id = current_user_id()
    begin_write()
    queued = service.send_test(user_id)
    db.session.commit()
    return {"queued": queued}


@blp.route("/reminders")
class Reminders(MethodView):
    @login_required
    @blp.response(200, ReminderSettingsSchema)
    def get(self):
        """The reminder settings (defaults until first saved)."""
        return service.get_settings(current_user_id())

    @login_required
    @blp.arguments(ReminderSettingsSchema())
    @blp.response(200, ReminderSettingsSchema)
    def put(self, body):
        """Replace the whole reminder settings."""
        user_id = current_user_id()
        begin_write()
        result = service.replace_settings(user_id, body)
        db.session.commit()
        return result


@blp.route("/reminders/<string:occurrence_id>/snooze", methods=["POST"])
@login_required
@blp.arguments(SnoozeSchema())
@blp.response(200, OccurrenceSchema)
def snooze(body, occurrence_id):
    """Hold a prompt back on every device for `minutes`, then send it again."""
    user_id = current_user_id()
    begin_write()
    row = service.snooze(user_id, occurrence_id, body["minutes"])
    db.session.commit()
    return row


@blp.route("/reminders/<string:occurrence_id>/done", methods=["POST"])
@login_required
@blp.response(200, OccurrenceSchema)
def done(occurrence_id):
    """Stop a prompt on every device ("Done", or "I rested" for a pacing prompt)."""
    user_id = current_user_id()
    begin_write()
    row = service.mark_done(user_id, occurrence_id)
    db.session.commit()
    return row
