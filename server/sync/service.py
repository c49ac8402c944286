"""Sync push and pull (§3): per-field last-writer-wins by HLC, a per-user counter as cursor.

Push holds the user's counter row from its first statement to its commit, so pushes of one user
are serialised and a reader that sees version v has seen every version below it.
"""
from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from marshmallow import ValidationError

from ..extensions import db
from ..fields import canonical_uuid
from ..instants import format_instant, utcnow
from . import hlc as clock
from .entities import ENTITIES, Entity, checkin_record_id
from .models import ChangeCounter, SyncClient

OPS = ("set", "delete")

# Called after a push has applied its mutations, with (user_id, [(entity, row), ...]) of changed
# rows; other capabilities (caregiver alerts, reminder planning) hook in here.
after_push_hooks: list = []


class NewRecord:
    """A record this push creates: plain attributes until one INSERT per entity writes them all.

    Building ORM objects cost more than the rest of a batch; hooks read this like a row.
    """

    def __init__(self, **values):
        self.__dict__.update(values)


class Rejected(Exception):
    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors


def create_counter(user_id: str) -> None:
    db.session.add(ChangeCounter(user_id=user_id, version=0, epoch=secrets.token_hex(4)))
    db.session.flush()


def claim_version(user_id: str) -> int:
    """Increment the user's change counter and hold its row until commit; the new version."""
    version = db.session.execute(
        sa.update(ChangeCounter)
        .where(ChangeCounter.user_id == user_id)
        .values(version=ChangeCounter.version + 1)
        .returning(ChangeCounter.version)
    ).scalar()
    if version is None:
        create_counter(user_id)
        return claim_version(user_id)
    return version


def push(user_id: str, client_id: str, mutations: list[dict], now: datetime | None = None) -> dict:
    """Apply a client's mutations in id order; replays are skipped, a gap stops the batch."""
    now = now or utcnow()
    version = claim_version(user_id)
    client = db.session.get(SyncClient, (user_id, client_id))
    if client is None:
        client = SyncClient(user_id=user_id, client_id=client_id, last_mutation_id=0, created_at=now, updated_at=now)
        db.session.add(client)
    last = client.last_mutation_id
    in_sequence = []
    for mutation in sorted(mutations, key=lambda m: m["id"]):
        if mutation["id"] <= last or (in_sequence and mutation["id"] <= in_sequence[-1]["id"]):
            continue
        expected = in_sequence[-1]["id"] + 1 if in_sequence else last + 1
        if mutation["id"] != expected:
            break
        in_sequence.append(mutation)

    existing = _load_records(user_id, in_sequence)
    created: dict[str, list[NewRecord]] = defaultdict(list)
    rejected, changed = [], {}
    for mutation in in_sequence:
        try:
            row_key, row = _apply(user_id, mutation, version, now, existing, created)
        except Rejected as fault:
            entry = {"id": mutation["id"], "code": "invalid", "message": fault.message}
            if fault.errors:
                entry["errors"] = fault.errors
            rejected.append(entry)
        else:
            if row is not None:
                changed[row_key] = row
        last = mutation["id"]
    if last != client.last_mutation_id:
        client.last_mutation_id = last
        client.updated_at = now
    for name, rows in created.items():
        table = ENTITIES[name].model.__table__
        db.session.execute(sa.insert(table), [{column: getattr(row, column) for column in table.c.keys()} for row in rows])
    db.session.flush()
    if changed:
        for hook in after_push_hooks:
            hook(user_id, [(key[0], row) for key, row in changed.items()])
    return {"last_mutation_id": last, "rejected": rejected, "server_time": format_instant(now)}


def _load_records(user_id: str, mutations: list[dict]) -> dict:
    """Every row the batch touches, in one query per entity."""
    wanted = defaultdict(set)
    for mutation in mutations:
        record_id = canonical_uuid(mutation.get("record_id"))
        if mutation.get("entity") in ENTITIES and record_id:
            wanted[mutation["entity"]].add(record_id)
    found = {}
    for name, ids in wanted.items():
        model = ENTITIES[name].model
        ids = sorted(ids)
        for start in range(0, len(ids), 500):
            for row in db.session.scalars(sa.select(model).where(model.user_id == user_id, model.record_id.in_(ids[start:start + 500]))):
                found[(name, row.record_id)] = row
    return found


def _new_record(entity: Entity, **values) -> NewRecord:
    return NewRecord(**{**dict.fromkeys(entity.field_names), **values})


def _apply(user_id: str, mutation: dict, version: int, now: datetime, existing: dict, created: dict):
    """Merge one mutation. :raise Rejected: for any §2/§3 fault; then nothing of it is applied."""
    entity = ENTITIES.get(mutation.get("entity")) if isinstance(mutation.get("entity"), str) else None
    if entity is None:
        raise Rejected("Unknown entity: use one of " + ", ".join(ENTITIES) + ".")
    op = mutation.get("op")
    if op not in OPS:
        raise Rejected("Unknown op: use set or delete.")
    record_id = canonical_uuid(mutation.get("record_id"))
    if record_id is None:
        raise Rejected("record_id is not a UUID.")
    parsed = clock.parse(mutation.get("hlc"))
    if parsed is None:
        raise Rejected("hlc is not in the format <instant with ms>Z-<4 hex digits>-<client uuid>.")
    stamp = clock.clamp(mutation["hlc"], now, parsed)
    raw_fields = mutation.get("fields", {} if op == "delete" else None)
    if not isinstance(raw_fields, dict):
        raise Rejected("fields must be an object.")
    key = (entity.name, record_id)
    row = existing.get(key)

    if op == "delete":
        if row is None:
            row = _new_record(entity, user_id=user_id, record_id=record_id, deleted=True, field_hlc={"deleted": stamp},
                              version=version, created_at=now, updated_at=now)
            created[entity.name].append(row)
            existing[key] = row
            return key, row
        return key, _merge(row, {"deleted": True}, stamp, version, now)

    values = dict(raw_fields)
    undelete = values.pop("deleted", None)
    if "deleted" in raw_fields and not isinstance(undelete, bool):
        raise Rejected("deleted must be true or false.", {"deleted": ["Not a valid boolean."]})
    try:
        values = entity.schema.load(values, partial=True)
    except ValidationError as error:
        raise Rejected("Some fields are not valid: see errors.", error.messages)
    _check_record_rules(entity, record_id, row, values)
    if undelete is not None:
        values["deleted"] = undelete

    if row is None:
        row = _new_record(entity, user_id=user_id, record_id=record_id, deleted=bool(values.pop("deleted", False)),
                          field_hlc={name: stamp for name in (*values, *(["deleted"] if undelete is not None else []))},
                          version=version, created_at=now, updated_at=now, **values)
        created[entity.name].append(row)
        existing[key] = row
        return key, row
    return key, _merge(row, values, stamp, version, now)


def _check_record_rules(entity: Entity, record_id: str, row, values: dict) -> None:
    """Rules that span fields or the stored row: required fields, the check-in id, time order."""
    creating = row is None
    if creating:
        missing = [name for name in entity.required if values.get(name) is None]
        if missing:
            raise Rejected("A new record needs its required fields: " + ", ".join(missing) + ".",
                           {name: ["Missing data for required field."] for name in missing})
    if entity.name == "checkin":
        stored = None if creating else row.local_date
        if "local_date" in values:
            if stored is not None and values["local_date"] != stored:
                raise Rejected("A check-in's local_date cannot change; log the other day as its own check-in.",
                               {"local_date": ["Cannot change."]})
            if checkin_record_id(values["local_date"]) != record_id:
                raise Rejected("A check-in's record_id must be uuid5(NAMESPACE_URL, 'twitchlog:checkin:<local_date>').",
                               {"record_id": ["Does not match local_date."]})
    if entity.name == "activity":
        started = values.get("started_at", None if creating else row.started_at)
        ended = values.get("ended_at", None if creating else row.ended_at)
        if started is not None and ended is not None and ended < started:
            raise Rejected("ended_at must not be before started_at.", {"ended_at": ["Before started_at."]})


def _merge(row, values: dict, stamp: str, version: int, now: datetime):
    """Last writer wins per field; the row is stamped only when a field actually changed hands."""
    field_hlc = dict(row.field_hlc or {})
    changed = False
    for name, value in values.items():
        if stamp > field_hlc.get(name, ""):
            setattr(row, name, value)
            field_hlc[name] = stamp
            changed = True
    if not changed:
        return None
    row.field_hlc = field_hlc
    row.version = version
    row.updated_at = now
    return row


# --- pull -------------------------------------------------------------------------------------

def _cookie(epoch: str, version: int) -> str:
    return f"{epoch}.{version}"


def _read_cookie(cookie: str | None, counter: ChangeCounter) -> int | None:
    """The version a cookie stands for, or None when the client must start again."""
    if cookie is None:
        return 0
    epoch, _, number = cookie.partition(".")
    if epoch != counter.epoch or not (number.isascii() and number.isdigit()) or len(number) > 18:  # '²' is a digit
        return None
    version = int(number)
    return version if version <= counter.version else None


def pull(user_id: str, client_id: str, cookie: str | None, limit: int) -> dict:
    """Whole records changed after the cookie, in version order, never splitting a version."""
    counter = db.session.get(ChangeCounter, user_id)
    if counter is None:
        create_counter(user_id)
        counter = db.session.get(ChangeCounter, user_id)
    upto = counter.version  # every version up to here is committed (§3): never read past it
    since = _read_cookie(cookie, counter)
    reset = since is None
    if reset:
        since = 0
    rows = _changed_rows(user_id, since, upto, limit + 1)
    if len(rows) <= limit:
        page, next_version, more = rows, upto, False
    else:
        cut = rows[limit][0].version
        if rows[0][0].version == cut:
            page = _changed_rows(user_id, cut - 1, cut, None)
            next_version = cut
        else:
            page = [r for r in rows[:limit] if r[0].version < cut]
            next_version = cut - 1
        more = True
    client = db.session.get(SyncClient, (user_id, client_id))
    return {
        "cookie": _cookie(counter.epoch, next_version),
        "last_mutation_id": client.last_mutation_id if client else 0,
        "changes": [change_of(entity, row) for row, entity in page],
        "more": more,
        "reset": reset,
    }


def _changed_rows(user_id: str, since: int, upto: int, limit: int | None) -> list:
    """(row, entity) pairs in version order; plain rows, as a pull only reads them."""
    rows = []
    for entity in ENTITIES.values():
        table = entity.model.__table__
        query = (
            sa.select(table)
            .where(table.c.user_id == user_id, table.c.version > since, table.c.version <= upto)
            .order_by(table.c.version, table.c.record_id)
        )
        if limit is not None:
            query = query.limit(limit)
        rows.extend((row, entity) for row in db.session.execute(query))
    rows.sort(key=lambda pair: (pair[0].version, pair[1].name, pair[0].record_id))
    return rows if limit is None else rows[:limit]


def change_of(entity: Entity, row) -> dict:
    return {
        "entity": entity.name,
        "record_id": row.record_id,
        "version": row.version,
        "deleted": bool(row.deleted),
        "fields": entity.to_json(row),
        "field_hlc": dict(row.field_hlc or {}),
    }
