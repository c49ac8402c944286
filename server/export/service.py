"""Everything a user owns, as one JSON document or one entity as CSV."""
from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from ..accounts.schemas import UserSchema
from ..extensions import db
from ..instants import format_instant, utcnow
from ..sync.entities import ENTITIES, Entity

# Capabilities with rows of their own add a section: name -> function(user_id) -> JSON value.
export_sections: dict = {}


def records_of(user_id: str, entity: Entity) -> list[dict]:
    model = entity.model
    rows = db.session.scalars(
        sa.select(model).where(model.user_id == user_id).order_by(getattr(model, entity.time_field), model.record_id)
    )
    return [
        {"record_id": row.record_id, **entity.to_json(row), "deleted": bool(row.deleted), "updated_at": format_instant(row.updated_at)}
        for row in rows
    ]


def export_document(user) -> dict:
    document = {
        "format": "twitchlog-export/1",
        "exported_at": format_instant(utcnow()),
        "user": UserSchema().dump(user),  # the account as GET /api/v1/me shows it, settings included
        "records": {name: records_of(user.id, entity) for name, entity in ENTITIES.items()},
    }
    for name, section in export_sections.items():
        document[name] = section(user.id)
    return document


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """One cell as a spreadsheet should read it: booleans as true/false, and text that a
    spreadsheet would run as a formula (it begins with = + - @, a tab or a carriage return)
    with a leading ' so it stays text (§12). Numbers are written as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_csv(user_id: str, entity: Entity) -> str:
    columns = ["record_id", *entity.field_names, "deleted", "updated_at"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for record in records_of(user_id, entity):
        writer.writerow({k: csv_cell(v) for k, v in record.items()})
    return out.getvalue()
