"""From entries to Twitchlog records: the default mapping of source labels, and the records it makes.

A target is one of:
  `twitch`                       one twitch per mention, intensity from the severity word
  `symptom:<kind>`               a §2 symptom of that kind
  `intake:<kind>`                a §2 intake of that kind, amount and unit when the source gives them
  `checkin:<field>`              a value of that date's check-in (the scales take the severity)
  `activity:<level>`             an activity of that level, labelled with the source's name
  `note`                         a line in that date's check-in note (the default: nothing is dropped)
  `ignore`                       left out, because the person chose so in the preview
A value a target cannot take (a `checkin:stress` label without a number or severity) becomes a
note line instead, so nothing is lost silently.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ..instants import UTC, format_instant
from ..sync.entities import ENTITIES, checkin_record_id
from ..sync.schemas import ACTIVITY_LEVELS, INTAKE_KINDS, SYMPTOM_KINDS
from .entries import SLOT_TIMES, Entry

CHECKIN_SCALES = ("stress", "anxiety", "fatigue", "exertion", "twitch_burden")
CHECKIN_TARGETS = ("sleep_hours", "sleep_quality", *CHECKIN_SCALES, "crash")
# Severity word -> twitch intensity (1-5) and -> a 0-10 check-in scale.
INTENSITY = {"mild": 2, "moderate": 3, "severe": 4, "extreme": 5}
SCALE = {"mild": 3, "moderate": 5, "severe": 8, "extreme": 10}
NOTE_LIMIT = 2000
FIRST_YEAR, LAST_YEAR = 1900, 2200
TWITCH_NOTE_LIMIT = 500

RED_FLAG_WORDS = (
    ("weakness", ("weakness", "weak ")), ("muscle_wasting", ("wasting", "atrophy")),
    ("speech_difficulty", ("speech", "slurred")), ("swallowing_difficulty", ("swallow", "dysphagia")),
    ("reflex_change", ("reflex",)),
)


def checkin_has(name: str) -> bool:
    return name in ENTITIES["checkin"].schema.fields


def targets() -> list[str]:
    """Every target the mapping accepts (the check-in's `crash` only once the check-in has it)."""
    return (["twitch"] + [f"symptom:{k}" for k in SYMPTOM_KINDS] + [f"intake:{k}" for k in INTAKE_KINDS]
            + [f"checkin:{name}" for name in CHECKIN_TARGETS if checkin_has(name)]
            + [f"activity:{level}" for level in ACTIVITY_LEVELS] + ["note", "ignore"])


def _words(label: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", label.lower()) + " "


def default_target(entry: Entry, source: str) -> str:
    """What a label maps to unless the person changes it (DESIGN §14)."""
    words = _words(entry.label)
    if "twitch" in words or "fascicul" in words:
        return "twitch"
    if entry.kind == "sleep" or (source == "visible" and entry.label.lower() == "sleep") or " hours slept " in words:
        return "checkin:sleep_hours"
    if source == "visible" and entry.label.lower() == "crash":
        return "checkin:crash" if checkin_has("crash") else "note"
    if " stress" in words:
        return "checkin:stress"
    if " anxi" in words:
        return "checkin:anxiety"
    for kind, needles in RED_FLAG_WORDS:
        if any(needle in words for needle in needles):
            return f"symptom:{kind}"
    if "cramp" in words:
        return "symptom:cramp"
    if "numb" in words:
        return "symptom:numbness"
    if "fatigue" in words or " tired" in words or " exhaust" in words:
        # a score of the day (Visible's tracker) fills the check-in; a mention is a symptom
        return "checkin:fatigue" if source == "visible" else "symptom:fatigue"
    if "magnes" in words:
        return "intake:magnesium"
    if "electrolyt" in words:
        return "intake:electrolytes"
    if "caffeine" in words or " coffee " in words:
        return "intake:caffeine"
    if " water " in words:
        return "intake:water"
    return "note"


def import_record_id(source: str, entry: Entry, part: int) -> str:
    """uuid5(NAMESPACE_URL, "twitchlog:import:<source>:<the row's content>"), the content being the
    row as written in the file; the second and later things one row holds (a Daylio row's
    activities, a Bearable ` | ` list) add `#<their place in the row>`. Rows written twice are one."""
    suffix = f"#{part}" if part else ""
    return uuid5_url(f"twitchlog:import:{source}:{entry.content}{suffix}")


_URL_NAMESPACE = uuid.NAMESPACE_URL.bytes


def uuid5_url(name: str) -> str:
    """str(uuid.uuid5(uuid.NAMESPACE_URL, name)), without building UUID objects (30,000 a file)."""
    digest = bytearray(hashlib.sha1(_URL_NAMESPACE + name.encode(), usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass
class Plan:
    source: str
    rows: int
    records: list[tuple[str, str, dict]] = field(default_factory=list)  # (entity, record_id, fields)
    labels: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)

    def counts(self) -> dict:
        counts = dict.fromkeys(ENTITIES, 0)
        for entity, _, _ in self.records:
            counts[entity] += 1
        return counts


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if value == value and abs(value) < 1e9 else None


DURATION = re.compile(r"^\s*(?:(\d{1,2})\s*h(?:ours?|rs?)?)?\s*(?:(\d{1,2})\s*m(?:in(?:utes?)?)?)?\s*$", re.IGNORECASE)
CLOCK_DURATION = re.compile(r"^\s*(\d{1,2}):([0-5]\d)\s*$")


def _hours(text: str | None) -> float | None:
    """Hours of sleep from `7.5`, `7,5`, `7:30`, `7h 30m` or `7 hours`."""
    number = _number(text)
    if number is not None or text is None:
        return number
    match = CLOCK_DURATION.match(text) or DURATION.match(text)
    if not match or not any(match.groups()):
        return None
    return int(match.group(1) or 0) + int(match.group(2) or 0) / 60


def _instant(entry: Entry, zone: ZoneInfo, made: dict) -> str:
    """The entry's local date and time as a UTC instant (many entries share a row's time: kept in `made`)."""
    key = (entry.day, entry.clock, entry.slot)
    instant = made.get(key)
    if instant is None:
        local = datetime.combine(entry.day, entry.clock or SLOT_TIMES.get(entry.slot, time(12, 0)), tzinfo=zone)
        instant = made[key] = format_instant(local.astimezone(UTC))
    return instant


def _describe(entry: Entry) -> str:
    """The entry as a note line, in the source's words."""
    if entry.kind == "text":
        return entry.text or ""
    line = f"Mood: {entry.label}" if entry.kind == "mood" and entry.label.lower() != "mood" else entry.label
    if entry.severity:
        line += f" ({entry.severity})"
    if entry.value not in (None, ""):
        line += f": {entry.value}" + (f" {entry.unit}" if entry.unit else "")
    elif entry.unit:
        line += f" ({entry.unit})"
    if entry.text:
        line += f" - {entry.text}"
    return line


def _scale_value(entry: Entry, source: str, low: int, high: int):
    if entry.severity:
        return min(SCALE[entry.severity], high)
    number = _number(entry.value)
    if number is None:
        return None
    if source == "visible" and entry.kind == "symptom":
        number = number * 10 / 3  # Visible scores 0-3
    number = round(number)
    return number if low <= number <= high else None


def _checkin_value(name: str, entry: Entry, source: str):
    """The check-in field's value from the entry, or None when it cannot take one."""
    if name == "sleep_hours":
        hours = _hours(entry.value)
        return round(hours, 2) if hours is not None and 0 <= hours <= 24 else None
    if name == "sleep_quality":
        return _scale_value(entry, source, 1, 5)
    if name == "crash":
        word = (entry.value or "").strip().lower()
        flag = {"1": True, "yes": True, "true": True, "y": True, "0": False, "no": False, "false": False, "n": False}.get(word)
        if flag is None:
            number = _number(word)
            flag = None if number is None else number > 0
        if flag is None:
            return None
        fieldtype = ENTITIES["checkin"].schema.fields["crash"]
        return int(flag) if fieldtype.__class__.__name__ in ("Integer",) else flag
    return _scale_value(entry, source, 0, 10)


def plan(source: str, parsed, timezone: str, overrides: dict[str, str] | None = None) -> Plan:
    """Records for the parsed entries under the default mapping with the person's overrides."""
    zone = ZoneInfo(timezone)
    overrides = overrides or {}
    result = Plan(source=source, rows=parsed.rows, skipped=list(parsed.skipped))
    chosen: dict[str, str] = {}
    parts: dict[int, int] = {}
    planned: set[tuple[str, str]] = set()
    days: dict[date, dict] = {}
    notes: dict[date, list[str]] = {}
    note_rows: dict[date, int] = {}
    out_of_range: set[int] = set()
    instants: dict = {}
    entity_schemas = {name: entity.schema for name, entity in ENTITIES.items()}

    def day_note(entry: Entry, line: str) -> None:
        if not line:
            return
        stamp = f"{entry.clock.hour:02d}:{entry.clock.minute:02d} " if entry.clock else (entry.slot + ": " if entry.slot != "all day" else "")
        note_rows.setdefault(entry.day, entry.row)
        lines = notes.setdefault(entry.day, [])
        text = stamp + line
        if text not in lines:
            lines.append(text)

    for entry in parsed.entries:
        part = parts[entry.row] = parts.get(entry.row, -1) + 1  # its place among the things its row holds
        if not FIRST_YEAR <= entry.day.year < LAST_YEAR:  # what §2 allows; every other field is made valid here
            if entry.row not in out_of_range:
                out_of_range.add(entry.row)
                result.skipped.append({"row": entry.row, "reason": f"The date {entry.day.isoformat()} is outside the years 1900 to 2199."})
            continue
        if entry.kind == "text":
            day_note(entry, _describe(entry))
            continue
        target = chosen.get(entry.label)
        if target is None:
            target = overrides.get(entry.label) or default_target(entry, source)
            chosen[entry.label] = target
        if target == "ignore":
            continue
        kind, _, detail = target.partition(":")
        # a Visible symptom scored 0: the person did not have it that day (a check-in scale keeps the 0)
        absent = source == "visible" and entry.kind == "symptom" and entry.severity is None and _number(entry.value) == 0
        if target == "note":
            if not absent:
                day_note(entry, _describe(entry))
            continue
        if kind == "checkin":
            value = _checkin_value(detail, entry, source)
            if value is None:
                day_note(entry, _describe(entry))
            else:
                if entry.text:
                    day_note(entry, f"{entry.label}: {entry.text}")
                on_day = days.setdefault(entry.day, {})
                current = on_day.get(detail)
                if isinstance(value, bool):
                    on_day[detail] = bool(current) or value
                else:
                    on_day[detail] = value if current is None else max(current, value)
            continue
        if absent:
            continue
        when = _instant(entry, zone, instants)
        described = f"From {source.capitalize()}: {_describe(entry)}"
        if kind == "twitch":
            fields = {"occurred_at": when, "note": described[:TWITCH_NOTE_LIMIT]}
            if entry.severity:
                fields["intensity"] = INTENSITY[entry.severity]
            entity = "twitch"
        elif kind == "symptom":
            fields, entity = {"observed_at": when, "kind": detail, "note": described[:NOTE_LIMIT]}, "symptom"
        elif kind == "intake":
            fields, entity = {"taken_at": when, "kind": detail, "label": entry.label[:100]}, "intake"
            amount = _number(entry.value)
            if amount is not None and amount >= 0 and entry.unit in ("mg", "ml", "l", "g", "unit"):
                fields.update(amount=amount, unit=entry.unit)
            elif amount is not None and amount >= 0 and entry.unit is None and entry.kind == "medication":
                fields.update(amount=amount)
        elif kind == "activity":
            fields, entity = {"started_at": when, "level": detail, "label": entry.label[:100]}, "activity"
        else:  # a target the view's check let through cannot reach here; keep the words anyway
            day_note(entry, _describe(entry))
            continue
        record_id = import_record_id(source, entry, part)
        if (entity, record_id) in planned:
            continue  # the same row written twice in the file
        planned.add((entity, record_id))
        result.records.append((entity, record_id, fields))

    for day in sorted(set(days) | set(notes)):
        fields = {"local_date": day.isoformat(), **days.get(day, {})}
        lines = notes.get(day)
        if lines:
            text = f"From {source.capitalize()}:\n" + "\n".join(lines)
            if len(text) > NOTE_LIMIT:
                result.skipped.append({"row": note_rows[day], "reason": f"The note for {day.isoformat()} was cut to {NOTE_LIMIT:,} characters."})
                text = text[:NOTE_LIMIT - 1] + "…"
            fields["note"] = text
        errors = entity_schemas["checkin"].validate(fields)
        if errors:
            problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
            result.skipped.append({"row": note_rows.get(day, 0), "reason": f"The check-in of {day.isoformat()} could not be made: {problems}"})
            continue
        result.records.append(("checkin", checkin_record_id(day), fields))

    result.labels = [{"label": label, "maps_to": target} for label, target in sorted(chosen.items(), key=lambda kv: kv[0].lower())]
    result.skipped.sort(key=lambda s: s["row"])
    return result
