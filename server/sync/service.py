"""Sync push and pull (§3): per-field last-writer-wins by HLC, a per-user counter as cursor.

Push holds the user's counter row from its first statement to its commit, so pushes of one user
are serialised and a reader that sees version v has seen every version below it.
"""
from __future__ import annotations

import secrets
from collections import defaultdict
from contextvars import ContextVar
from datetime import datetime
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from marshmallow import ValidationError

from .. import direct_sql
from ..extensions import db
from ..transactions import begin_write
from ..fields import canonical_uuid
from ..instants import format_instant, utcnow
from . import hlc as clock
from .entities import ENTITIES, Entity, checkin_record_id
from .models import ChangeCounter, SyncClient

OPS = ("set", "delete")

# Called after a push has applied its mutations, with (user_id, [(entity, row), ...]) of changed
# rows; other capabilities (caregiver alerts, reminder planning) hook in here.
after_push_hooks: list = []

# What an after-push hook needs to know to skip its own work, read by the counter claim's own
# statement (RETURNING ..., (SELECT ...)), so a hook with nothing to do costs no round trip:
# name -> function(user id bind parameter) -> a scalar SQL expression. A hook reads its flag with
# `push_flag(name)`, which is None outside a push or when the claim did not read it: the hook then
# queries for itself. On PostgreSQL the subqueries see the statement's snapshot, which may be from
# before the wait for the counter's row lock: right for settings and alert marks (a change committed
# meanwhile is ordered after this push, as if it had come a moment later), never for anything the
# lock orders, such as the client's mark, which is read after the claim.
push_flags: dict[str, Callable[[sa.BindParameter], sa.ColumnElement]] = {}
_claimed_flags: ContextVar[dict | None] = ContextVar("twitchlog_push_flags", default=None)


def push_flag(name: str):
    """The flag `name` of `push_flags` as this push's counter claim read it; None when unknown."""
    flags = _claimed_flags.get()
    return None if flags is None else flags.get(name)


class RecordState:
    """A record as a push sees it: plain attributes, read and written with one statement per
    entity (ORM objects and their unit of work cost more than the merge); hooks read it like a row.
    """

    def __init__(self, new: bool, **values):
        self.new = new
        self.__dict__.update(values)

    def values(self, columns: list[str]) -> dict:
        return {column: getattr(self, column) for column in columns}


class Rejected(Exception):
    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors


def create_counter(user_id: str) -> None:
    db.session.add(ChangeCounter(user_id=user_id, version=0, epoch=secrets.token_hex(4)))
    db.session.flush()


COUNTERS, CLIENTS = ChangeCounter.__table__, SyncClient.__table__

# The push path's statements, built once with bind parameters: building a Core expression on
# every request cost more than the database took to run it (SQLAlchemy caches the compiled SQL).
CLAIM_VERSION = (sa.update(COUNTERS).where(COUNTERS.c.user_id == sa.bindparam("key_user_id"))
                 .values(version=COUNTERS.c.version + 1).returning(COUNTERS.c.version))
_claim_with_flags: dict[tuple, sa.Update] = {}


def _claim_statement() -> sa.Update:
    """CLAIM_VERSION returning the registered push flags too (built once for each set of flags)."""
    names = tuple(push_flags)
    statement = _claim_with_flags.get(names)
    if statement is None:
        user_id = sa.bindparam("key_user_id")
        statement = CLAIM_VERSION.returning(*(push_flags[name](user_id).label(f"flag_{name}") for name in names))
        _claim_with_flags.clear()
        _claim_with_flags[names] = statement
    return statement
LAST_MUTATION_ID = sa.select(CLIENTS.c.last_mutation_id).where(
    CLIENTS.c.user_id == sa.bindparam("user_id"), CLIENTS.c.client_id == sa.bindparam("client_id"))
INSERT_CLIENT = sa.insert(CLIENTS)
ADVANCE_CLIENT = (sa.update(CLIENTS)
                  .where(CLIENTS.c.user_id == sa.bindparam("key_user_id"), CLIENTS.c.client_id == sa.bindparam("key_client_id"))
                  .values(last_mutation_id=sa.bindparam("last_mutation_id"), updated_at=sa.bindparam("updated_at")))


class EntityStatements:
    """One entity's load, insert and update, built once."""

    def __init__(self, table: sa.Table):
        self.columns = table.c.keys()
        self.load = sa.select(table).where(table.c.user_id == sa.bindparam("user_id"),
                                           table.c.record_id.in_(sa.bindparam("record_ids", expanding=True)))
        # the same on PostgreSQL with one array parameter, which compiles once whatever the count
        self.load_any = sa.select(table).where(table.c.user_id == sa.bindparam("user_id"),
                                               table.c.record_id == sa.any_(sa.bindparam("record_ids", type_=sa.ARRAY(sa.String))))
        self.insert = sa.insert(table)
        # the insert-first write of push: the keys it inserted come back, a stored key is skipped
        self.insert_if_new = {
            dialect.__name__.rsplit(".", 1)[-1]: dialect.insert(table)
            .on_conflict_do_nothing(index_elements=[table.c.user_id, table.c.record_id]).returning(table.c.record_id)
            for dialect in (postgresql, sqlite)
        }
        self.changeable = [c for c in self.columns if c not in ("user_id", "record_id", "created_at")]
        self.update = (sa.update(table)
                       .where(table.c.user_id == sa.bindparam("key_user_id"), table.c.record_id == sa.bindparam("key_record_id"))
                       .values({c: sa.bindparam(c) for c in self.changeable}))


STATEMENTS = {name: EntityStatements(entity.model.__table__) for name, entity in ENTITIES.items()}


def _sql(statement, parameters=None):
    """Run a Core statement on the request's connection (the Session's ORM layer adds nothing here)."""
    return db.session.connection().execute(statement, parameters)


_execute = direct_sql.execute  # the push's statements: straight through the cursor on PostgreSQL


def claim_version(user_id: str) -> int:
    """Increment the user's change counter and hold its row until commit; the new version.
    In a push, the same statement reads the hooks' `push_flags` for `push_flag`."""
    row = _execute(db.session.connection(), _claim_statement(), {"key_user_id": user_id}, first=True)
    if row is None:
        create_counter(user_id)
        return claim_version(user_id)
    flags = _claimed_flags.get()
    if flags is not None:
        flags.update((key[5:], value) for key, value in row.items() if key.startswith("flag_"))
    return row["version"]


def push(user_id: str, client_id: str, mutations: list[dict], now: datetime | None = None) -> dict:
    """Apply a client's mutations in id order; replays are skipped, a gap stops the batch."""
    now = now or utcnow()
    flags = _claimed_flags.set({})  # filled by the claim; read by the hooks with push_flag()
    try:
        return _push(user_id, client_id, mutations, now)
    finally:
        _claimed_flags.reset(flags)


def _push(user_id: str, client_id: str, mutations: list[dict], now: datetime) -> dict:
    version = claim_version(user_id)
    connection = db.session.connection()  # the same one all through: fetching it again costs each time
    stored = _last_mutation_id(connection, user_id, client_id)
    last = stored or 0
    in_sequence = []
    for mutation in sorted(mutations, key=lambda m: m["id"]):
        if mutation["id"] <= last or (in_sequence and mutation["id"] <= in_sequence[-1]["id"]):
            continue
        expected = in_sequence[-1]["id"] + 1 if in_sequence else last + 1
        if mutation["id"] != expected:
            break
        in_sequence.append(mutation)
    if in_sequence:
        last = in_sequence[-1]["id"]

    # Insert first: most records a push names are new, so the batch is merged as if none were
    # stored and the records a `set` created are inserted unless their key exists (ON CONFLICT DO
    # NOTHING), which spares the read of stored rows. The keys that did exist, and those whose
    # outcome depends on a stored row the first pass did not make, are read and merged again from
    # their stored rows: the one §3 merge (_apply) decides every outcome, against the true state.
    outcomes, changed, created_by_set = _apply_all(user_id, in_sequence, version, now, {})
    inserted = _insert_new(connection, user_id, {key: changed[key] for key in created_by_set})
    again = {key for key in map(_record_key, in_sequence) if key is not None and key not in inserted}
    if again:
        redo = [mutation for mutation in in_sequence if _record_key(mutation) in again]
        redone, changed_again, _ = _apply_all(user_id, redo, version, now, _load_records(connection, user_id, again))
        outcomes.update(redone)
        changed = {key: row for key, row in changed.items() if key in inserted}
        changed.update(changed_again)
    rejected = [outcomes[mutation["id"]] for mutation in in_sequence if outcomes[mutation["id"]] is not None]

    if stored is None:
        _execute(connection, INSERT_CLIENT, {"user_id": user_id, "client_id": client_id, "last_mutation_id": last, "created_at": now, "updated_at": now})
    elif last != stored:
        _execute(connection, ADVANCE_CLIENT, {"key_user_id": user_id, "key_client_id": client_id, "last_mutation_id": last, "updated_at": now})
    _write(connection, user_id, {key: row for key, row in changed.items() if key not in inserted})
    if changed:
        for hook in after_push_hooks:
            hook(user_id, [(key[0], row) for key, row in changed.items()])
    # `applied` (new mutations taken, replays not counted) is for the view's metrics; the schema drops it
    return {"last_mutation_id": last, "rejected": rejected, "server_time": format_instant(now), "applied": len(in_sequence)}


def _record_key(mutation: dict) -> tuple[str, str] | None:
    """(entity, canonical record_id) of the record a mutation names; None when it names none."""
    entity = mutation.get("entity")
    if not isinstance(entity, str) or entity not in ENTITIES:
        return None
    record_id = canonical_uuid(mutation.get("record_id"))
    return None if record_id is None else (entity, record_id)


def _apply_all(user_id: str, mutations: list[dict], version: int, now: datetime, existing: dict):
    """Merge mutations in order onto `existing` (keyed rows, updated in place).

    :returns: ({mutation id: its rejection entry, or None when taken}, {key: changed row},
        {keys of rows a `set` created here, none being in `existing`})
    """
    outcomes, changed, created_by_set = {}, {}, set()
    for mutation in mutations:
        known = _record_key(mutation) in existing
        try:
            row_key, row = _apply(user_id, mutation, version, now, existing)
        except Rejected as fault:
            entry = {"id": mutation["id"], "code": "invalid", "message": fault.message}
            if fault.errors:
                entry["errors"] = fault.errors
            outcomes[mutation["id"]] = entry
            continue
        outcomes[mutation["id"]] = None
        if row is not None:
            changed[row_key] = row
            if not known and mutation["op"] == "set":
                created_by_set.add(row_key)
    return outcomes, changed, created_by_set


def _insert_new(connection: sa.Connection, user_id: str, rows: dict) -> set:
    """Insert these new rows unless their key is stored already; the keys that were inserted."""
    inserted = set()
    for name in ENTITIES:
        new = [row.values(STATEMENTS[name].columns) for (kind, _), row in rows.items() if kind == name]
        if not new:
            continue
        statement = STATEMENTS[name].insert_if_new[connection.dialect.name]
        found = _execute(connection, statement, new[0] if len(new) == 1 else new, rows=True)
        inserted.update((name, row["record_id"]) for row in found)
    return inserted


def _last_mutation_id(connection: sa.Connection, user_id: str, client_id: str) -> int | None:
    """How far the client's queue has been applied; None for a client never seen."""
    row = _execute(connection, LAST_MUTATION_ID, {"user_id": user_id, "client_id": client_id}, first=True)
    return None if row is None else row["last_mutation_id"]


def _write(connection: sa.Connection, user_id: str, changed: dict) -> None:
    """One INSERT for each entity's new records and one UPDATE (executemany) for its changed ones."""
    for name in ENTITIES:
        rows = [row for (kind, _), row in changed.items() if kind == name]
        if not rows:
            continue
        statements = STATEMENTS[name]
        new = [row.values(statements.columns) for row in rows if row.new]
        if new:
            _execute(connection, statements.insert, new)
        old = [row for row in rows if not row.new]
        if old:
            _execute(connection, statements.update, [{"key_user_id": user_id, "key_record_id": row.record_id,
                                      **{c: getattr(row, c) for c in statements.changeable}} for row in old])


def _load_records(connection: sa.Connection, user_id: str, keys) -> dict:
    """The stored rows of these (entity, record_id) keys, in one query per entity."""
    wanted = defaultdict(set)
    for name, record_id in keys:
        wanted[name].add(record_id)
    found = {}
    postgresql = connection.dialect.name == "postgresql"
    for name, ids in wanted.items():
        ids = sorted(ids)
        load = STATEMENTS[name].load_any if postgresql else STATEMENTS[name].load
        for start in range(0, len(ids), 500):
            for row in _execute(connection, load, {"user_id": user_id, "record_ids": ids[start:start + 500]}, rows=True):
                found[(name, row["record_id"])] = RecordState(False, **row)
    return found


def _new_record(entity: Entity, **values) -> RecordState:
    return RecordState(True, **{**dict.fromkeys(entity.field_names), **values})


def _apply(user_id: str, mutation: dict, version: int, now: datetime, existing: dict):
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


def _read_cookie(cookie: str | None, counter) -> int | None:
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
    counter = _counter(user_id)
    if counter is None:  # an account older than its counter: the pull writes once, so it takes the lock first
        begin_write()
        if _counter(user_id) is None:  # another pull may have made it while this one waited
            create_counter(user_id)
        counter = _counter(user_id)
    upto = counter.version  # every version up to here is committed (§3): never read past it
    since = _read_cookie(cookie, counter)
    reset = since is None
    if reset:
        since = 0
    keys = _changed_keys(user_id, since, upto, limit + 1)
    entities = {k.entity for k in keys}
    if len(keys) <= limit:
        first, next_version, more = since, upto, False
    elif keys[0].version == keys[limit].version:  # one version fills the page: all of it, any size
        first, next_version, more = since, keys[0].version, True
        entities = set(ENTITIES)  # the keys read may not reach every table that version touched
    else:  # every version before the one the limit cut into, all of which the keys hold
        first, next_version, more = since, keys[limit].version - 1, True
    page = _rows_between(user_id, entities, first, next_version)
    return {
        "cookie": _cookie(counter.epoch, next_version),
        "last_mutation_id": _last_mutation_id(db.session.connection(), user_id, client_id) or 0,
        "changes": [change_of(entity, row) for row, entity in page],
        "more": more,
        "reset": reset,
    }


def _counter(user_id: str):
    return _sql(sa.select(COUNTERS.c.version, COUNTERS.c.epoch).where(COUNTERS.c.user_id == user_id)).first()


def _changed_keys(user_id: str, since: int, upto: int, limit: int | None) -> list:
    """(entity, version, record_id) of the records changed in (since, upto], in version order,
    from one query over every table: a device with nothing new costs one statement."""
    parts = []
    for entity in ENTITIES.values():
        table = entity.model.__table__
        parts.append(
            sa.select(sa.literal(entity.name).label("entity"), table.c.version, table.c.record_id)
            .where(table.c.user_id == user_id, table.c.version > since, table.c.version <= upto)
        )
    query = sa.union_all(*parts).order_by("version", "entity", "record_id")
    if limit is not None:
        query = query.limit(limit)
    return _sql(query).all()


def _rows_between(user_id: str, entities: set[str], since: int, upto: int) -> list:
    """(row, entity) pairs with a version in (since, upto] from these entities' tables, in version
    order. A row a later push changed meanwhile is past `upto` now: it comes again with that push."""
    rows = []
    for name in entities:
        table = ENTITIES[name].model.__table__
        query = sa.select(table).where(table.c.user_id == user_id, table.c.version > since, table.c.version <= upto)
        rows.extend((row, ENTITIES[name]) for row in _sql(query))
    rows.sort(key=lambda pair: (pair[0].version, pair[1].name, pair[0].record_id))
    return rows


def _changed_rows(user_id: str, since: int, upto: int, limit: int | None) -> list:
    """(row, entity) pairs changed in (since, upto], in version order, at most `limit` of them."""
    keys = _changed_keys(user_id, since, upto, limit)
    last = keys[-1].version if keys else since
    rows = _rows_between(user_id, {k.entity for k in keys}, since, last)
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
