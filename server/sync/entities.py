"""The record kinds that sync knows: table, field schema, required fields, field order."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from marshmallow import Schema

from ..instants import format_instant
from . import models, schemas


@dataclass(frozen=True)
class Entity:
    name: str
    model: type
    schema: Schema
    required: tuple[str, ...]
    time_field: str

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(self.schema.fields)

    def to_json(self, row) -> dict:
        """The record's §2 fields as JSON values (null where unset)."""
        return {name: json_value(getattr(row, name)) for name in self.field_names}


def json_value(value):
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity("twitch", models.Twitch, schemas.TwitchFields(), ("occurred_at",), "occurred_at"),
        Entity("checkin", models.Checkin, schemas.CheckinFields(), ("local_date",), "local_date"),
        Entity("symptom", models.Symptom, schemas.SymptomFields(), ("observed_at", "kind"), "observed_at"),
        Entity("activity", models.Activity, schemas.ActivityFields(), ("started_at", "level"), "started_at"),
        Entity("intake", models.Intake, schemas.IntakeFields(), ("taken_at", "kind"), "taken_at"),
    )
}


def checkin_record_id(local_date: date | str) -> str:
    """The one record id of a day's check-in, the same on every device (§2)."""
    day = local_date.isoformat() if isinstance(local_date, date) else local_date
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"twitchlog:checkin:{day}"))
