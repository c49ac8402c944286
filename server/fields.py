"""Strict marshmallow fields shared by every schema: no bool posing as a number, no NUL in text."""
from __future__ import annotations

import math
import re
import uuid
from datetime import date
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import RAISE, Schema, ValidationError, fields
from marshmallow.utils import missing

from .instants import parse_instant

HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d", re.ASCII)  # used with fullmatch: `$` lets "21:00\n" through


class Integer(fields.Integer):
    """An integer that is really one in JSON: not true/false, not 3.0, not "3"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("strict", True)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("Not a valid integer.")
        return super()._deserialize(value, attr, data, **kwargs)


class Number(fields.Float):
    """A finite decimal number from JSON (integers welcome), never a string or a bool."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_nan", False)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("Not a valid number.")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError("Not a finite number.")
        if abs(value) > 1e15:
            raise ValidationError("Number too large.")
        return float(value)


class Boolean(fields.Boolean):
    """true or false, nothing truthy."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("Not a valid boolean: use true or false.")
        return value


class Text(fields.String):
    """A string without NUL characters (no database stores them) that is valid Unicode."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("Not a valid string.")
        if "\x00" in value:
            raise ValidationError("Text may not contain NUL characters.")
        if not is_unicode_text(value):
            raise ValidationError("Text may not contain lone surrogates (\\ud800 to \\udfff): send valid Unicode.")
        return super()._deserialize(value, attr, data, **kwargs)


class Instant(fields.DateTime):
    """An ISO-8601 instant with an offset, read as an aware UTC datetime (documented as date-time)."""

    def _serialize(self, value, attr, obj, **kwargs):
        from .instants import format_instant

        return format_instant(value)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_instant(value)
        except (ValueError, TypeError, OverflowError):
            raise ValidationError("Not an ISO-8601 instant with an offset, for example 2026-11-25T19:42:10Z.")


class LocalDate(fields.Date):
    """A calendar date YYYY-MM-DD between 1900 and 2200 (documented as date)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value.isoformat() if value is not None else None

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value, re.ASCII):
            raise ValidationError("Not a date in the form YYYY-MM-DD.")
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            raise ValidationError("Not a real calendar date.")
        if not (1900 <= parsed.year < 2200):
            raise ValidationError("The date is outside the years 1900 to 2200.")
        return parsed


class ClockTime(Text):
    """A local wall-clock time HH:MM."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not HHMM.fullmatch(value):
            raise ValidationError("Not a time in the form HH:MM (00:00 to 23:59).")
        return value


class TimeZoneName(Text):
    """An IANA time zone name such as Europe/Berlin."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not is_time_zone(value):
            raise ValidationError("Not a known IANA time zone, for example Europe/Berlin.")
        return value


class UUIDString(Text):
    """A UUID, returned in its canonical lower-case form."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        canonical = canonical_uuid(value)
        if canonical is None:
            raise ValidationError("Not a valid UUID.")
        return canonical


def canonical_uuid(value) -> str | None:
    if not isinstance(value, str) or len(value) > 45:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def is_unicode_text(value: str) -> bool:
    """JSON can escape a lone surrogate ("\\ud800"); no database or hash function takes one."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@cache
def iana_zone_names() -> frozenset[str]:
    """The IANA names from the tzdata package, not whatever else sits in the system's zoneinfo (`localtime`)."""
    return frozenset(resources.files("tzdata").joinpath("zones").read_text().split())


def is_time_zone(name: str) -> bool:
    if not isinstance(name, str) or name not in iana_zone_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


class FlatSchema(Schema):
    """A schema of plain fields and no hooks, loaded without marshmallow's per-load machinery
    (error store, hook lookups, unknown-key sets) when the input is an ordinary object with no
    unknown key and no missing required or defaulted field: each field's own `deserialize`, with
    its validators, decides as in `Schema.load`. Anything else (an error, an unknown key, a
    default to fill) goes through `Schema.load`, so errors and their messages are marshmallow's.
    Sync loads two of these per mutation; the machinery cost about as much as the fields.
    """

    def load(self, data, *, many=None, partial=None, unknown=None):
        plan = self.__dict__.get("_flat_plan")
        if plan is None:
            plan = self._flat_plan = self._plan()
        if plan is False or many or (unknown is not None and unknown != RAISE) or type(data) is not dict:
            return super().load(data, many=many, partial=partial, unknown=unknown)
        partial = self.partial if partial is None else partial
        if partial is not True and partial not in (None, False):
            return super().load(data, many=many, partial=partial, unknown=unknown)
        kwargs = {} if partial is None else {"partial": partial}
        result, seen = {}, 0
        try:
            for data_key, key, field in plan:
                value = data.get(data_key, missing)
                if value is missing:
                    if partial is True:
                        continue
                    if field.required or field.load_default is not missing:
                        return super().load(data, many=many, partial=partial, unknown=unknown)
                    continue
                seen += 1
                value = field.deserialize(value, data_key, data, **kwargs)
                if value is not missing:
                    result[key] = value
        except ValidationError:
            return super().load(data, many=many, partial=partial, unknown=unknown)
        if seen != len(data):  # an unknown key: RAISE says how
            return super().load(data, many=many, partial=partial, unknown=unknown)
        return result

    def _plan(self):
        """[(data key, result key, field)], or False when this schema needs the full load."""
        if any(self._hooks.values()) or self.many or self.unknown != RAISE:
            return False
        plan = []
        for name, field in self.load_fields.items():
            key = field.attribute or name
            if "." in key:  # a dotted attribute nests the value: Schema.load's set_value
                return False
            plan.append((field.data_key if field.data_key is not None else name, key, field))
        return plan
