"""Insights (§7, §13): daily and hourly counts, body regions, check-in factors with p and q, the
trend, and the red-flag monitor.

Everything is computed from the user's non-deleted records, placed on local dates by the user's
current IANA time zone and day start (`server.local_dates`), and on wall-clock hours. The
statistics are those §13 defines by SciPy (`spearmanr`, `mannwhitneyu`, `false_discovery_control`),
computed by `stats.py` to the same numbers at a fraction of the cost. One lean pass over the twitches of the range (plus the 28-day
red-flag window) feeds every count; the clinician page, the PDF and the caregiver's view all call
`insights()` so their numbers are the same by construction.
"""
from __future__ import annotations

import math
import statistics
from bisect import bisect_right
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..accounts.models import User
from ..errors import ApiError
from ..extensions import db
from ..instants import UTC
from ..local_dates import day_start, local_date_of, local_today
from ..sync.models import Checkin, Symptom, Twitch
from ..sync.schemas import RED_FLAG_KINDS
from .stats import benjamini_hochberg, mann_whitney_p, spearman

DEFAULT_DAYS = 28
MAX_DAYS = 3660
RED_FLAG_DAYS = 28
MIN_PAIRED_DAYS = 14
PERSISTENT_DAYS = 14
# Every numeric check-in field except twitch_burden, which is the outcome itself (§7).
FACTORS = (
    "sleep_hours", "sleep_quality", "stress", "anxiety", "fatigue", "exertion",
    "hydration_l", "electrolytes", "magnesium_mg", "caffeine_mg",
)
# (key, d - lag): the factor on the same day, the day before and two days before (§13)
LAGS = (("same_day", 0), ("previous_day", 1), ("two_days_before", 2))
TREND_DAYS = 14
MIN_TRACKED_DAYS = 7
TREND_ALPHA = 0.05
# A record's UTC instant can sit up to ~26 h from its local date's midnight: read a day either side.
MARGIN = timedelta(days=1)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def resolve_range(timezone: str, first: date | None, last: date | None, default_days: int = DEFAULT_DAYS,
                  now: datetime | None = None, day_starts_at: str | None = None) -> tuple[date, date]:
    """The inclusive local-date range asked for, with the defaults filled in ("today" is the
    local date of now, by the day start).

    :raise 400: when `from` is after `to` or the range is longer than 3,660 days.
    """
    if last is None:
        last = local_today(timezone, day_start(day_starts_at), now)
    if first is None:
        first = last - timedelta(days=default_days - 1)
    if first > last:
        raise ApiError("`from` is after `to`: give the earlier date as `from`.", {"from": ["Must not be after `to`."]})
    if (last - first).days + 1 > MAX_DAYS:
        raise ApiError(f"The range is longer than {MAX_DAYS:,} days: ask for a shorter period.",
                       {"to": [f"At most {MAX_DAYS:,} days after `from`."]})
    return first, last


def utc_bounds(zone: ZoneInfo, first: date, last: date, shift_seconds: int = 0) -> tuple[datetime, datetime]:
    """UTC instants that surely contain every instant whose local date is in [first, last]."""
    shift = timedelta(seconds=shift_seconds)
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC) + shift - MARGIN
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC) + shift + MARGIN
    return start, end


def insights(user_id: str, timezone: str, first: date, last: date, day_starts_at: str | None = None) -> dict:
    """The §7/§13 insights document for the user's local dates `first`..`last` (inclusive).

    `day_starts_at` ("HH:MM") is read from the user's account when not given.
    """
    zone = ZoneInfo(timezone)
    if day_starts_at is None:
        day_starts_at = db.session.scalar(sa.select(User.day_starts_at).where(User.id == user_id))
    shift_seconds = int(day_start(day_starts_at).total_seconds())
    window_first = last - timedelta(days=RED_FLAG_DAYS - 1)
    scan_first = min(first, window_first)
    first_ord, last_ord, window_ord, scan_ord = first.toordinal(), last.toordinal(), window_first.toordinal(), scan_first.toordinal()

    scan_daily = [0] * (last_ord - scan_ord + 1)  # every date from scan_first: the range and the 28-day window
    by_hour = [0] * 24
    regions: Counter = Counter()
    window_total = 0
    window_pairs: Counter = Counter()
    window_pair_days: dict = defaultdict(set)
    start, end = utc_bounds(zone, scan_first, last, shift_seconds)
    clock = LocalClock(zone, start, end)
    starts, offsets = clock.starts, clock.offsets
    change, offset = 0, offsets[0]
    next_change = starts[1] if len(starts) > 1 else math.inf
    for seconds, region, side in _twitch_rows(user_id, start, end):  # in time order
        while seconds >= next_change:
            change += 1
            offset = offsets[change]
            next_change = starts[change + 1] if change + 1 < len(starts) else math.inf
        local = seconds + offset
        day = (local - shift_seconds) // 86400 + EPOCH_ORDINAL  # the date of (local time - day start)
        if day < scan_ord or day > last_ord:
            continue
        scan_daily[day - scan_ord] += 1
        if day >= first_ord:
            by_hour[local % 86400 // 3600] += 1  # the wall-clock hour, whatever the day start
            if region is not None:
                regions[(region, side)] += 1
        if day >= window_ord:
            window_total += 1
            if region is not None:
                window_pairs[(region, side)] += 1
                window_pair_days[(region, side)].add(day)

    daily = scan_daily[first_ord - scan_ord:]
    checkins = _checkin_rows(user_id, min(first - timedelta(days=LAGS[-1][1]), window_first), last)
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "timezone": timezone,
        "daily": [{"date": date.fromordinal(first_ord + i).isoformat(), "count": count} for i, count in enumerate(daily)],
        "by_hour": by_hour,
        "by_region": [
            {"body_region": region, "side": side, "count": count}
            for (region, side), count in sorted(regions.items(), key=lambda item: (-item[1], item[0][0], item[0][1] or ""))
        ],
        "factors": _factors(first, daily, checkins),
        "trend": _trend(last, scan_first, scan_daily, {row[0] for row in checkins}),
        "red_flags": _red_flags(user_id, zone, day_start(day_starts_at), window_first, last, window_total, window_pairs,
                                window_pair_days),
    }


def _twitch_rows(user_id: str, start: datetime, end: datetime) -> list[tuple]:
    """(UTC epoch seconds, body_region, side) of the user's live twitches in [start, end), in time order.

    Whole seconds come from the database and the rows straight from the DBAPI cursor (none of
    the columns needs a result processor): a 3-year range is tens of thousands of rows, and a
    datetime or a Row object for each cost more than all the counting.
    """
    result = db.session.connection().execute(
        sa.select(epoch_seconds(Twitch.occurred_at), Twitch.body_region, Twitch.side).where(
            Twitch.user_id == user_id,
            Twitch.deleted.is_(False),
            Twitch.occurred_at >= start,
            Twitch.occurred_at < end,
        ).order_by(Twitch.occurred_at)
    )
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def epoch_seconds(column):
    """Whole seconds since 1970-01-01 UTC of an instant column (rounded down), in SQL."""
    if db.session.get_bind().dialect.name == "sqlite":
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC: the first 19 characters are the whole seconds.
        return sa.cast(sa.func.strftime("%s", sa.func.substr(column, 1, 19)), sa.BigInteger)
    return sa.cast(sa.func.floor(sa.extract("epoch", column)), sa.BigInteger)


class LocalClock:
    """A zone's UTC offsets over a span, found once, so each instant maps by integer arithmetic.

    The offset is sampled every few hours and each change is narrowed to its exact second; no
    zone changes its offset twice within the sampling step.
    """

    STEP = 12 * 3600

    def __init__(self, zone: ZoneInfo, start: datetime, end: datetime):
        self.zone = zone
        first, last = math.floor(start.timestamp()), math.ceil(end.timestamp())
        self.starts, self.offsets = [first], [self._offset_at(first)]
        at = first
        while at < last:
            step_end = min(at + self.STEP, last)
            if self._offset_at(step_end) != self.offsets[-1]:
                low, high = at, step_end  # offset(low) is the current one, offset(high) is not
                while high - low > 1:
                    middle = (low + high) // 2
                    if self._offset_at(middle) == self.offsets[-1]:
                        low = middle
                    else:
                        high = middle
                self.starts.append(high)
                self.offsets.append(self._offset_at(high))
            at = step_end
        self._single = len(self.offsets) == 1

    def _offset_at(self, seconds: int) -> int:
        moment = datetime.fromtimestamp(seconds, UTC).astimezone(self.zone)
        return int(moment.utcoffset().total_seconds())

    def offset(self, seconds: int) -> int:
        """The zone's UTC offset in seconds at this instant."""
        if self._single:
            return self.offsets[0]
        return self.offsets[max(0, bisect_right(self.starts, seconds) - 1)]


# --- factors ----------------------------------------------------------------------------------

def _checkin_rows(user_id: str, first: date, last: date) -> list[tuple]:
    """(local_date, *FACTORS) of the user's live check-ins dated first..last."""
    columns = [getattr(Checkin, name) for name in FACTORS]
    return [tuple(row) for row in db.session.connection().execute(
        sa.select(Checkin.local_date, *columns).where(
            Checkin.user_id == user_id,
            Checkin.deleted.is_(False),
            Checkin.local_date >= first,
            Checkin.local_date <= last,
        )
    )]


def _factors(first: date, daily: list[int], checkins: list[tuple]) -> dict:
    """Spearman rho, n and p of the daily count on d against each factor on d, d - 1 and d - 2
    (which may fall before `first`), then q (Benjamini-Hochberg) over every non-null entry."""
    reach = LAGS[-1][1]
    first_ord = first.toordinal()
    # values[name][i] is the factor on first + i - reach: the first `reach` are before the range.
    values = {name: [None] * (len(daily) + reach) for name in FACTORS}
    for row in checkins:
        index = row[0].toordinal() - first_ord + reach
        if 0 <= index < len(daily) + reach:
            for name, value in zip(FACTORS, row[1:]):
                if value is not None:
                    values[name][index] = float(value)
    result = {}
    entries = []
    for name in FACTORS:
        series = values[name]
        result[name] = {}
        for key, lag in LAGS:
            entry = paired_entry(daily, series[reach - lag:len(series) - lag])
            result[name][key] = entry
            if entry is not None:
                entries.append(entry)
    if entries:
        qs = benjamini_hochberg([entry.pop("_p") for entry in entries])
        for entry, q in zip(entries, qs):
            entry["q"] = round(q, 4) + 0.0
    return result


def paired_entry(counts: list[int], factor: list[float | None]) -> dict | None:
    """{rho, n, p} over the dates where the factor is set (plus the unrounded p as `_p`), or
    None when fewer than 14 such dates or either side is constant."""
    xs, ys = [], []
    for count, value in zip(counts, factor):
        if value is not None:
            xs.append(count)
            ys.append(value)
    if len(xs) < MIN_PAIRED_DAYS:
        return None
    result = spearman(xs, ys)
    if result is None:
        return None
    rho, p = result
    return {"rho": round(rho, 3) + 0.0, "n": len(xs), "p": round(p, 4) + 0.0, "_p": p}  # + 0.0: no -0.0


# --- trend --------------------------------------------------------------------------------------

def _trend(last: date, scan_first: date, scan_daily: list[int], checkin_dates: set) -> dict:
    """Recent 14 local dates against the 14 before them (§13), over tracked dates only: those
    with a twitch or a check-in. Mann-Whitney U, normal approximation with tie and continuity
    correction. With p < 0.05 the direction is read from the medians (then the means, should
    the medians tie)."""
    def side(first_day: date) -> tuple[dict, list[int]]:
        counts = []
        for i in range(TREND_DAYS):
            day = first_day + timedelta(days=i)
            count = scan_daily[(day - scan_first).days]
            if count > 0 or day in checkin_dates:
                counts.append(count)
        median = statistics.median(counts) if counts else None
        return {"from": first_day.isoformat(), "to": (first_day + timedelta(days=TREND_DAYS - 1)).isoformat(),
                "tracked_days": len(counts), "median": median}, counts

    recent, recent_counts = side(last - timedelta(days=TREND_DAYS - 1))
    before, before_counts = side(last - timedelta(days=2 * TREND_DAYS - 1))
    if len(recent_counts) < MIN_TRACKED_DAYS or len(before_counts) < MIN_TRACKED_DAYS:
        return {"recent": recent, "before": before, "change": "not_enough_data", "p_value": None}
    p = mann_whitney_p(recent_counts, before_counts)
    change = "about_the_same"
    if p < TREND_ALPHA:
        direction = (recent["median"] > before["median"]) - (recent["median"] < before["median"])
        if direction == 0:
            direction = (statistics.fmean(recent_counts) > statistics.fmean(before_counts)) - (
                statistics.fmean(recent_counts) < statistics.fmean(before_counts))
        change = {1: "more", -1: "fewer", 0: "about_the_same"}[direction]
    return {"recent": recent, "before": before, "change": change, "p_value": round(p, 4) + 0.0}


# --- red flags --------------------------------------------------------------------------------

def _red_flags(user_id: str, zone: ZoneInfo, shift: timedelta, first: date, last: date, total: int, pairs: Counter,
               pair_days: dict) -> dict:
    reasons = [
        {"kind": "red_flag_symptom", "symptom": kind, "dates": dates}
        for kind, dates in red_flag_symptom_dates(user_id, zone, first, last, shift).items()
    ]
    persistent = [
        {"kind": "localized_persistent", "body_region": region, "side": side, "days": len(pair_days[(region, side)]),
         "share": count / total}
        for (region, side), count in pairs.items()
        if len(pair_days[(region, side)]) >= PERSISTENT_DAYS and 2 * count >= total
    ]
    persistent.sort(key=lambda r: (-r["share"], r["body_region"], r["side"] or ""))
    reasons.extend(persistent)
    return {"status": "see_doctor" if reasons else "no_red_flags", "reasons": reasons}


def red_flag_symptom_dates(user_id: str, zone: ZoneInfo, first: date, last: date,
                           shift: timedelta = timedelta(0)) -> dict[str, list[str]]:
    """Each red-flag symptom kind logged on local dates first..last, with those dates, in §2 order."""
    start, end = utc_bounds(zone, first, last, int(shift.total_seconds()))
    rows = db.session.execute(
        sa.select(Symptom.kind, Symptom.observed_at).where(
            Symptom.user_id == user_id,
            Symptom.deleted.is_(False),
            Symptom.kind.in_(RED_FLAG_KINDS),
            Symptom.observed_at >= start,
            Symptom.observed_at < end,
        )
    )
    found: dict = defaultdict(set)
    for kind, observed_at in rows:
        day = local_date_of(observed_at, zone, shift)
        if first <= day <= last:
            found[kind].add(day)
    return {kind: [d.isoformat() for d in sorted(found[kind])] for kind in RED_FLAG_KINDS if kind in found}


# --- what a share may see -----------------------------------------------------------------------

def for_scopes(document: dict, scopes) -> dict:
    """The insights document with everything the scopes do not open set to null (§6)."""
    scopes = set(scopes)
    summary = "summary" in scopes
    flags = document["red_flags"]
    return {
        "from": document["from"],
        "to": document["to"],
        "timezone": document["timezone"],
        "daily": document["daily"] if summary else None,
        "by_hour": document["by_hour"] if summary else None,
        "by_region": document["by_region"] if summary else None,
        "factors": document["factors"] if "checkins" in scopes else None,
        "trend": document["trend"] if summary else None,
        "red_flags": (
            {"status": flags["status"], "reasons": flags["reasons"] if "symptoms" in scopes else None}
            if summary or "symptoms" in scopes else None
        ),
    }
