"""Input of POST /api/v1/imports: the query, and the result's shape for the API document."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .. import fields as f

SOURCES = ("daylio", "bearable", "visible")


class ImportQuery(Schema):
    source = f.Text(required=True, validate=validate.OneOf(SOURCES, error="source is daylio, bearable or visible."))
    dry_run = fields.Boolean(load_default=False, truthy={"1", "true", "yes"}, falsy={"0", "false", "no", ""})


class LabelSchema(Schema):
    label = fields.String()
    maps_to = fields.String()


class SkippedSchema(Schema):
    row = fields.Integer()
    reason = fields.String()


class RecordCountsSchema(Schema):
    twitch = fields.Integer()
    checkin = fields.Integer()
    symptom = fields.Integer()
    activity = fields.Integer()
    intake = fields.Integer()


class ImportResultSchema(Schema):
    source = fields.String()
    rows = fields.Integer()
    records = fields.Nested(RecordCountsSchema)
    labels = fields.List(fields.Nested(LabelSchema))
    skipped = fields.List(fields.Nested(SkippedSchema))


class TargetsSchema(Schema):
    targets = fields.List(fields.String(), metadata={"description": "every target a label may be mapped to"})
    slot_times = fields.Dict(keys=fields.String(), values=fields.String(),
                             metadata={"description": "the local time that stands for a part of the day"})
