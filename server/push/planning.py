"""When prompts fall due: pure functions of the settings, the user's time zone and now.

Prompts are planned per local date and converted to UTC with zoneinfo, never as "last run +
24 h". A wall-clock time that does not exist that day (the spring gap) moves forward by the
gap; one that happens twice (the autumn fold) is its first occurrence, and the dedupe key (one
per local date or slot) makes sure it fires once.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from ..local_dates import local_date_of

UTC = timezone.utc
EVENING_LIFETIME = timedelta(hours=3)
PACING_LIFETIME = timedelta(minutes=30)
LOOKAHEAD = timedelta(hours=50)  # far enough to find the next prompt of any setting
RECHECK_AT_MOST = timedelta(hours=1)  # a changed time zone is noticed within this
RECHECK_AT_LEAST = timedelta(seconds=10)


@dataclass(frozen=True)
class Evening:
    enabled: bool
    at: time


@dataclass(frozen=True)
class Pacing:
    enabled: bool
    every_minutes: int
    active_from: time
    active_to: time  # at or before active_from: the window ends the next day
    days: frozenset[int]  # 0 = Monday ... 6 = Sunday, of the day the window starts


@dataclass(frozen=True)
class Quiet:
    start: time
    end: time  # before start: quiet hours cross midnight


@dataclass(frozen=True)
class Burst:
    """A rest suggestion when `count` twitches fall within `minutes` (§13)."""

    enabled: bool = False
    count: int = 5
    minutes: int = 15


@dataclass(frozen=True)
class Schedule:
    evening: Evening
    pacing: Pacing
    quiet: Quiet | None
    burst: Burst = field(default_factory=Burst)
    max_per_day: int = 12  # pacing and burst prompts per local date; the evening prompt is not counted
    day_start: timedelta = timedelta(0)  # the person's day start: local dates are of (wall time - this)


@dataclass(frozen=True)
class Prompt:
    kind: str  # "evening" | "pacing" | "burst"
    dedupe_key: str
    local_date: date
    due_at: datetime
    expires_at: datetime
    anchor_at: datetime | None = None


def clock(text: str) -> time:
    """"HH:MM" as a time of day."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock `at` on local date `day`.

    fold=0 picks the first of a repeated time; inside a gap it reads the wall time with the
    offset from before the gap, which lands the same distance past the gap: moved forward.
    """
    return datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC)


def evening_prompts(evening: Evening, tz: ZoneInfo, now: datetime, until: datetime,
                    day_start: timedelta = timedelta(0)) -> list[Prompt]:
    """Evening prompts due by `until` that have not expired at `now`, one per local date: the
    local date of the prompt's instant, by the person's day start (an evening time of 01:00
    with the day starting at 04:00 asks about the day before)."""
    if not evening.enabled:
        return []
    today = now.astimezone(tz).date()
    prompts = []
    day = today - timedelta(days=1)
    while True:
        due = local_instant(day, evening.at, tz)
        if due > until:
            return prompts
        if due + EVENING_LIFETIME > now:
            local = local_date_of(due, tz, day_start)
            prompts.append(Prompt("evening", f"evening:{local.isoformat()}", local, due, due + EVENING_LIFETIME))
        day += timedelta(days=1)


def pacing_window(pacing: Pacing, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The active window that starts on local date `day`, as UTC instants [start, end)."""
    end_day = day if pacing.active_to > pacing.active_from else day + timedelta(days=1)
    return local_instant(day, pacing.active_from, tz), local_instant(end_day, pacing.active_to, tz)


def pacing_lifetime(pacing: Pacing) -> timedelta:
    return min(PACING_LIFETIME, timedelta(minutes=pacing.every_minutes) / 2)


def pacing_prompts(pacing: Pacing, tz: ZoneInfo, now: datetime, until: datetime, last_rest: datetime | None) -> list[Prompt]:
    """Pacing prompts due by `until`, unexpired at `now`: every `every_minutes` of real time
    since the last rest (or since the window opened), inside the window, on active days."""
    if not pacing.enabled or not pacing.days:
        return []
    every = timedelta(minutes=pacing.every_minutes)
    lifetime = pacing_lifetime(pacing)
    prompts = []
    day = now.astimezone(tz).date() - timedelta(days=1)  # yesterday's window may run past midnight
    while True:
        start, end = pacing_window(pacing, day, tz)
        if start > until:
            return prompts
        if day.weekday() in pacing.days and start < end:
            anchor = start if last_rest is None or last_rest < start else last_rest
            # the first slot that is still alive at `now` (k >= 1: never at the anchor itself)
            k = max(1, math.floor((now - lifetime - anchor) / every) + 1)
            slot = anchor + k * every
            while slot < end and slot <= until:
                if slot + lifetime > now:
                    key = f"pacing:{anchor.strftime('%Y%m%dT%H%M%SZ')}+{k}"
                    prompts.append(Prompt("pacing", key, day, slot, slot + lifetime, anchor))
                k += 1
                slot = anchor + k * every
        day += timedelta(days=1)


def due_prompts(schedule: Schedule, tz: ZoneInfo, now: datetime, horizon: timedelta,
                last_rest: datetime | None = None, since: datetime | None = None) -> list[Prompt]:
    """Every prompt due by now + horizon and alive at now; none due before `since` (when the
    settings were saved, so turning a reminder on never fires a prompt for a time already past)."""
    until = now + horizon
    prompts = (evening_prompts(schedule.evening, tz, now, until, schedule.day_start)
               + pacing_prompts(schedule.pacing, tz, now, until, last_rest))
    return [p for p in prompts if since is None or p.due_at >= since]


def next_check(schedule: Schedule, tz: ZoneInfo, now: datetime, horizon: timedelta,
               last_rest: datetime | None = None, since: datetime | None = None,
               at_most: timedelta = RECHECK_AT_MOST) -> datetime:
    """When the planner should look at this schedule again: just before the next prompt enters
    the horizon, and at least every `at_most` so a change of time zone is noticed."""
    later: list[datetime] = []
    for ahead in (horizon + timedelta(hours=2), LOOKAHEAD):  # the near look is enough for most
        later = [p.due_at for p in due_prompts(schedule, tz, now, ahead, last_rest, since) if p.due_at > now + horizon]
        if later:
            break
    at = min(later) - horizon if later else now + LOOKAHEAD - horizon  # nothing seen: look again from the edge
    return min(max(at, now + RECHECK_AT_LEAST), now + at_most)


def quiet_until(quiet: Quiet | None, tz: ZoneInfo, at: datetime) -> datetime | None:
    """When the quiet hours that hold instant `at` end, or None when `at` is not in them."""
    if quiet is None:
        return None
    local = at.astimezone(tz)
    wall, day = local.time().replace(tzinfo=None), local.date()
    if quiet.start < quiet.end:
        return local_instant(day, quiet.end, tz) if quiet.start <= wall < quiet.end else None
    if wall >= quiet.start:
        return local_instant(day + timedelta(days=1), quiet.end, tz)
    if wall < quiet.end:
        return local_instant(day, quiet.end, tz)
    return None


# --- bursts and the daily cap (§13) -------------------------------------------------------------

CAPPED_KINDS = ("pacing", "burst")


def burst_prompt(burst: Burst, tz: ZoneInfo, twitches: list[datetime], now: datetime, last_burst: datetime | None,
                 day_start: timedelta = timedelta(0)) -> Prompt | None:
    """One `burst` prompt, due now, when `count` of the (sorted) twitch instants fall within the
    `minutes` ending now; at most one per `minutes` (none while the last is that recent). It
    lives `minutes`: quiet hours hold it that long, then it is dropped, never sent late."""
    if not burst.enabled:
        return None
    span = timedelta(minutes=burst.minutes)
    if last_burst is not None and now - last_burst < span:
        return None
    recent = bisect_right(twitches, now) - bisect_right(twitches, now - span)  # in (now - span, now]
    if recent < burst.count:
        return None
    return Prompt("burst", f"burst:{now.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}", local_date_of(now, tz, day_start),
                  now, now + span)


class DailyCap:
    """At most `max_per_day` pacing and burst prompts sent per local date; evening prompts are
    not counted. `sent_on(user_id, local_date)` tells how many were sent before this pass."""

    def __init__(self, sent_on):
        self.sent_on = sent_on
        self.counts: dict = {}

    def allows(self, user_id: str, kind: str, local_date: date, max_per_day: int) -> bool:
        """True, and counted, when one more prompt of `kind` may go out on that date."""
        if kind not in CAPPED_KINDS:
            return True
        key = (user_id, local_date)
        if key not in self.counts:
            self.counts[key] = self.sent_on(user_id, local_date)
        if self.counts[key] >= max_per_day:
            return False
        self.counts[key] += 1
        return True
