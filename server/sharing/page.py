"""The clinician's page for a link share: HTML made on the server, readable without JavaScript and
printable, under the strict CSP (a linked stylesheet, no inline script or style)."""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import render_template

from ..insights.service import for_scopes, insights
from ..instants import parse_instant
from ..sync.schemas import RED_FLAG_KINDS
from ..reports import figures
from .service import records_in_range

DEFAULT_DAYS = 90
CHART_WIDTH, CHART_HEIGHT = 720, 160


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


def render(share, person, first: date, last: date, token: str) -> str:
    scopes = list(share.scopes)
    document = for_scopes(insights(person.id, person.timezone, first, last), scopes)
    context = {
        "share": share, "scopes": scopes, "document": document, "token": token,
        "first": first, "last": last, "timezone": person.timezone, "f": figures,
        "records": records_in_range(person.id, person.timezone, first, last, scopes)["records"]
        if {"events", "checkins", "symptoms"} & set(scopes) else None,
        "notes": "notes" in scopes, "red_flag_kinds": RED_FLAG_KINDS, "local": local_time(person.timezone),
    }
    if document["daily"] is not None:
        unit, buckets = figures.daily_buckets(document["daily"])
        context.update(
            summary=figures.summary_numbers(document),
            daily_unit=unit,
            daily_chart=bar_chart([b["count"] for b in buckets], [b["start"] for b in buckets]),
            daily_buckets=buckets,
            hour_chart=bar_chart(document["by_hour"], [f"{h:02d}:00" for h in range(24)], height=120),
        )
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
