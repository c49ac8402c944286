"""Bearable's CSV export: long format, one row per category and part of a day, every field quoted.

`date,weekday,time of day,category,rating/amount,detail,notes`; dates like `22nd Sep 2020`; the
time of day is `pre`, `am`, `mid`, `pm`, `all day` or a clock time (`03:00`, `3:04`); `detail`
holds ` | ` lists whose items carry a severity (`Headache (Mild)`) or a unit (`Hydroxyzine (mg)`).
"""
from __future__ import annotations

import re
from datetime import date

from .entries import (
    SEVERITY, SEVERITY_WORDS, SLOT_TIMES, Entry, NotThisFormat, Parsed, RowFault, parse_clock, read_rows,
    split_list,
)

HEADER = ("date", "weekday", "time of day", "category", "rating/amount", "detail", "notes")
DATE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$", re.IGNORECASE)
MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
UNITS = {"mg": "mg", "ml": "ml", "l": "l", "g": "g", "mcg": None, "iu": None, "unit": "unit", "units": "unit", "tablet": "unit",
         "tablets": "unit", "pill": "unit", "pills": "unit", "cup": None, "cups": None}
AMOUNT_FIRST = re.compile(r"^(?P<name>.*?)\s+(?P<amount>\d+(?:[.,]\d+)?)\s*(?P<unit>[A-Za-z]+)?$")
# Categories whose `detail` items are labels a person chose; the rest are one value of a kind.
ITEM_KINDS = {"symptom": "symptom", "symptoms": "symptom", "meds/supplements": "medication", "factors": "factor",
              "factor": "factor", "health measurements": "measurement"}


def parse_day(text: str) -> date:
    match = DATE.match(text.strip())
    month = MONTHS.get(match.group(2)[:3].lower()) if match else None
    if not month:
        raise RowFault(f"The date {text!r} is not like 22nd Sep 2020.")
    try:
        return date(int(match.group(3)), month, int(match.group(1)))
    except ValueError:
        raise RowFault(f"The date {text!r} does not exist.") from None


def parse_time_of_day(text: str):
    """(clock or None, slot). :raise RowFault:"""
    word = " ".join(text.lower().split())
    if word in SLOT_TIMES:
        return None, word
    if not word:
        return None, "all day"
    try:
        return parse_clock(word), "all day"
    except RowFault:
        raise RowFault(f"The time of day {text!r} is not pre, am, mid, pm, all day or a clock time.") from None


def item(text: str, kind: str, common: dict, amount: str | None) -> Entry:
    """One ` | ` item: `Headache (Mild)`, `Hydroxyzine (mg)`, `Magnesium 200 mg`, `Coffee`."""
    name, severity, unit = text, None, None
    match = SEVERITY.match(text)
    if match:
        word = " ".join(match.group("word").lower().split())
        if word in SEVERITY_WORDS:
            name, severity = match.group("name"), SEVERITY_WORDS[word]
        elif word in UNITS:
            name, unit = match.group("name"), word
    if unit is None and kind == "medication":
        inline = AMOUNT_FIRST.match(name)
        if inline and (inline.group("unit") or "").lower() in UNITS:
            name, amount, unit = inline.group("name"), inline.group("amount").replace(",", "."), inline.group("unit").lower()
    return Entry(label=name.strip()[:100], kind=kind, value=amount, severity=severity, unit=unit, **common)


def parse(text: str) -> Parsed:
    header, rows = read_rows(text)
    if tuple(cell.lower() for cell in header) != HEADER:
        raise NotThisFormat("This is not a Bearable export: its first line should be "
                            '"date","weekday","time of day","category","rating/amount","detail","notes".')
    parsed = Parsed()
    for line, cells, raw in parsed.data_rows(rows):
        try:
            if len(cells) != len(HEADER):
                raise RowFault(f"The row has {len(cells)} fields where Bearable writes {len(HEADER)}.")
            day_text, _weekday, when, category, amount, detail, notes = (cell.strip() for cell in cells)
            day = parse_day(day_text)
            clock, slot = parse_time_of_day(when)
        except RowFault as fault:
            parsed.skip(line, str(fault))
            continue
        common = {"row": line, "content": raw, "day": day, "clock": clock, "slot": slot}
        kind = category.lower()
        amount = amount or None
        if kind in ITEM_KINDS:
            items = split_list(detail)
            for text_item in items:
                parsed.entries.append(item(text_item, ITEM_KINDS[kind], common, amount if len(items) == 1 else None))
        elif kind in ("gratitudes", "gratitude", "notes", "note"):
            if detail:
                parsed.entries.append(Entry(label="", kind="text", text=f"{category}: {detail}", **common))
        elif category:
            # Mood, Energy, Sleep and any category a newer Bearable adds: the category is the label
            parsed.entries.append(Entry(label=category[:100], kind=kind if kind in ("mood", "energy", "sleep") else "tracker",
                                        value=amount, text=detail or None, **common))
        if notes:
            parsed.entries.append(Entry(label="", kind="text", text=notes, **common))
    return parsed
