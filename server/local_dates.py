"""The person's local date of an instant (§13): the date of (local wall time − `day_starts_at`).

A twitch at 01:30 with the day starting at 04:00 belongs to the evening before. Every place
that turns an instant into a local date (insights, red flags, the evening prompt, planning,
caregiver views, the report) goes through this module, so they all agree.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .instants import UTC, utcnow

DEFAULT_DAY_START = "00:00"
LATEST_DAY_START = "06:00"


def day_start(text: str | None) -> timedelta:
    """"HH:MM" (00:00–06:00) as the shift from midnight; None or "" is midnight."""
    if not text:
        return timedelta(0)
    hours, minutes = text.split(":")
    return timedelta(hours=int(hours), minutes=int(minutes))


def day_start_of(user) -> timedelta:
    """The user's day start (a `User` row, or anything with `day_starts_at`)."""
    return day_start(getattr(user, "day_starts_at", None))


def local_date_of(instant: datetime, zone: ZoneInfo, shift: timedelta = timedelta(0)) -> date:
    """The local date of an aware instant: wall-clock time in `zone`, minus the day start."""
    wall = instant.astimezone(zone).replace(tzinfo=None)
    return (wall - shift).date()


def local_today(zone: ZoneInfo | str, shift: timedelta = timedelta(0), now: datetime | None = None) -> date:
    if isinstance(zone, str):
        zone = ZoneInfo(zone)
    return local_date_of(now or utcnow(), zone, shift)


def wall_instant(day: date, at: time | timedelta, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a calendar date (first of a repeated time; a
    time inside a spring gap lands past the gap)."""
    if isinstance(at, timedelta):
        moment = datetime.combine(day, time(0)) + at
    else:
        moment = datetime.combine(day, at)
    return moment.replace(tzinfo=zone, fold=0).astimezone(UTC)


def local_day_start(day: date, zone: ZoneInfo, shift: timedelta = timedelta(0)) -> datetime:
    """The first UTC instant whose local date is `day`: when the wall clock first shows the day
    start, or, when that wall time falls in a spring gap, the end of the gap."""
    wall = datetime.combine(day, time(0)) + shift
    after = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if after <= before:  # the wall time exists (once or twice): its first occurrence
        return min(after, before)
    low, high = before, after  # a gap: the wall time is skipped between these two instants
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def local_day_bounds(first: date, last: date, zone: ZoneInfo, shift: timedelta = timedelta(0)) -> tuple[datetime, datetime]:
    """[start, end) in UTC of every instant whose local date is in first..last."""
    return local_day_start(first, zone, shift), local_day_start(last + timedelta(days=1), zone, shift)
