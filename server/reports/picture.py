"""What a clinician reads first, made once for both the clinician page and the PDF.

The counts are the insights document's, unchanged; this adds only what is derived from it or from
the shared records: the red-flag reasons with their symptoms' place, side and "getting worse",
the daily series from the first entry with its rolling mean, crash days, and check-in values over
time. Nothing here names a share: a share's label is private to its owner (§16).
"""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from ..insights.service import for_scopes, insights
from ..instants import parse_instant
from ..sharing.service import records_in_range
from . import figures
from .crashes import crash_days

RED_FLAG_DAYS = 28
NAME_NOT_GIVEN = "Name not given"
# Check-in fields drawn over time, with the fixed scale each is drawn on (low, high).
CHECKIN_SERIES = (
    ("sleep_hours", "Sleep (hours)", 0, 12),
    ("sleep_quality", "Sleep quality (1-5)", 1, 5),
    ("stress", "Stress (0-10)", 0, 10),
    ("anxiety", "Anxiety (0-10)", 0, 10),
    ("fatigue", "Fatigue (0-10)", 0, 10),
    ("exertion", "Exertion (0-10)", 0, 10),
)
ROLLING = {"day": (7, "the last 7 days"), "week": (4, "the last 4 weeks"), "month": (3, "the last 3 months")}


def person_name(person) -> str:
    return getattr(person, "display_name", None) or NAME_NOT_GIVEN


def clinician_picture(person, first: date, last: date, scopes) -> dict:
    """Everything the page and the PDF show for `person` over local dates first..last, within `scopes`."""
    scopes = set(scopes)
    document = for_scopes(insights(person.id, person.timezone, first, last), scopes)
    records = None
    if scopes & {"events", "checkins", "symptoms"}:
        records = records_in_range(person.id, person.timezone, first, last, scopes)["records"]
    checkins = records["checkin"] if records is not None else None
    window_symptoms = None
    if "symptoms" in scopes:
        window_first = min(first, last - timedelta(days=RED_FLAG_DAYS - 1))
        window_symptoms = records_in_range(person.id, person.timezone, window_first, last, {"symptoms"})["records"]["symptom"]
    start = first_entry(document, records, person.timezone)
    crash_trend = None
    if "checkins" in scopes:

        crash_trend = crash_days(person.id, last)
    return {
        "name": person_name(person),
        "document": document,
        "records": records,
        "red_flags": red_flag_details(document["red_flags"], window_symptoms),
        "trend": trend_words(document.get("trend")),
        "first_entry": start,
        "daily": daily_series(document["daily"], start, crash_dates(checkins)) if document["daily"] is not None else None,
        "crash": crash_summary(checkins),
        "crash_trend": crash_trend,
        "crash_words": crash_words(crash_trend),
        "checkin_series": checkin_series(checkins, start or first, last) if checkins is not None else None,
    }


def first_entry(document: dict, records: dict | None, timezone: str) -> date | None:
    """The first local date in the period with anything logged that the share opens, or None."""
    found = []
    if document["daily"] is not None:
        found += [d["date"] for d in document["daily"] if d["count"]][:1]
    if records is not None:
        zone = ZoneInfo(timezone)
        for name, field in (("twitch", "occurred_at"), ("symptom", "observed_at"), ("activity", "started_at"), ("intake", "taken_at")):
            if records.get(name):
                found.append(parse_instant(records[name][0][field]).astimezone(zone).date().isoformat())
        if records.get("checkin"):
            found.append(records["checkin"][0]["local_date"])
    return date.fromisoformat(min(found)) if found else None


# --- red flags -----------------------------------------------------------------------------------

def place_name(region: str | None, side: str | None) -> str:
    """'left calf', 'calf (both sides)', 'neck (midline)', 'calf', or 'place not given'."""
    if not region:
        return {"left": "left side", "right": "right side", "both": "both sides", "midline": "midline"}.get(side, "place not given")
    name = region.replace("_", " ")
    if side in ("left", "right"):
        return f"{side} {name}"
    if side == "both":
        return f"{name} (both sides)"
    if side == "midline":
        return f"{name} (midline)"
    return name


def red_flag_details(flags: dict | None, symptoms: list | None) -> dict | None:
    """The red-flag status with each reason in words: symptom, place, side, getting worse, first date."""
    if flags is None:
        return None
    reasons = flags["reasons"]
    details = None
    if reasons is not None:
        details = [reason_detail(reason, symptoms or []) for reason in reasons]
    return {"status": flags["status"], "reasons": details}


def reason_detail(reason: dict, symptoms: list) -> dict:
    if reason["kind"] != "red_flag_symptom":
        return {"kind": reason["kind"], "title": f"Twitching kept to one place: {place_name(reason['body_region'], reason['side'])}",
                "text": figures.reason_text(reason), "first_date": None, "progressive": None}
    dates = reason["dates"]
    own = [s for s in symptoms if s["kind"] == reason["symptom"]]
    places = list(dict.fromkeys(place_name(s.get("body_region"), s.get("side")) for s in own)) or ["place not given"]
    progressive = True if any(s.get("progressive") is True for s in own) else (
        False if own and all(s.get("progressive") is False for s in own) else None)
    worse = {True: "getting worse", False: "not getting worse", None: "not said whether getting worse"}[progressive]
    label = figures.SYMPTOM_LABELS.get(reason["symptom"], reason["symptom"])
    days = f"on {len(dates)} day{'s' if len(dates) != 1 else ''}: {', '.join(dates)}"
    return {
        "kind": reason["kind"], "symptom": reason["symptom"], "label": label, "places": places, "progressive": progressive,
        "first_date": dates[0], "dates": dates,
        "title": f"{label}: {', '.join(places)}; {worse}",
        "text": f"{label} ({', '.join(places)}), {worse}. First logged {dates[0]}; {days}.",
    }


# --- trend ---------------------------------------------------------------------------------------

def _median(value) -> str:
    return "-" if value is None else (f"{value:g}" if isinstance(value, (int, float)) else str(value))


def trend_words(trend: dict | None) -> str | None:
    """The §13 trend (recent 14 tracked days against the 14 before) in one plain sentence."""
    if not trend:
        return None
    recent, before, change = trend.get("recent") or {}, trend.get("before") or {}, trend.get("change")
    if change == "not_enough_data":
        return ("Not enough days logged to judge a trend: 7 days with a twitch or a check-in are needed in each half "
                f"of the last 28 days (there were {recent.get('tracked_days', 0)} and {before.get('tracked_days', 0)}).")
    numbers = (f"a median of {_median(recent.get('median'))} twitches a day on {recent.get('tracked_days')} logged days "
               f"from {recent.get('from')}, against {_median(before.get('median'))} on {before.get('tracked_days')} logged days "
               f"in the 14 days before (Mann-Whitney p = {trend.get('p_value')})")
    lead = {"fewer": "Fewer twitches lately", "more": "More twitches lately",
            "about_the_same": "About the same as before, no clear change"}.get(change, "Trend")
    return f"{lead}: {numbers}."


# --- series --------------------------------------------------------------------------------------

def rolling_mean(values: list[float], window: int) -> list[float]:
    """Trailing mean over up to `window` values (fewer at the start), one per value."""
    out, running = [], 0.0
    for index, value in enumerate(values):
        running += value
        if index >= window:
            running -= values[index - window]
        out.append(round(running / min(index + 1, window), 2))
    return out


def crash_dates(checkins: list | None) -> set[str]:
    return {c["local_date"] for c in checkins or () if c.get("crash") is True}


def crash_summary(checkins: list | None) -> dict | None:
    """Crash days (§13) among the check-ins of the period; None when check-ins are not shared."""
    if checkins is None:
        return None
    answered = [c for c in checkins if c.get("crash") is not None]
    dates = sorted(crash_dates(checkins))
    return {"days": len(dates), "answered": len(answered), "checkins": len(checkins), "dates": dates}


def crash_words(trend: dict | None) -> str | None:
    """Crash days in the last 14 days against the 14 before, as the trend's halves (§13)."""
    if not trend or not (trend["recent"]["answered"] or trend["before"]["answered"]):
        return None
    recent, before = trend["recent"], trend["before"]
    return (f"Crash days: {recent['crash_days']} in the 14 days from {recent['from']} ({recent['answered']} check-ins answered), "
            f"{before['crash_days']} in the 14 days before ({before['answered']} answered).")


def daily_series(daily: list[dict], start: date | None, crashes: set[str]) -> dict:
    """Bars (days, or weeks or months for long periods) from the first entry, with a rolling mean line."""
    unit, buckets = figures.daily_buckets(daily)
    if start is not None:
        buckets = [b for b in buckets if b["end"] >= start.isoformat()] or buckets[-1:]
        if buckets and buckets[0]["start"] < start.isoformat() <= buckets[0]["end"]:
            buckets[0] = {**buckets[0], "start": start.isoformat()}  # the days before it were empty
    else:
        buckets = []
    window, window_words = ROLLING[unit]
    mean = rolling_mean([b["count"] for b in buckets], window)
    for bucket, value in zip(buckets, mean):
        bucket["mean"] = value
        bucket["crash"] = any(bucket["start"] <= d <= bucket["end"] for d in crashes)
    return {"unit": unit, "buckets": buckets, "window": window, "window_words": window_words,
            "top": max((b["count"] for b in buckets), default=0), "crash_buckets": sum(1 for b in buckets if b["crash"])}


def checkin_series(checkins: list, start: date, last: date) -> list[dict]:
    """One row per check-in field: its value on each date from `start` to `last` (None where not set)."""
    by_date = {c["local_date"]: c for c in checkins}
    dates = [(start + timedelta(days=i)).isoformat() for i in range((last - start).days + 1)]
    rows = []
    for name, label, low, high in CHECKIN_SERIES:
        values = [by_date.get(d, {}).get(name) for d in dates]
        given = [v for v in values if v is not None]
        if not given:
            continue
        rows.append({"name": name, "label": label, "low": low, "high": high, "dates": dates, "values": values,
                     "days": len(given), "mean": round(sum(given) / len(given), 1), "latest": given[-1],
                     "first_half": _mean(values[: len(values) // 2]), "second_half": _mean(values[len(values) // 2:])})
    return rows


def _mean(values) -> float | None:
    given = [v for v in values if v is not None]
    return round(sum(given) / len(given), 1) if given else None
