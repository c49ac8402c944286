"""Hybrid logical clock stamps: `<UTC instant with ms>-<4 hex counter>-<client_id>`.

Fixed width, so two stamps order correctly as plain strings; the client part only breaks ties.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from ..instants import UTC

# Matched whole (fullmatch: `$` would let a trailing newline through) and in ASCII only (`\d`
# alone also takes other scripts' digits, which datetime reads as numbers).
HLC = re.compile(
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)-([0-9a-f]{4})-"
    r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
    re.ASCII,
)
MAX_FUTURE = timedelta(minutes=5)


def format_clock_instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse(stamp) -> tuple[datetime, str, str] | None:
    """The instant, counter and client of a stamp, or None when it is not in the format."""
    if not isinstance(stamp, str):
        return None
    match = HLC.fullmatch(stamp)
    if not match:
        return None
    try:
        instant = datetime.fromisoformat(match.group(1))  # the regex fixed the form; this checks the calendar
    except ValueError:
        return None
    return instant, match.group(2), match.group(3)


def clamp(stamp: str, now: datetime, parsed: tuple[datetime, str, str] | None = None) -> str:
    """A stamp more than 5 minutes in the server's future gets the server's now as its instant."""
    instant, counter, client = parsed or parse(stamp)
    if instant - now > MAX_FUTURE:
        return f"{format_clock_instant(now)}-{counter}-{client}"
    return stamp
