"""Validation of everything a client sends to the accounts endpoints."""
from __future__ import annotations

import re
import unicodedata

from marshmallow import Schema, ValidationError, fields, validate, validates

from .. import fields as f

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


class EmailField(f.Text):
    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip()
        if len(value) > 254 or not EMAIL.fullmatch(value):
            raise ValidationError("Not a valid email address.")
        return value.lower()


class RegisterSchema(Schema):
    email = EmailField(required=True)
    password = f.Text(required=True, validate=validate.Length(min=10, max=1024, error="Use at least 10 characters (at most 1024)."))
    timezone = f.TimeZoneName(required=True)


class LoginSchema(Schema):
    email = EmailField(required=True)
    password = f.Text(required=True, validate=validate.Length(max=1024))


class TokenCreateSchema(LoginSchema):
    label = f.Text(required=True, validate=validate.Length(min=1, max=100))


class PasswordSchema(Schema):
    password = f.Text(required=True, validate=validate.Length(max=1024))


class DisplayNameField(f.Text):
    """The name on reports (§16): at most 100 characters once trimmed; empty or null clears it."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip()
        if len(value) > 100:
            raise ValidationError("Use at most 100 characters for the name.")
        if any(unicodedata.category(ch) == "Cc" for ch in value):
            raise ValidationError("Use a name on one line, without control characters.")
        return value or None


class DayStartField(f.ClockTime):
    """When the person's day begins (§13): "HH:MM" from 00:00 to 06:00."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if value > "06:00":
            raise ValidationError("The day can start between 00:00 and 06:00.")
        return value


class MePatchSchema(Schema):
    timezone = f.TimeZoneName()
    display_name = DisplayNameField(allow_none=True)
    day_starts_at = DayStartField(metadata={"description": "HH:MM, 00:00 to 06:00: when the person's day begins (§13)"})
    calm_mode = f.Boolean(metadata={"description": "hide raw counts in the app, keep the words (§13)"})

    @validates("timezone")
    def _present(self, value, **_):
        if value is None:
            raise ValidationError("The time zone cannot be cleared.")


class UserSchema(Schema):
    id = fields.String()
    email = fields.String()
    timezone = fields.String()
    created_at = f.Instant()
    display_name = fields.String(allow_none=True, metadata={"description": "the name on reports, or null (§16)"})
    day_starts_at = fields.String(metadata={"description": "HH:MM (00:00 to 06:00): when the person's day begins"})
    calm_mode = fields.Boolean()


class SessionSchema(Schema):
    id = fields.String()
    created_at = f.Instant()
    last_seen_at = f.Instant()
    expires_at = f.Instant()
    user_agent = fields.String(allow_none=True)
    current = fields.Boolean()


class TokenSchema(Schema):
    id = fields.String()
    label = fields.String()
    created_at = f.Instant()
    last_used_at = f.Instant(allow_none=True)


class NewTokenSchema(Schema):
    """The answer to making a token (§4: exactly these keys), the only time the secret is shown."""

    id = fields.String()
    token = fields.String()
    label = fields.String()
    created_at = f.Instant()


# --- §12: password change and reset, logout everywhere, passkeys ---------------------------

NEW_PASSWORD = validate.Length(min=10, max=1024, error="Use at least 10 characters (at most 1024).")


class PasswordChangeSchema(Schema):
    current_password = f.Text(required=True, validate=validate.Length(max=1024))
    new_password = f.Text(required=True, validate=NEW_PASSWORD)


class ResetRequestSchema(Schema):
    email = EmailField(required=True)


class ResetConfirmSchema(Schema):
    token = f.Text(required=True, validate=validate.Length(min=1, max=200))
    new_password = f.Text(required=True, validate=NEW_PASSWORD)


class LogoutAllSchema(Schema):
    tokens = f.Boolean(load_default=False, metadata={"description": "also revoke every bearer token"})


class PasskeyRegisterSchema(Schema):
    credential = fields.Dict(required=True, metadata={"description": "PublicKeyCredential.toJSON() of navigator.credentials.create()"})
    label = f.Text(load_default="Passkey", validate=validate.Length(min=1, max=100))


class PasskeyLoginSchema(Schema):
    credential = fields.Dict(required=True, metadata={"description": "PublicKeyCredential.toJSON() of navigator.credentials.get()"})


class NewPasskeySchema(Schema):
    """The answer to registering a passkey (§12: exactly these keys)."""

    id = fields.String()
    label = fields.String()
    created_at = f.Instant()


class PasskeySchema(NewPasskeySchema):
    last_used_at = f.Instant(allow_none=True)
