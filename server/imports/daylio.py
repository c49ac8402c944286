"""Daylio's CSV export (three header generations, newest first, UTF-8 with a BOM).

`date` and `weekday` are written in the phone's language (`7 września,czwartek`), so the day comes
from `full_date` (YYYY-MM-DD) where the file has it; the oldest files have only `year` beside the
localised `date`, read with a table of month names. Times mix `6:50 pm`, `5:01 PM` and `14:58`.
"""
from __future__ import annotations

import re
from datetime import date

from .entries import Entry, NotThisFormat, Parsed, RowFault, parse_clock, parse_iso_date, read_rows, split_list

HEADERS = {
    ("full_date", "date", "weekday", "time", "mood", "activities", "note_title", "note"): "full_date",
    ("full_date", "date", "weekday", "time", "mood", "activities", "note"): "full_date",
    ("year", "date", "weekday", "time", "mood", "activities", "note"): "year",
}

# Month names (and the genitive forms Slavic languages use in a date) in the languages Daylio's
# exports most often come in; the first three letters are enough for most of them.
MONTHS = {
    1: "january jan januar janvier janv enero ene gennaio gen janeiro januari stycznia styczeń sty leden ledna январь января янв",
    2: "february feb februar février févr fevrier febrero febbraio fevereiro fev februari lutego luty lut únor února февраль февраля фев",
    3: "march mar märz marz mars marzo março marco maart marca marzec březen března март марта",
    4: "april apr avril abril aprile abr kwietnia kwiecień kwi duben dubna апрель апреля апр",
    5: "may mai mayo maggio mag maio mei maja maj květen května май мая",
    6: "june jun juni juin junio giugno giu junho czerwca czerwiec cze červen června июнь июня июн",
    7: "july jul juli juillet julio luglio lug julho lipca lipiec lip červenec července июль июля июл",
    8: "august aug août aout agosto ago augustus sierpnia sierpień sie srpen srpna август августа авг",
    9: "september sep sept septembre septiembre settembre set setembro września wrzesień wrz září сентябрь сентября сен",
    10: "october oct oktober octobre octubre ottobre ott outubro out oktober października październik paź říjen října октябрь октября окт",
    11: "november nov novembre noviembre novembro listopada listopad lis листопад ноябрь ноября ноя",
    12: "december dec dezember décembre decembre diciembre dic dicembre dezembro dez grudnia grudzień gru prosinec prosince декабрь декабря дек",
}
MONTH_NAMES = {name: number for number, names in MONTHS.items() for name in names.split()}
DAY_AND_MONTH = re.compile(r"^\s*(?:(\d{1,2})\.?\s*(?:de\s+)?([^\W\d_]+)\.?|([^\W\d_]+)\.?\s+(\d{1,2})\.?)\s*$", re.UNICODE)


def localised_day(year_text: str, text: str) -> date:
    """`7 września`, `Sep 7`, `7. September`, `7 de septiembre` in the given year. :raise RowFault:"""
    if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
        raise RowFault(f"The year {year_text!r} is not a year.")
    match = DAY_AND_MONTH.match(text)
    if match:
        day, name = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        month = MONTH_NAMES.get(name.lower()) or MONTH_NAMES.get(name.lower()[:3])
        if month:
            try:
                return date(int(year_text), month, int(day))
            except ValueError:
                pass
    raise RowFault(f"The date {text!r} could not be read; export again from a newer Daylio, which adds full_date.")


def parse(text: str) -> Parsed:
    header, rows = read_rows(text)
    kind = HEADERS.get(tuple(header))
    if kind is None:
        raise NotThisFormat("This is not a Daylio export: its first line should be "
                            "full_date,date,weekday,time,mood,activities,note_title,note (or an older Daylio header).")
    width = len(header)
    parsed = Parsed()
    for line, cells, raw in parsed.data_rows(rows):
        try:
            if len(cells) != width:
                raise RowFault(f"The row has {len(cells)} fields where Daylio writes {width}.")
            values = dict(zip(header, cells))
            day = parse_iso_date(values["full_date"]) if kind == "full_date" else localised_day(values["year"].strip(), values["date"])
            clock = parse_clock(values["time"])
        except RowFault as fault:
            parsed.skip(line, str(fault))
            continue
        content = raw
        common = {"row": line, "content": content, "day": day, "clock": clock}
        mood = values["mood"].strip()
        if mood:
            parsed.entries.append(Entry(label=mood, kind="mood", **common))
        for activity in split_list(values["activities"]):
            parsed.entries.append(Entry(label=activity, kind="activity", **common))
        words = "\n".join(part.strip() for part in (values.get("note_title", ""), values["note"]) if part.strip())
        words = words.replace("<br>", "\n").replace("<br/>", "\n")
        if words:
            parsed.entries.append(Entry(label="", kind="text", text=words, **common))
    return parsed
