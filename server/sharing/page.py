"""The clinician's page for a link share: HTML made on the server, readable without JavaScript and
printable, under the strict CSP (a linked stylesheet, no inline script or style).

The answer comes first (red flags with their details, the trend in words, the counts), then the
charts from the first entry, then the detail. It heads with the person's display name and never
with the share's label, which is private to its owner (§16).
"""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import render_template

from ..instants import parse_instant
from ..reports import figures
from ..reports.picture import clinician_picture
from ..sync.schemas import RED_FLAG_KINDS

DEFAULT_DAYS = 90
CHART_WIDTH, CHART_HEIGHT = 720, 160
SPARK_WIDTH, SPARK_HEIGHT = 480, 44


def bar_chart(values: list[int], labels: list[str], width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> dict:
    """Bar geometry for an inline SVG: the template only draws what this measures."""
    top = max(values, default=0) or 1
    step = width / max(len(values), 1)
    gap = min(2.0, step * 0.2)
    bars = []
    for index, (value, label) in enumerate(zip(values, labels)):
        bar_height = round(value / top * (height - 20), 2)
        bars.append({"x": round(index * step + gap / 2, 2), "y": round(height - bar_height, 2),
                     "width": round(step - gap, 2), "height": bar_height, "value": value, "label": label})
    return {"width": width, "height": height, "bars": bars, "top": max(values, default=0)}


def trend_chart(series: dict, width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> dict:
    """The daily bars from the first entry, the rolling-mean line over them and the crash marks."""
    buckets = series["buckets"]
    chart = bar_chart([b["count"] for b in buckets], [b["start"] for b in buckets], width, height - 10)
    top = max(series["top"], 1)
    step = width / max(len(buckets), 1)
    usable = height - 10 - 20
    chart["line"] = " ".join(f"{round((i + 0.5) * step, 2)},{round(height - 10 - b['mean'] / top * usable, 2)}"
                             for i, b in enumerate(buckets))
    chart["crashes"] = [{"x": round((i + 0.5) * step, 2), "y": height - 4, "label": b["start"]}
                        for i, b in enumerate(buckets) if b["crash"]]
    chart["height"] = height
    return chart


def spark(row: dict, width: int = SPARK_WIDTH, height: int = SPARK_HEIGHT) -> dict:
    """A check-in field's values as line segments (broken where a day has no answer) on its fixed scale."""
    span = (row["high"] - row["low"]) or 1
    step = width / max(len(row["values"]), 1)
    segments, current, dots = [], [], []
    for index, value in enumerate(row["values"]):
        if value is None:
            if current:
                segments.append(current)
            current = []
            continue
        clipped = min(max(value, row["low"]), row["high"])
        point = (round((index + 0.5) * step, 2), round(height - 4 - (clipped - row["low"]) / span * (height - 8), 2))
        current.append(point)
        dots.append(point)
    if current:
        segments.append(current)
    return {"width": width, "height": height,
            "lines": [" ".join(f"{x},{y}" for x, y in segment) for segment in segments if len(segment) > 1],
            "dots": dots if len(row["values"]) <= 120 else []}


def render(share, person, first: date, last: date, token: str) -> str:
    scopes = list(share.scopes)
    picture = clinician_picture(person, first, last, scopes)
    document = picture["document"]
    context = {
        "share": share, "scopes": scopes, "document": document, "picture": picture, "token": token,
        "first": first, "last": last, "timezone": person.timezone, "f": figures,
        "records": picture["records"], "notes": "notes" in scopes, "red_flag_kinds": RED_FLAG_KINDS,
        "local": local_time(person.timezone),
    }
    if document["daily"] is not None:
        unit, buckets = figures.daily_buckets(document["daily"])
        context.update(
            summary=figures.summary_numbers(document),
            daily_unit=unit,
            daily_buckets=buckets,
            trend_chart=trend_chart(picture["daily"]) if picture["daily"]["buckets"] else None,
            hour_chart=bar_chart(document["by_hour"], [f"{h:02d}:00" for h in range(24)], height=120),
        )
    if picture["checkin_series"]:
        context["sparks"] = [(row, spark(row)) for row in picture["checkin_series"]]
    if document["factors"] is not None:
        context["factor_rows"] = figures.factor_rows(document["factors"])
    return render_template("sharing/clinician.html", **context)


def local_time(timezone: str):
    zone = ZoneInfo(timezone)

    def local(instant: str | None) -> str:
        return "–" if instant is None else parse_instant(instant).astimezone(zone).strftime("%Y-%m-%d %H:%M")

    return local


def gone() -> str:
    return render_template("sharing/gone.html", f=figures)


def bad_period(message: str) -> str:
    return render_template("sharing/bad_period.html", message=message, f=figures)
