"""UTC instants: stored as UTC, written as ISO-8601 with a Z, never naive."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

UTC = timezone.utc
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def format_instant(value: datetime | None) -> str | None:
    """2026-11-25T19:42:10Z, or with milliseconds (or microseconds) only when it has them."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    if value.microsecond == 0:
        spec = "seconds"
    elif value.microsecond % 1000 == 0:
        spec = "milliseconds"
    else:
        spec = "microseconds"
    return value.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 instant that carries an offset. :raise ValueError: otherwise."""
    if not isinstance(text, str) or len(text) > 40 or "T" not in text.upper():
        raise ValueError("Not an ISO-8601 instant.")
    value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("An instant needs an offset, for example 2026-11-25T19:42:10Z.")
    if not (EARLIEST <= value <= LATEST):
        raise ValueError("The instant is outside the years 1900 to 2200.")
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware instant on every database (SQLite keeps no offset of its own)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
