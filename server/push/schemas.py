"""Validation of everything a client sends about push subscriptions and reminders (§5)."""
from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates, validates_schema

from .. import fields as f
from .endpoints import EndpointRefused
from .endpoints import check_endpoint as _check
from .vapid import b64url_decode

# PushSubscription.expirationTime is milliseconds since 1970 (a DOMHighResTimeStamp); a stored
# timestamp holds up to the end of year 9999.
MAX_EXPIRATION_MS = 253_402_300_799_999


def check_endpoint(endpoint: str, allow_local: bool, allowed: tuple | None = None) -> None:
    """Only push services (§12): https on 443 at an allowed host; local http only when allowed.
    :raise ValidationError:"""
    settings = current_app.config["TWITCHLOG"] if allowed is None else None
    try:
        _check(endpoint, allowed if allowed is not None else settings.push_hosts, allow_local)
    except EndpointRefused as error:
        raise ValidationError(str(error)) from None


class SubscriptionKeysSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    p256dh = f.Text(required=True, validate=validate.Length(max=200))
    auth = f.Text(required=True, validate=validate.Length(max=64))

    @validates("p256dh")
    def _point(self, value, **_):
        try:
            raw = b64url_decode(value)
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except (ValueError, TypeError):
            raise ValidationError("Not a P-256 public key (65-byte uncompressed point, base64url).") from None
        if len(raw) != 65:
            raise ValidationError("Not a P-256 public key (65-byte uncompressed point, base64url).")

    @validates("auth")
    def _secret(self, value, **_):
        try:
            raw = b64url_decode(value)
        except (ValueError, TypeError):
            raw = b""
        if len(raw) != 16:
            raise ValidationError("Not a 16-byte auth secret in base64url.")


class SubscriptionSchema(Schema):
    """PushSubscription.toJSON() as a browser sends it."""

    class Meta:
        unknown = EXCLUDE  # browsers may add fields; we need only these

    endpoint = f.Text(required=True, validate=validate.Length(min=1, max=2048))
    keys = fields.Nested(SubscriptionKeysSchema, required=True)
    expirationTime = f.Number(allow_none=True, load_default=None, validate=validate.Range(
        min=0, max=MAX_EXPIRATION_MS, error="Milliseconds since 1970, at most the end of year 9999."))

    @validates("endpoint")
    def _push_service(self, value, **_):
        check_endpoint(value, current_app.config["TWITCHLOG"].allow_local_push)


class EndpointSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    endpoint = f.Text(required=True, validate=validate.Length(min=1, max=2048))


class SubscriptionOutSchema(Schema):
    id = fields.String()
    endpoint = fields.String()
    expiration_time = f.Instant(allow_none=True)
    created_at = f.Instant()
    last_seen_at = f.Instant()


class PublicKeySchema(Schema):
    public_key = fields.String(metadata={"description": "65-byte uncompressed P-256 point, base64url without padding"})


class QueuedSchema(Schema):
    queued = fields.Integer(metadata={"description": "how many notifications were queued (one per subscription)"})


class EveningSchema(Schema):
    enabled = f.Boolean(required=True)
    time = f.ClockTime(required=True)


class PacingSchema(Schema):
    enabled = f.Boolean(required=True)
    every_minutes = f.Integer(required=True, validate=validate.Range(30, 240, error="From 30 to 240 minutes."))
    active_from = f.ClockTime(required=True)
    active_to = f.ClockTime(required=True)
    days = fields.List(
        f.Integer(validate=validate.Range(0, 6, error="Days are 0 (Monday) to 6 (Sunday).")),
        required=True, validate=validate.Length(max=7),
    )

    @validates("days")
    def _distinct(self, value, **_):
        if len(set(value)) != len(value):
            raise ValidationError("Each day at most once.")

    @validates_schema
    def _window(self, data, **_):
        if data.get("active_from") is not None and data.get("active_from") == data.get("active_to"):
            raise ValidationError("The active window needs different start and end times.", "active_to")


class QuietHoursSchema(Schema):
    from_ = f.ClockTime(required=True, data_key="from", attribute="from")
    to = f.ClockTime(required=True)

    @validates_schema
    def _span(self, data, **_):
        if data.get("from") is not None and data.get("from") == data.get("to"):
            raise ValidationError("Quiet hours need different start and end times (or null for none).", "to")


class BurstSchema(Schema):
    """A rest suggestion when `count` twitches fall within `minutes` (§13)."""

    enabled = f.Boolean(required=True)
    count = f.Integer(load_default=5, validate=validate.Range(3, 30, error="From 3 to 30 twitches."))
    minutes = f.Integer(load_default=15, validate=validate.Range(5, 60, error="From 5 to 60 minutes."))


class ReminderSettingsSchema(Schema):
    evening = fields.Nested(EveningSchema, required=True)
    pacing = fields.Nested(PacingSchema, required=True)
    quiet_hours = fields.Nested(QuietHoursSchema, required=True, allow_none=True)
    # §13: optional, so bodies from before them are still accepted (defaults apply)
    burst = fields.Nested(BurstSchema, load_default=lambda: {"enabled": False, "count": 5, "minutes": 15})
    max_per_day = f.Integer(load_default=12, validate=validate.Range(1, 50, error="From 1 to 50 prompts a day."),
                            metadata={"description": "pacing and burst prompts per local date; the evening prompt is not counted"})


class SnoozeSchema(Schema):
    minutes = f.Integer(load_default=15, validate=validate.Range(1, 720, error="From 1 to 720 minutes."))


class OccurrenceSchema(Schema):
    id = fields.String()
    kind = fields.String()
    status = fields.String(metadata={"enum": ["planned", "sent", "done", "cancelled", "expired"]})
    local_date = f.LocalDate()
    due_at = f.Instant()
    send_at = f.Instant()
    expires_at = f.Instant()
