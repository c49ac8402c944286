"""Validation of share requests (§6) and the shapes answered."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .. import fields as f

KINDS = ("caregiver", "link")
SCOPES = ("summary", "events", "checkins", "symptoms", "notes", "alerts")
# Scopes that open records or figures; `notes` only adds the note fields of what these open.
DATA_SCOPES = ("summary", "events", "checkins", "symptoms")


class ShareCreateSchema(Schema):
    kind = f.Text(required=True, validate=validate.OneOf(KINDS, error="kind is caregiver or link."))
    scopes = fields.List(
        f.Text(validate=validate.OneOf(SCOPES, error="Each scope is one of: " + ", ".join(SCOPES) + ".")),
        required=True,
        validate=validate.Length(min=1, max=len(SCOPES) * 2, error="Choose at least one scope."),
    )
    expires_in_days = f.Integer(load_default=30, validate=validate.Range(1, 365, error="Between 1 and 365 days."))
    label = f.Text(load_default=None, allow_none=True, validate=validate.Length(max=100, error="At most 100 characters."))
    quiet_alert_days = f.Integer(load_default=None, allow_none=True, validate=validate.Range(2, 14, error="Between 2 and 14 days."),
                                 metadata={"description": "caregiver shares with alerts: one push after this many local "
                                                          "dates without any entry (§13)"})

    @validates_schema
    def _scope_rules(self, data, **_):
        scopes = set(data.get("scopes") or ())
        if data.get("quiet_alert_days") is not None and (data.get("kind") != "caregiver" or "alerts" not in scopes):
            raise ValidationError("A missed-days alert goes to a caregiver: it needs kind caregiver and the alerts scope.",
                                  "quiet_alert_days")
        if "notes" in scopes and not scopes & set(DATA_SCOPES):
            raise ValidationError("The notes scope only adds notes to what another scope opens: add summary, "
                                  "events, check-ins or symptoms.", "scopes")
        if "alerts" in scopes and data.get("kind") == "link":
            raise ValidationError("Alerts go to a caregiver's account; a link cannot receive them.", "scopes")
        if data.get("kind") == "link" and not scopes & set(DATA_SCOPES):
            raise ValidationError("A link needs at least one of summary, events, checkins or symptoms.", "scopes")


class NewShareSchema(Schema):
    id = fields.String()
    kind = fields.String()
    scopes = fields.List(fields.String())
    label = fields.String(allow_none=True)
    expires_at = f.Instant()
    token = fields.String(metadata={"description": "the secret, shown only now"})
    url = fields.String(allow_none=True, metadata={"description": "/s/<token> for a link, else null"})


class ShareSchema(Schema):
    id = fields.String()
    kind = fields.String()
    scopes = fields.List(fields.String())
    label = fields.String(allow_none=True)
    created_at = f.Instant()
    expires_at = f.Instant()
    revoked_at = f.Instant(allow_none=True)
    last_access_at = f.Instant(allow_none=True)
    access_count = fields.Integer()
    accepted_by = fields.Dict(allow_none=True, metadata={"description": '{"email"} of the caregiver who accepted it, or null'})
    accepted_at = f.Instant(allow_none=True)


class AccessSchema(Schema):
    at = f.Instant()
    what = fields.String(metadata={"enum": ["page", "report", "insights", "events", "accepted"]})


class AcceptSchema(Schema):
    token = f.Text(required=True, validate=validate.Length(min=1, max=200, error="Not a share token."))


class PersonSchema(Schema):
    id = fields.String(metadata={"description": "the person's user id"})
    email = fields.String()
    display_name = fields.String(allow_none=True, metadata={"description": "the name the person gave for reports, or null"})
    scopes = fields.List(fields.String())
    since = f.Instant()


class EventsSchema(Schema):
    """Records the scopes open, per entity; an entity the scopes do not open is null."""

    first = fields.Raw(data_key="from", attribute="from", metadata={"type": "string", "format": "date"})
    last = fields.Raw(data_key="to", attribute="to", metadata={"type": "string", "format": "date"})
    timezone = fields.Raw(metadata={"type": "string"})
    records = fields.Raw(metadata={"type": "object", "description": "entity name -> list of records, or null"})
