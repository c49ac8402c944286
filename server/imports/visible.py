"""Visible's CSV export: long format, one row per tracker and day, every field padded with spaces.

`observation_date,tracker_name,tracker_category,observation_value`; dates are YYYY-MM-DD; `NA`
means nothing was recorded (no entry is made); notes are rows whose tracker is `Note`. Symptom
trackers are scored 0 (none) to 3 (severe); a day has no clock, so its entries stand at the
`all day` time.
"""
from __future__ import annotations

from .entries import Entry, NotThisFormat, Parsed, RowFault, parse_iso_date, read_rows

HEADER = ("observation_date", "tracker_name", "tracker_category", "observation_value")
MISSING = {"na", "n/a", ""}
SCORE_WORDS = {0: None, 1: "mild", 2: "moderate", 3: "severe"}


def parse(text: str) -> Parsed:
    header, rows = read_rows(text)
    if tuple(cell.lower() for cell in header) != HEADER:
        raise NotThisFormat("This is not a Visible export: its first line should be "
                            "observation_date,tracker_name,tracker_category,observation_value.")
    parsed = Parsed()
    for line, cells, raw in parsed.data_rows(rows):
        try:
            if len(cells) != len(HEADER):
                raise RowFault(f"The row has {len(cells)} fields where Visible writes {len(HEADER)}.")
            day_text, tracker, category, value = (cell.strip() for cell in cells)
            day = parse_iso_date(day_text)
            if not tracker:
                raise RowFault("The row names no tracker.")
        except RowFault as fault:
            parsed.skip(line, str(fault))
            continue
        if value.lower() in MISSING:
            continue  # not recorded that day
        common = {"row": line, "content": raw, "day": day, "clock": None, "slot": "all day"}
        if tracker.lower() in ("note", "notes"):
            parsed.entries.append(Entry(label="", kind="text", text=value, **common))
            continue
        severity = None
        if category.lower() in ("symptom", "symptoms"):
            try:
                score = float(value)
            except ValueError:
                parsed.skip(line, f"The symptom score {value!r} is not a number from 0 to 3.")
                continue
            if not 0 <= score <= 3:
                parsed.skip(line, f"The symptom score {value!r} is outside 0 to 3.")
                continue
            severity = SCORE_WORDS[round(score)]
        parsed.entries.append(Entry(label=tracker[:100], kind="symptom" if category.lower().startswith("symptom") else "tracker",
                                    value=value, severity=severity, **common))
    return parsed
