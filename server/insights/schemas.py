"""The insights query and the §7 document (described for OpenAPI, dumped as the service made it)."""
from __future__ import annotations

from marshmallow import Schema, fields

from .. import fields as f


class RangeQuery(Schema):
    """`from` and `to`: local dates in the user's time zone, inclusive; both optional."""

    first = f.LocalDate(data_key="from", load_default=None, metadata={"description": "first local date (YYYY-MM-DD)"})
    last = f.LocalDate(data_key="to", load_default=None, metadata={"description": "last local date (YYYY-MM-DD)"})


class InsightsSchema(Schema):
    """Raw fields: the service already made JSON values, and a 10-year range must dump fast."""

    first = fields.Raw(data_key="from", attribute="from", metadata={"type": "string", "format": "date"})
    last = fields.Raw(data_key="to", attribute="to", metadata={"type": "string", "format": "date"})
    timezone = fields.Raw(metadata={"type": "string"})
    daily = fields.Raw(allow_none=True, metadata={"type": "array", "items": {"type": "object", "properties": {
        "date": {"type": "string", "format": "date"}, "count": {"type": "integer"}}}})
    by_hour = fields.Raw(allow_none=True, metadata={"type": "array", "items": {"type": "integer"}, "minItems": 24, "maxItems": 24})
    by_region = fields.Raw(allow_none=True, metadata={"type": "array", "items": {"type": "object", "properties": {
        "body_region": {"type": "string"}, "side": {"type": "string", "nullable": True}, "count": {"type": "integer"}}}})
    factors = fields.Raw(allow_none=True, metadata={
        "type": "object",
        "description": "per check-in field: {same_day, previous_day, two_days_before}, each {rho, n, p, q} or null "
                       "(n < 14 or a constant side); q is Benjamini-Hochberg over every non-null entry"})
    trend = fields.Raw(allow_none=True, metadata={
        "type": "object",
        "description": '{"recent": {from, to, tracked_days, median}, "before": {...}, '
                       '"change": "fewer" | "more" | "about_the_same" | "not_enough_data", "p_value": number | null}'})
    red_flags = fields.Raw(allow_none=True, metadata={
        "type": "object", "description": '{"status": "see_doctor" | "no_red_flags", "reasons": [...]}'})
