"""Figures both the clinician page and the PDF show, made from one insights document.

Only arrangement and wording live here; every number comes from insights() unchanged, so the
page, the PDF and the API agree.
"""
from __future__ import annotations

from datetime import date

FACTOR_LABELS = {
    "sleep_hours": "Sleep (hours)",
    "sleep_quality": "Sleep quality (1-5)",
    "stress": "Stress (0-10)",
    "anxiety": "Anxiety (0-10)",
    "fatigue": "Fatigue (0-10)",
    "exertion": "Exertion (0-10)",
    "hydration_l": "Water and drinks (litres)",
    "electrolytes": "Electrolytes taken (yes/no)",
    "magnesium_mg": "Magnesium (mg)",
    "caffeine_mg": "Caffeine (mg)",
}
FACTOR_NOUNS = {
    "sleep_hours": "more sleep", "sleep_quality": "better sleep", "stress": "more stress", "anxiety": "more anxiety",
    "fatigue": "more fatigue", "exertion": "more exertion", "hydration_l": "more to drink",
    "electrolytes": "electrolytes", "magnesium_mg": "more magnesium", "caffeine_mg": "more caffeine",
}
SYMPTOM_LABELS = {
    "weakness": "Weakness", "muscle_wasting": "Muscle wasting", "speech_difficulty": "Difficulty speaking",
    "swallowing_difficulty": "Difficulty swallowing", "reflex_change": "Change in reflexes", "cramp": "Cramp",
    "numbness": "Numbness", "fatigue": "Fatigue", "other": "Other",
}
MAX_DAILY_BARS = 120
ASSOCIATION_NOTE = "These are associations, not causes: they show what tended to go together, not why."
NOT_A_DIAGNOSIS = ("Twitchlog records what the person logged. It does not diagnose anything; twitching is common "
                   "and most often harmless.")
SEE_DOCTOR = ("Talk to a doctor about this. A doctor can examine the muscles and reflexes, and a neurologist "
              "may suggest an EMG (a test of nerve and muscle activity).")


def region_name(region: str | None, side: str | None) -> str:
    name = (region or "unspecified").replace("_", " ")
    return f"{name}, {side}" if side else name


def daily_buckets(daily: list[dict], max_bars: int = MAX_DAILY_BARS) -> tuple[str, list[dict]]:
    """Bars for the daily chart: days, or weeks or months for long periods. ("day"|"week"|"month", bars)."""
    if len(daily) <= max_bars:
        return "day", [{"start": d["date"], "end": d["date"], "count": d["count"]} for d in daily]
    unit = "week" if len(daily) <= max_bars * 7 else "month"
    bars: list[dict] = []
    for index, day in enumerate(daily):
        key = index // 7 if unit == "week" else day["date"][:7]
        if not bars or bars[-1]["key"] != key:
            bars.append({"key": key, "start": day["date"], "end": day["date"], "count": 0})
        bars[-1]["end"] = day["date"]
        bars[-1]["count"] += day["count"]
    return unit, [{k: v for k, v in bar.items() if k != "key"} for bar in bars]


def period_totals(daily: list[dict], max_cells: int) -> tuple[str, list[dict]]:
    """Totals per day, week (7 days from the first), month or year: the finest that fits max_cells."""
    for unit in ("day", "week", "month", "year"):
        groups: list[dict] = []
        for index, day in enumerate(daily):
            key = {"day": day["date"], "week": index // 7, "month": day["date"][:7], "year": day["date"][:4]}[unit]
            if not groups or groups[-1]["key"] != key:
                label = {"day": day["date"][5:], "week": day["date"][5:], "month": day["date"][:7], "year": day["date"][:4]}[unit]
                groups.append({"key": key, "label": label, "count": 0})
            groups[-1]["count"] += day["count"]
        if len(groups) <= max_cells:
            break
    return unit, [{"label": g["label"], "count": g["count"]} for g in groups]


def summary_numbers(document: dict) -> dict:
    """Totals a reader wants first; all from the document's daily counts."""
    counts = [d["count"] for d in document["daily"]]
    busiest = max(document["daily"], key=lambda d: (d["count"], d["date"])) if counts else None
    return {
        "days": len(counts),
        "total": sum(counts),
        "days_with_twitches": sum(1 for c in counts if c),
        "mean_per_day": round(sum(counts) / len(counts), 1) if counts else 0.0,
        "busiest_date": busiest["date"] if busiest and busiest["count"] else None,
        "busiest_count": busiest["count"] if busiest else 0,
        "evening_night_share": _evening_night_share(document["by_hour"]),
    }


def _evening_night_share(by_hour: list[int]) -> float | None:
    """Share of twitches from 18:00 to 05:59, the evening and night pattern people ask about."""
    total = sum(by_hour)
    if not total:
        return None
    return round(sum(by_hour[18:] + by_hour[:6]) / total, 2)


def factor_rows(factors: dict) -> list[dict]:
    """One row per check-in field, with a plain sentence for each result."""
    rows = []
    for name, label in FACTOR_LABELS.items():
        result = factors.get(name) or {}
        rows.append({
            "name": name, "label": label,
            "same_day": result.get("same_day"), "previous_day": result.get("previous_day"),
            "sentence": factor_sentence(name, result.get("same_day"), result.get("previous_day")),
        })
    return rows


def factor_sentence(name: str, same_day: dict | None, previous_day: dict | None) -> str:
    if same_day is None and previous_day is None:
        return "Too few days to compare yet (14 days with different values are needed)."
    parts = []
    for result, when in ((same_day, "Same day"), (previous_day, "Next day")):
        if result is None:
            continue
        rho = result["rho"]
        if abs(rho) < 0.1:
            parts.append(f"{when}: no clear association.")
        else:
            strength = "weak" if abs(rho) < 0.3 else "moderate" if abs(rho) < 0.5 else "strong"
            direction = "more" if rho > 0 else "fewer"
            parts.append(f"{when}: {strength}; {FACTOR_NOUNS[name]} went with {direction} twitches.")
    return " ".join(parts)


def reason_text(reason: dict) -> str:
    if reason["kind"] == "red_flag_symptom":
        dates = ", ".join(reason["dates"])
        return f"{SYMPTOM_LABELS.get(reason['symptom'], reason['symptom'])} was logged on {dates}."
    return (f"Twitching kept to one place ({region_name(reason['body_region'], reason['side'])}) on "
            f"{reason['days']} of the last 28 days, {round(reason['share'] * 100)}% of all twitches logged in them.")


def format_day(value: str) -> str:
    return date.fromisoformat(value).strftime("%d %b %Y")
