"""Imports (DESIGN §14): parse a file, plan its records, and write them through the sync merge.

Parsing and planning are pure work done before the write lock is taken (the SQLite write rule);
the records then go through `sync.service.push` in batches, each its own short write transaction,
so other requests wait at most one batch. Each batch is whole on its own and every id is derived
from the file, so a re-sent file adds nothing and an interrupted import is finished by sending it
again.
"""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import g, has_app_context

from ..errors import ApiError
from ..extensions import db
from ..transactions import begin_write
from ..instants import utcnow
from ..sync import service as sync
from ..sync.hlc import format_clock_instant
from ..sync.entities import ENTITIES
from . import bearable, daylio, visible
from .entries import NotThisFormat, decode
from .mapping import Plan, plan, targets

PARSERS = {"daylio": daylio.parse, "bearable": bearable.parse, "visible": visible.parse}
# Records per write transaction. SQLite has one writer for everyone, so its batches are short;
# on PostgreSQL a batch holds only this person's change counter (their own devices wait for it),
# and fewer, larger commits cost far less.
BATCH = {"sqlite": 250}
BATCH_DEFAULT = 1000
# Imported values are stamped with the earliest clock there is: whatever a person entered on a
# device for the same check-in field wins over the file, and a file sent again changes nothing.
IMPORT_INSTANT = "1970-01-01T00:00:00.000Z"


def source_clock(source: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"twitchlog:import:{source}"))


# A bare record kind stands for its most general target.
ALIASES = {"symptom": "symptom:other", "intake": "intake:other", "activity": "activity:light", "checkin": "note",
           "check-in": "note", "skip": "ignore"}


def check_mapping(mapping: dict) -> dict[str, str]:
    """The person's label -> target choices. :raise ApiError 400: naming each bad target."""
    allowed = set(targets())
    chosen = {label: ALIASES.get(target.strip().lower(), target.strip()) for label, target in mapping.items()}
    errors = {label: [f"Not a target. Use one of: {', '.join(sorted(allowed))}."]
              for label, target in chosen.items() if target not in allowed}
    if errors:
        raise ApiError("Some labels are mapped to something Twitchlog does not have: see errors.", {"mapping": errors})
    return chosen


def prepare(source: str, data: bytes, timezone: str, mapping: dict[str, str] | None = None) -> Plan:
    """Everything an import will write, worked out without touching the database. :raise ApiError 400:"""
    try:
        parsed = PARSERS[source](decode(data))
    except NotThisFormat as fault:
        raise ApiError(str(fault)) from None
    if parsed.rows and not parsed.entries and len(parsed.skipped) == parsed.rows:
        first = parsed.skipped[0]
        raise ApiError(f"None of the {parsed.rows:,} rows could be read; row {first['row']}: {first['reason']}",
                       {"skipped": parsed.skipped[:20]})
    return plan(source, parsed, timezone, mapping)


def summary(prepared: Plan, counts: dict | None = None) -> dict:
    return {"source": prepared.source, "rows": prepared.rows, "records": counts or prepared.counts(),
            "labels": prepared.labels, "skipped": prepared.skipped}


def batch_size() -> int:
    return BATCH.get(db.engine.dialect.name, BATCH_DEFAULT)


def write(user_id: str, prepared: Plan, batch: int | None = None) -> dict:
    """Push the planned records in batches, one write transaction each; what was added, per entity."""
    batch = batch or batch_size()
    client_id = str(uuid.uuid4())
    stamp = f"{IMPORT_INSTANT}-0000-{source_clock(prepared.source)}"
    added = dict.fromkeys(ENTITIES, 0)
    next_id = 1
    # check-ins last: the day's note is merged with what is stored only when the day is written
    ordered = sorted(prepared.records, key=lambda record: record[0] == "checkin")
    for start in range(0, len(ordered), batch):
        chunk = ordered[start:start + batch]
        begin_write()
        mutations = []
        notes = _stored_notes(user_id, [record_id for entity, record_id, fields in chunk if entity == "checkin" and "note" in fields])
        for entity, record_id, fields in chunk:
            hlc = stamp
            if entity == "checkin" and "note" in fields and notes.get(record_id):
                merged = _merge_note(notes[record_id], fields["note"])
                fields = {k: v for k, v in fields.items() if k != "note"}
                if merged is not None:
                    # a separate mutation: the joined note must win over the stored one, other fields must not
                    mutations.append({"id": next_id, "hlc": format_clock_instant(utcnow()) + f"-0000-{source_clock(prepared.source)}",
                                      "entity": entity, "record_id": record_id, "op": "set",
                                      "fields": {"local_date": fields["local_date"], "note": merged}})
                    next_id += 1
            mutations.append({"id": next_id, "hlc": hlc, "entity": entity, "record_id": record_id, "op": "set", "fields": fields})
            next_id += 1
        g.twitchlog_import_added = batch_added = dict.fromkeys(ENTITIES, 0)
        try:
            result = sync.push(user_id, client_id, mutations)
        finally:
            g.twitchlog_import_added = None
        if result["rejected"]:
            db.session.rollback()
            first = result["rejected"][0]
            raise ApiError(f"A record could not be stored: {first['message']}", {"records": result["rejected"][:20]})
        db.session.commit()
        for name, count in batch_added.items():
            added[name] += count
    return added


def _stored_notes(user_id: str, record_ids: list[str]) -> dict[str, str]:
    if not record_ids:
        return {}
    table = ENTITIES["checkin"].model.__table__
    rows = db.session.execute(sa.select(table.c.record_id, table.c.note)
                              .where(table.c.user_id == user_id, table.c.record_id.in_(record_ids)))
    return {row.record_id: row.note for row in rows if row.note}


def _merge_note(stored: str, imported: str) -> str | None:
    """The stored note with the imported lines after it; None when it already holds them."""
    if imported in stored:
        return None
    return (stored + "\n\n" + imported)[:2000]


def _count_added(user_id: str, changes: list) -> None:
    """after_push hook: while an import writes, count the records each of its pushes changed."""
    added = g.get("twitchlog_import_added") if has_app_context() else None
    if added is not None:
        for entity, _row in changes:
            added[entity] += 1


if _count_added not in sync.after_push_hooks:
    sync.after_push_hooks.append(_count_added)
