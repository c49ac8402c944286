"""What every source parser gives back: one `Entry` per thing a person recorded, in the file's words.

Parsers only read the file (stdlib csv); turning entries into Twitchlog records is `mapping.py`'s
job, so the three formats share one mapping, one preview and one write path.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, time

# Times for rows that name a part of the day instead of a clock (Bearable), or only a date
# (Visible): the user's local time that stands for that part of the day. docs/FHIR.md and the
# import screen say the same.
SLOT_TIMES = {
    "pre": time(6, 0),
    "am": time(9, 0),
    "mid": time(13, 0),
    "pm": time(19, 0),
    "all day": time(12, 0),
}

MAX_CELL = 10_000  # a cell longer than this is not something a person typed into one of these apps


class NotThisFormat(Exception):
    """The file as a whole is not the source's export (a 400; nothing is written)."""


class RowFault(Exception):
    """One row cannot be read; it is listed in `skipped` with this reason."""


@dataclass
class Entry:
    row: int  # the row's number as a spreadsheet shows the file, the header being row 1
    content: str  # the row as written in the file (without its line break): what the record ids are made from
    day: date
    clock: time | None  # None: the time of `slot` stands in
    label: str  # the source's own name for it ("" for free text, which always goes to the note)
    kind: str  # mood, activity, symptom, medication, factor, sleep, energy, tracker, text
    value: str | None = None
    severity: str | None = None  # mild, moderate, severe, extreme
    unit: str | None = None
    text: str | None = None
    slot: str = "all day"


@dataclass
class Parsed:
    rows: int = 0
    entries: list[Entry] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)

    def skip(self, row: int, reason: str) -> None:
        self.skipped.append({"row": row, "reason": reason})

    def data_rows(self, rows):
        """The rows that hold anything (blank lines are not rows of data), each one counted."""
        for line, cells, raw in rows:
            if any(cell.strip() for cell in cells):
                self.rows += 1
                yield line, cells, raw


def decode(data: bytes) -> str:
    """The file's text: UTF-8, with or without a byte-order mark. :raise NotThisFormat:"""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise NotThisFormat(f"The file is not UTF-8 text (line {line} has bytes UTF-8 does not allow). "
                            "Export it again from the app, or save it as UTF-8.") from None
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise NotThisFormat(f"The file holds a NUL character on line {line}, so it is not a CSV export.")
    return text


def read_rows(text: str):
    """The header, and (row number, cells, the row's text as in the file) for every row after it.

    :raise NotThisFormat:
    """
    lines = list(io.StringIO(text, newline=""))  # split on \n, \r or \r\n only, as csv wants
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise NotThisFormat(f"The first line is not CSV: {error}.") from None
    if header is None:
        raise NotThisFormat("The file is empty.")

    def rows():
        row = 1  # the header; rows are counted as a spreadsheet shows them, a quoted line break staying in its row
        while True:
            row += 1
            first = reader.line_num
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise NotThisFormat(f"Row {row} (near line {reader.line_num}) is not valid CSV: {error}.") from None
            if any(len(cell) > MAX_CELL for cell in cells):
                raise NotThisFormat(f"Row {row} has a cell of more than {MAX_CELL:,} characters; this is not an app export.")
            raw = "".join(lines[first:reader.line_num])
            yield row, cells, raw.removesuffix("\n").removesuffix("\r")

    return [cell.strip() for cell in header], rows()


SEVERITY = re.compile(r"^(?P<name>.*?)\s*\((?P<word>[^()]*)\)\s*$")
SEVERITY_WORDS = {
    "none": None, "mild": "mild", "low": "mild", "moderate": "moderate", "medium": "moderate",
    "severe": "severe", "high": "severe", "extreme": "extreme", "unbearable": "extreme", "very severe": "extreme",
}
CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2})?\s*(?:([ap])\.?\s*m\.?)?$", re.IGNORECASE)


def split_list(cell: str) -> list[str]:
    """` | `-separated items of one cell, without empty ones."""
    return [item.strip() for item in cell.split("|") if item.strip()]


def parse_clock(text: str) -> time:
    """`14:58`, `3:04`, `6:50 pm`, `5:01 PM`, `12:15 a.m.`. :raise RowFault:"""
    match = CLOCK.match(text.strip())
    if not match:
        raise RowFault(f"The time {text!r} is not a clock time such as 14:58 or 6:50 pm.")
    hour, minute, half = int(match.group(1)), int(match.group(2)), (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise RowFault(f"The time {text!r} has an hour outside 1-12 beside am/pm.")
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        raise RowFault(f"The time {text!r} does not exist.")
    return time(hour, minute)


def parse_iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise RowFault(f"The date {text!r} is not in the form YYYY-MM-DD.") from None
