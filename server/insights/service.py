"""Insights (§7): daily and hourly counts, body regions, check-in factors and the red-flag monitor.

Everything is computed from the user's non-deleted records, placed on local dates and hours by
the user's current IANA time zone. One lean pass over the twitches of the range (plus the 28-day
red-flag window) feeds every count; the clinician page, the PDF and the caregiver's view all call
`insights()` so their numbers are the same by construction.
"""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from operator import mul
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..errors import ApiError
from ..extensions import db
from ..instants import UTC, utcnow
from ..sync.models import Checkin, Symptom, Twitch
from ..sync.schemas import RED_FLAG_KINDS

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
# A record's UTC instant can sit up to ~26 h from its local date's midnight: read a day either side.
MARGIN = timedelta(days=1)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def local_today(timezone: str, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(timezone)).date()


def resolve_range(timezone: str, first: date | None, last: date | None, default_days: int = DEFAULT_DAYS,
                  now: datetime | None = None) -> tuple[date, date]:
    """The inclusive local-date range asked for, with the defaults filled in.

    :raise 400: when `from` is after `to` or the range is longer than 3,660 days.
    """
    if last is None:
        last = local_today(timezone, now)
    if first is None:
        first = last - timedelta(days=default_days - 1)
    if first > last:
        raise ApiError("`from` is after `to`: give the earlier date as `from`.", {"from": ["Must not be after `to`."]})
    if (last - first).days + 1 > MAX_DAYS:
        raise ApiError(f"The range is longer than {MAX_DAYS:,} days: ask for a shorter period.",
                       {"to": [f"At most {MAX_DAYS:,} days after `from`."]})
    return first, last


def utc_bounds(zone: ZoneInfo, first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants that surely contain every instant whose local date is in [first, last]."""
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC) - MARGIN
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC) + MARGIN
    return start, end


def insights(user_id: str, timezone: str, first: date, last: date) -> dict:
    """The §7 insights document for the user's local dates `first`..`last` (inclusive)."""
    zone = ZoneInfo(timezone)
    window_first = last - timedelta(days=RED_FLAG_DAYS - 1)
    scan_first = min(first, window_first)
    first_ord, last_ord, window_ord, scan_ord = first.toordinal(), last.toordinal(), window_first.toordinal(), scan_first.toordinal()

    daily = [0] * (last_ord - first_ord + 1)
    by_hour = [0] * 24
    regions: Counter = Counter()
    window_total = 0
    window_pairs: Counter = Counter()
    window_pair_days: dict = defaultdict(set)
    start, end = utc_bounds(zone, scan_first, last)
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
        day = local // 86400 + EPOCH_ORDINAL
        if day < scan_ord or day > last_ord:
            continue
        if day >= first_ord:
            daily[day - first_ord] += 1
            by_hour[local % 86400 // 3600] += 1
            if region is not None:
                regions[(region, side)] += 1
        if day >= window_ord:
            window_total += 1
            if region is not None:
                window_pairs[(region, side)] += 1
                window_pair_days[(region, side)].add(day)

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
        "factors": _factors(user_id, first, daily),
        "red_flags": _red_flags(user_id, zone, window_first, last, window_total, window_pairs, window_pair_days),
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

def _factors(user_id: str, first: date, daily: list[int]) -> dict:
    last = first + timedelta(days=len(daily) - 1)
    columns = [getattr(Checkin, name) for name in FACTORS]
    rows = db.session.connection().execute(
        sa.select(Checkin.local_date, *columns).where(
            Checkin.user_id == user_id,
            Checkin.deleted.is_(False),
            Checkin.local_date >= first - timedelta(days=1),
            Checkin.local_date <= last,
        )
    ).all()
    first_ord = first.toordinal()
    # values[name][i] is the factor on first + i - 1: index 0 is the day before the range.
    values = {name: [None] * (len(daily) + 1) for name in FACTORS}
    for row in rows:
        index = row[0].toordinal() - first_ord + 1
        for name, value in zip(FACTORS, row[1:]):
            if value is not None:
                values[name][index] = float(value)
    result = {}
    for name in FACTORS:
        series = values[name]
        result[name] = {
            "same_day": _paired_rho(daily, series[1:]),
            "previous_day": _paired_rho(daily, series[:-1]),
        }
    return result


def _paired_rho(counts: list[int], factor: list[float | None]) -> dict | None:
    pairs = [(count, value) for count, value in zip(counts, factor) if value is not None]
    if len(pairs) < MIN_PAIRED_DAYS:
        return None
    rho = spearman([p[0] for p in pairs], [p[1] for p in pairs])
    if rho is None:
        return None
    return {"rho": rho, "n": len(pairs)}


def average_ranks(values: list[float]) -> list[float]:
    """1-based ranks; tied values share the average of the ranks they span."""
    ordered = sorted(values)
    # Few distinct values (scales, counts): find each one's span once, by bisection.
    rank_of = {v: (bisect_left(ordered, v) + 1 + bisect_right(ordered, v)) / 2 for v in set(values)}
    return [rank_of[v] for v in values]


def spearman(xs: list[float], ys: list[float]) -> float | None:
    """Spearman's rho (Pearson on average ranks), rounded to 3 decimals; None when a side is constant."""
    if len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    rx, ry = average_ranks(xs), average_ranks(ys)
    n = len(rx)
    mx, my = sum(rx) / n, sum(ry) / n
    dx = [a - mx for a in rx]
    dy = [b - my for b in ry]
    sxy = sum(map(mul, dx, dy))
    sxx = sum(map(mul, dx, dx))
    syy = sum(map(mul, dy, dy))
    rho = max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))
    return round(rho, 3) + 0.0  # + 0.0 turns -0.0 into 0.0


# --- red flags --------------------------------------------------------------------------------

def _red_flags(user_id: str, zone: ZoneInfo, first: date, last: date, total: int, pairs: Counter, pair_days: dict) -> dict:
    reasons = [
        {"kind": "red_flag_symptom", "symptom": kind, "dates": dates}
        for kind, dates in red_flag_symptom_dates(user_id, zone, first, last).items()
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


def red_flag_symptom_dates(user_id: str, zone: ZoneInfo, first: date, last: date) -> dict[str, list[str]]:
    """Each red-flag symptom kind logged on local dates first..last, with those dates, in §2 order."""
    start, end = utc_bounds(zone, first, last)
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
        day = observed_at.astimezone(zone).date()
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
        "red_flags": (
            {"status": flags["status"], "reasons": flags["reasons"] if "symptoms" in scopes else None}
            if summary or "symptoms" in scopes else None
        ),
    }
