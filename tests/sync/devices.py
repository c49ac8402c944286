"""Simulated devices for the sync property tests: the PWA's outbox, clock and merge, in Python.

`apply_mutation` is §3's merge written out once (per-field last writer wins on the HLC, `deleted`
merged like a field, a delete of an unseen record leaves a tombstone); the tests hold the server
to it. A device keeps what the server sent (`base`), what its person sees (`local`: the server
copy with the still-pending mutations on top) and an outbox numbered 1, 2, 3... with no gaps.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import functools

import requests

from server.accounts.auth import SESSION_COOKIE
from server.accounts.models import User
from server.accounts.service import hasher, start_session
from server.extensions import db
from server.sync.entities import ENTITIES, checkin_record_id
from server.sync.service import create_counter

FIELDS = {name: entity.field_names for name, entity in ENTITIES.items()}
MAX_COUNTER = 0xFFFF


# --- the hybrid logical clock (DESIGN §3; pwa/js/sync/hlc.js) -----------------------------------

def tick(clock: tuple[int, int], now_ms: int) -> tuple[int, int]:
    """The clock of a new local event: after everything this device has made or seen."""
    wall, counter = clock
    if now_ms > wall:
        return now_ms, 0
    if counter < MAX_COUNTER:
        return wall, counter + 1
    return wall + 1, 0


def observe(clock: tuple[int, int], stamp: str) -> tuple[int, int]:
    """Remember a stamp seen from elsewhere, so the next tick orders after it."""
    seen = parse_stamp(stamp)
    return max(clock, seen)


def format_stamp(clock: tuple[int, int], client_id: str) -> str:
    wall, counter = clock
    instant = datetime.fromtimestamp(wall / 1000, timezone.utc)
    return f"{instant:%Y-%m-%dT%H:%M:%S}.{wall % 1000:03d}Z-{counter:04x}-{client_id}"


def parse_stamp(stamp: str) -> tuple[int, int]:
    instant, counter = stamp[:24], stamp[25:29]
    parsed = datetime.strptime(instant, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return round(parsed.timestamp() * 1000), int(counter, 16)


# --- the merge (DESIGN §3) ----------------------------------------------------------------------

def empty_state(entity: str) -> dict:
    return {"fields": {name: None for name in FIELDS[entity]}, "field_hlc": {}, "deleted": False}


def apply_mutation(state: dict | None, mutation: dict) -> dict:
    """The record after one mutation: each field (and `deleted`) taken by the higher HLC."""
    entity = mutation["entity"]
    state = empty_state(entity) if state is None else {
        "fields": dict(state["fields"]), "field_hlc": dict(state["field_hlc"]), "deleted": state["deleted"],
    }
    values = {"deleted": True} if mutation["op"] == "delete" else mutation["fields"]
    for name, value in values.items():
        if mutation["hlc"] > state["field_hlc"].get(name, ""):
            state["field_hlc"][name] = mutation["hlc"]
            if name == "deleted":
                state["deleted"] = value
            else:
                state["fields"][name] = value
    return state


def state_of_change(change: dict) -> dict:
    return {"fields": dict(change["fields"]), "field_hlc": dict(change["field_hlc"]), "deleted": change["deleted"]}


def key_of(change_or_mutation: dict) -> tuple[str, str]:
    return change_or_mutation["entity"], change_or_mutation["record_id"]


# --- the wire -----------------------------------------------------------------------------------

def wire(mutation: dict) -> dict:
    """A mutation as the PWA sends it (no test bookkeeping; no `fields` on a delete)."""
    body = {name: mutation[name] for name in ("id", "hlc", "entity", "record_id", "op")}
    if mutation["op"] == "set":
        body["fields"] = mutation["fields"]
    return body


def expected_progress(last: int, ids: list[int]) -> tuple[int, list[int]]:
    """What the server must do with a batch (§3): skip ids <= last, apply in order, stop at a gap."""
    applied = []
    for mutation_id in sorted(set(ids)):
        if mutation_id <= last:
            continue
        if mutation_id != last + 1:
            break
        applied.append(mutation_id)
        last = mutation_id
    return last, applied


@functools.cache
def _password_hash() -> str:
    return hasher.hash("correct horse battery")


def quick_person(app) -> tuple[str, dict]:
    """A new person's id and signed-in session cookie: what /auth/register makes, without paying
    Argon2 for each of the hundreds of examples (registration itself is tested in tests/accounts)."""
    with app.app_context():
        user = User(email=f"device-{uuid.uuid4().hex}@example.org", password_hash=_password_hash(), timezone="Europe/Berlin")
        db.session.add(user)
        db.session.flush()
        create_counter(user.id)
        _, secret = start_session(user, "sync property tests", 1)
        db.session.commit()
        return user.id, {SESSION_COOKIE: secret}


def signed_in_session(base_url: str, cookies) -> requests.Session:
    """A browser-like HTTP session: the app's own Origin and the person's session cookie."""
    http = requests.Session()
    http.headers["Origin"] = base_url
    http.cookies.update(cookies)
    return http


class Device:
    """One install of the app: a local store, an outbox, a clock and a pull cookie."""

    def __init__(self, name: str, base_url: str, cookies, client_id: str, skew_ms: int = 0):
        self.name = name
        self.base_url = base_url
        self.http = signed_in_session(base_url, cookies)
        self.client_id = client_id
        self.skew_ms = skew_ms
        self.clock = (0, 0)
        self.online = True
        self.base: dict = {}      # key -> (state, version) as the server last sent it
        self.local: dict = {}     # key -> state the person sees
        self.outbox: list[dict] = []
        self.next_id = 1
        self.acked = 0
        self.cookie: str | None = None
        self.last_version = 0     # highest version received since the cookie chain began
        self.received: set = set()  # (key, version) received since the chain began
        self.sent: list[list[dict]] = []

    # writing, online or not
    def write(self, now_ms: int, entity: str, record_id: str, op: str, fields: dict | None = None, valid: bool = True) -> dict:
        self.clock = tick(self.clock, now_ms + self.skew_ms)
        mutation = {"id": self.next_id, "hlc": format_stamp(self.clock, self.client_id), "entity": entity,
                    "record_id": record_id, "op": op, "fields": dict(fields or {}), "valid": valid}
        self.next_id += 1
        self.outbox.append(mutation)
        if valid:  # the app checks a form before it saves; an invalid write is a server-side test
            self.local[(entity, record_id)] = apply_mutation(self.local.get((entity, record_id)), mutation)
        return mutation

    def known(self, entity: str, deleted: bool = False) -> list[str]:
        return sorted(rid for (name, rid), state in self.local.items() if name == entity and state["deleted"] is deleted)

    # push
    def post(self, path: str, body: dict) -> dict:
        response = self.http.post(self.base_url + path, json=body, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def push(self, batch: list[dict]) -> dict:
        self.sent.append(batch)
        return self.post("/api/v1/sync/push", {"client_id": self.client_id, "mutations": [wire(m) for m in batch]})

    def settle(self, answer: dict) -> None:
        """Everything up to last_mutation_id is done, applied or rejected (pwa settlePush)."""
        self.acked = max(self.acked, answer["last_mutation_id"])
        self.outbox = [m for m in self.outbox if m["id"] > self.acked]

    # pull
    def pull_page(self, limit: int) -> dict:
        page = self.post("/api/v1/sync/pull", {"client_id": self.client_id, "cookie": self.cookie, "limit": limit})
        for change in page["changes"]:
            key = key_of(change)
            self.base[key] = (state_of_change(change), change["version"])
            state = state_of_change(change)
            for mutation in self.outbox:
                if key_of(mutation) == key and mutation["valid"]:
                    state = apply_mutation(state, mutation)
            self.local[key] = state
            for stamp in change["field_hlc"].values():
                self.clock = observe(self.clock, stamp)
        self.cookie = page["cookie"]
        return page

    def close(self) -> None:
        self.http.close()


def checkin_id(day: str) -> str:
    return checkin_record_id(day)


def new_record_id(rng_int: int) -> str:
    return str(uuid.UUID(int=rng_int, version=4))
