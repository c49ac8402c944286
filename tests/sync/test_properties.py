"""The sync properties of DESIGN §3, property-based, against the real app over real HTTP.

`SyncWorld` is a Hypothesis state machine: 3-5 devices of one person write while online or
offline, push with duplicated, lost (applied, answer never seen), reordered and partial batches,
and pull with random page sizes. After every push the server's answer must be the one §3 gives;
after every complete pull the device's copy must equal the merge of everything the server has
applied (the model in devices.py); at the end every device converges to the server (property 1).
The focused tests below it show properties 2, 3, 5, 6, 7 and 8 one at a time. Property 4 (no
skipped commits under concurrent pushers) is in test_concurrency.py.

Each example signs up a new person, so examples never see each other's records.
"""
from __future__ import annotations

import contextlib
import itertools
import uuid
from datetime import timedelta

import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule, run_state_machine_as_test

from tests.sync.devices import Device, apply_mutation, checkin_id, expected_progress, key_of, quick_person, state_of_change
from tests.sync.strategies import (
    DAYS, EPOCH, EPOCH_MS, INVALID_TWITCH_EDITS, checkin_edit, new_twitch, sized, twitch_edit,
)

PAGE_SIZES = st.sampled_from([1, 2, 3, 5, 8, 1000])


def full_pull(device: Device, limits) -> dict:
    """Every record the server holds for the person, as {key: (state, version)}."""
    records, cookie = {}, None
    for limit in limits:
        page = device.post("/api/v1/sync/pull", {"client_id": device.client_id, "cookie": cookie, "limit": limit})
        for change in page["changes"]:
            assert key_of(change) not in records, f"{key_of(change)} came twice in one pass"
            records[key_of(change)] = (state_of_change(change), change["version"])
        cookie = page["cookie"]
        if not page["more"]:
            return records
    raise AssertionError("the pull never ended")


class SyncWorld(RuleBasedStateMachine):
    """One person, several devices, one real server; `applied` is what the server must hold."""

    app = None
    base_url: str = ""

    def __init__(self):
        super().__init__()
        _, self.cookies = quick_person(self.app)
        self.devices: list[Device] = []
        self.now_ms = EPOCH_MS
        self.applied: dict = {}           # key -> state: the merge of every mutation the server applied
        self.server_last: dict = {}       # client_id -> last_mutation_id the server holds
        self.twitches: set = set()        # record ids of twitches logged on any device
        self.tombstones: set = set()      # record ids deleted without ever being seen
        self.days: set = set()            # local dates a check-in was made for
        self.watcher: Device | None = None

    # --- devices --------------------------------------------------------------------------------

    @initialize(count=st.integers(3, 5), skews=st.lists(st.integers(-180_000, 60_000), min_size=5, max_size=5),
                clients=st.lists(st.uuids(version=4), min_size=6, max_size=6, unique=True))
    def make_devices(self, count, skews, clients):
        cookies = self.cookies
        for n in range(count):
            device = Device(f"device{n}", self.base_url, cookies, str(clients[n]), skews[n])
            self.devices.append(device)
            self.server_last[device.client_id] = 0
        self.watcher = Device("watcher", self.base_url, cookies, str(clients[5]))
        self.server_last[self.watcher.client_id] = 0

    def teardown(self):
        try:
            if self.devices:
                self.everyone_syncs_and_agrees()
        finally:
            for device in [*self.devices, self.watcher]:
                if device is not None:
                    device.close()

    def pick(self, data, devices, label):
        return data.draw(st.sampled_from(devices), label=label)

    def online(self):
        return [d for d in self.devices if d.online]

    # --- writing (online or offline) ----------------------------------------------------------------

    @rule(data=st.data(), fields=new_twitch(), record=st.uuids(version=4))
    def log_twitch(self, data, fields, record):
        device = self.pick(data, self.devices, "device")
        device.write(self.now_ms, "twitch", str(record), "set", fields)
        self.twitches.add(str(record))

    @precondition(lambda self: any(d.known("twitch") for d in self.devices))
    @rule(data=st.data(), fields=twitch_edit())
    def edit_twitch(self, data, fields):
        device = self.pick(data, [d for d in self.devices if d.known("twitch")], "device")
        record = data.draw(st.sampled_from(device.known("twitch")), label="record")
        device.write(self.now_ms, "twitch", record, "set", fields)

    @precondition(lambda self: any(d.known("twitch") or d.known("checkin") for d in self.devices))
    @rule(data=st.data())
    def delete_record(self, data):
        device = self.pick(data, [d for d in self.devices if d.known("twitch") or d.known("checkin")], "device")
        entity, record = data.draw(st.sampled_from(
            [("twitch", r) for r in device.known("twitch")] + [("checkin", r) for r in device.known("checkin")]), label="record")
        device.write(self.now_ms, entity, record, "delete")

    @precondition(lambda self: any(d.known("twitch", deleted=True) for d in self.devices))
    @rule(data=st.data(), also=st.none() | twitch_edit())
    def undo_delete(self, data, also):
        device = self.pick(data, [d for d in self.devices if d.known("twitch", deleted=True)], "device")
        record = data.draw(st.sampled_from(device.known("twitch", deleted=True)), label="record")
        device.write(self.now_ms, "twitch", record, "set", {**(also or {}), "deleted": False})

    @rule(data=st.data(), record=st.uuids(version=4))
    def delete_unseen_twitch(self, data, record):
        device = self.pick(data, self.devices, "device")
        device.write(self.now_ms, "twitch", str(record), "delete")
        self.tombstones.add(str(record))

    @precondition(lambda self: any(d.known("twitch") for d in self.devices))
    @rule(data=st.data(), fields=INVALID_TWITCH_EDITS)
    def write_invalid_twitch_edit(self, data, fields):
        device = self.pick(data, [d for d in self.devices if d.known("twitch")], "device")
        record = data.draw(st.sampled_from(device.known("twitch")), label="record")
        device.write(self.now_ms, "twitch", record, "set", fields, valid=False)

    @rule(data=st.data(), day=st.sampled_from(DAYS), fields=checkin_edit())
    def check_in(self, data, day, fields):
        """The evening check-in: a new one carries local_date; one seen deleted is brought back."""
        device = self.pick(data, self.devices, "device")
        record = checkin_id(day)
        state = device.local.get(("checkin", record))
        if state is None:
            fields = {"local_date": day, **fields}
        elif state["deleted"]:
            fields = {"local_date": day, **fields, "deleted": False}
        device.write(self.now_ms, "checkin", record, "set", fields)
        self.days.add(day)

    @rule(ms=st.integers(1, 600_000))
    def time_passes(self, ms):
        self.now_ms += ms

    @rule(data=st.data())
    def go_offline(self, data):
        self.pick(data, self.devices, "device").online = False

    @rule(data=st.data())
    def go_online(self, data):
        self.pick(data, self.devices, "device").online = True

    # --- push -------------------------------------------------------------------------------

    def send(self, device: Device, batch: list[dict], answer_lost: bool = False) -> dict:
        """One real push; the answer must be exactly §3's, and `applied` follows the server."""
        answer = device.push(batch)
        last = self.server_last[device.client_id]
        expected_last, newly = expected_progress(last, [m["id"] for m in batch])
        by_id = {m["id"]: m for m in batch}
        assert answer["last_mutation_id"] == expected_last, (answer, last, [m["id"] for m in batch])
        assert sorted(r["id"] for r in answer["rejected"]) == [i for i in newly if not by_id[i]["valid"]], answer
        assert all(r["code"] == "invalid" and r["message"] for r in answer["rejected"])
        for mutation_id in newly:
            mutation = by_id[mutation_id]
            if mutation["valid"]:
                self.applied[key_of(mutation)] = apply_mutation(self.applied.get(key_of(mutation)), mutation)
        self.server_last[device.client_id] = expected_last
        if not answer_lost:
            device.settle(answer)
        return answer

    @precondition(lambda self: any(d.online and d.outbox for d in self.devices))
    @rule(data=st.data(), how=st.sampled_from(["whole", "prefix", "duplicated", "answer_lost", "reordered", "gap", "shuffled", "repeated_inside"]))
    def push(self, data, how):
        device = self.pick(data, [d for d in self.devices if d.online and d.outbox], "device")
        outbox = list(device.outbox)
        cut = data.draw(st.integers(1, len(outbox)), label="cut")
        if how == "whole":
            self.send(device, outbox)
        elif how == "prefix":
            self.send(device, outbox[:cut])
        elif how == "duplicated":
            first, second = self.send(device, outbox[:cut]), self.send(device, outbox[:cut])
            assert second["last_mutation_id"] == first["last_mutation_id"] and second["rejected"] == []
        elif how == "answer_lost":
            self.send(device, outbox[:cut], answer_lost=True)
        elif how == "reordered":  # the later half overtakes the earlier one on the way
            self.send(device, outbox[cut:] or outbox)
            self.send(device, outbox[:cut])
        elif how == "gap":  # the first request never arrives; the second stops at its gap
            self.send(device, outbox[cut:] or outbox[-1:])
        elif how == "shuffled":
            self.send(device, data.draw(st.permutations(outbox), label="order"))
        else:
            self.send(device, outbox[:cut] + outbox[:cut])

    @precondition(lambda self: any(d.online and d.sent for d in self.devices))
    @rule(data=st.data(), times=st.integers(1, 3))
    def replay_an_old_push(self, data, times):
        """Property 2: a push the server has fully taken, sent again k times, changes nothing."""
        device = self.pick(data, [d for d in self.devices if d.online and d.sent], "device")
        last = self.server_last[device.client_id]
        done = [batch for batch in device.sent if max(m["id"] for m in batch) <= last]
        if not done:
            return
        batch = data.draw(st.sampled_from(done), label="batch")
        self.catch_up(self.watcher)
        for _ in range(times):
            answer = device.push(batch)
            assert answer["last_mutation_id"] == last and answer["rejected"] == [], answer
        page = self.watcher.pull_page(1000)
        assert page["changes"] == [] and not page["more"], page

    # --- pull -------------------------------------------------------------------------------

    def receive(self, device: Device, page: dict, this_pass: set) -> None:
        """Property 5 on every page: versions climb across pages, nothing comes twice."""
        assert page["reset"] is False
        assert page["last_mutation_id"] == self.server_last[device.client_id]
        versions = [c["version"] for c in page["changes"]]
        assert versions == sorted(versions), versions
        if versions:
            assert versions[0] > device.last_version, (versions, device.last_version)
            device.last_version = versions[-1]
        for change in page["changes"]:
            key = key_of(change)
            assert key not in this_pass, f"{key} twice in one pass"
            assert (key, change["version"]) not in device.received, f"{key} v{change['version']} came again"
            this_pass.add(key)
            device.received.add((key, change["version"]))

    def pull_pages(self, device: Device, limits) -> bool:
        """Pull with the given page sizes; True when the pass reached the end (more is false)."""
        this_pass: set = set()
        for limit in limits:
            before = device.last_version
            page = device.pull_page(limit)
            self.receive(device, page, this_pass)
            assert device.last_version >= before
            if not page["more"]:
                return True
        return False

    def assert_matches_server_model(self, device: Device) -> None:
        held = {key: state for key, (state, _version) in device.base.items()}
        assert held == self.applied

    @precondition(lambda self: any(d.online for d in self.devices))
    @rule(data=st.data(), pages=st.lists(PAGE_SIZES, min_size=1, max_size=6))
    def pull(self, data, pages):
        device = self.pick(data, self.online(), "device")
        if self.pull_pages(device, pages):
            self.assert_matches_server_model(device)

    def catch_up(self, device: Device) -> None:
        while not self.pull_pages(device, [1000]):
            pass

    # --- the end: everyone syncs --------------------------------------------------------------

    def everyone_syncs_and_agrees(self) -> None:
        for device in self.devices:
            device.online = True
            while device.outbox:
                before = len(device.outbox)
                self.send(device, device.outbox[:7])
                assert len(device.outbox) < before, "a push made no progress"
        for device in self.devices:
            self.catch_up(device)
            self.assert_matches_server_model(device)
            assert {k: s for k, (s, _) in device.base.items()} == device.local  # nothing pending is left
        fresh = Device("fresh", self.base_url, self.cookies, str(uuid.uuid4()))
        try:
            server = full_pull(fresh, itertools.chain([3, 1, 1000], itertools.repeat(1000)))
        finally:
            fresh.close()
        # Property 1: every device holds exactly what the server holds, versions included.
        for device in self.devices:
            assert device.base == server, device.name
        assert {k: s for k, (s, _) in server.items()} == self.applied
        # Property 7: one row per day, whoever made it.
        checkins = {k: s for k, (s, _) in server.items() if k[0] == "checkin"}
        assert sorted(k[1] for k in checkins) == sorted(checkin_id(day) for day in self.days)
        assert all(s["fields"]["local_date"] in self.days for s in checkins.values())
        # Property 8: every twitch logged is one record, plus one tombstone per unseen delete.
        twitches = {k[1] for k in server if k[0] == "twitch"}
        assert twitches == self.twitches | self.tombstones


@pytest.mark.slow
def test_devices_converge_under_offline_periods_and_faulty_networks(live_server):
    """Property 1 (and 2, 5, 6, 7, 8 along the way), with every rule of §3 in play."""
    SyncWorld.app, SyncWorld.base_url = live_server.app, live_server.url
    run_state_machine_as_test(SyncWorld, settings=sized(30, stateful_step_count=60))


# --- one property at a time -----------------------------------------------------------------------

@contextlib.contextmanager
def devices_of_one_person(server, count: int):
    """`count` devices of a new person, each with its own client id and outbox."""
    _, cookies = quick_person(server.app)
    devices = [Device(f"device{n}", server.url, cookies, str(uuid.uuid4())) for n in range(count)]
    try:
        yield devices
    finally:
        for device in devices:
            device.close()


def server_records(server, cookies_of: Device, limits=(1000,)) -> dict:
    reader = Device("reader", server.url, cookies_of.http.cookies, str(uuid.uuid4()))
    try:
        return full_pull(reader, itertools.chain(limits, itertools.repeat(1000)))
    finally:
        reader.close()


def states(records: dict) -> dict:
    return {key: state for key, (state, _version) in records.items()}


def fold(mutations) -> dict:
    """What §3 says the server holds after these (valid) mutations, in any order."""
    model: dict = {}
    for mutation in mutations:
        model[key_of(mutation)] = apply_mutation(model.get(key_of(mutation)), mutation)
    return model


WRITES = st.one_of(
    st.tuples(st.just("log"), new_twitch()),
    st.tuples(st.just("edit"), twitch_edit()),
    st.tuples(st.just("delete"), st.none()),
    st.tuples(st.just("undo"), st.none()),
    st.tuples(st.just("invalid"), INVALID_TWITCH_EDITS),
)


def write_all(device: Device, writes, start_ms: int = EPOCH_MS) -> list[dict]:
    """Turn (kind, fields) pairs into the device's outbox; edits go to records it already wrote."""
    records: list[str] = []
    for n, (kind, fields) in enumerate(writes):
        now = start_ms + n * 1000
        if kind == "log" or not records:
            records.append(str(uuid.uuid4()))
            device.write(now, "twitch", records[-1], "set", fields if kind == "log" else {"occurred_at": "2026-11-25T08:00:00Z"})
        elif kind == "delete":
            device.write(now, "twitch", records[n % len(records)], "delete")
        elif kind == "undo":
            device.write(now, "twitch", records[n % len(records)], "set", {"deleted": False})
        else:
            device.write(now, "twitch", records[n % len(records)], "set", fields, valid=kind != "invalid")
    return list(device.outbox)


@sized(20)
@given(writes=st.lists(WRITES, min_size=1, max_size=10), times=st.integers(1, 4), shuffle=st.randoms(use_true_random=False))
def test_replaying_a_push_k_times_changes_nothing(live_server, writes, times, shuffle):
    """Property 2: the same answer, the same records, the same versions, however often it comes."""
    with devices_of_one_person(live_server, 1) as (device,):
        batch = write_all(device, writes)
        first = device.push(batch)
        assert first["last_mutation_id"] == len(batch)
        assert [r["id"] for r in first["rejected"]] == [m["id"] for m in batch if not m["valid"]]
        before = server_records(live_server, device)
        assert states(before) == fold(m for m in batch if m["valid"])
        for _ in range(times):
            again = device.push(shuffle.sample(batch, k=len(batch)))
            assert again["last_mutation_id"] == first["last_mutation_id"] and again["rejected"] == []
        assert server_records(live_server, device) == before


def stamped_edits(count):
    """Edits of one record on `count` devices, each at its own (possibly equal) clock time."""
    return st.lists(st.tuples(twitch_edit(), st.integers(0, 5_000)), min_size=count, max_size=count)


@sized(25)
@given(created=new_twitch(), created_at=st.integers(0, 5_000), edits=st.integers(2, 4).flatmap(stamped_edits), data=st.data())
def test_concurrent_offline_edits_merge_per_field_in_any_arrival_order(live_server, created, created_at, edits, data):
    """Property 3: edits to different fields all survive; on one field the higher hlc wins."""
    with devices_of_one_person(live_server, 1 + len(edits)) as (creator, *others):
        record = str(uuid.uuid4())
        creator.write(EPOCH_MS + created_at, "twitch", record, "set", created)
        creator.push(creator.outbox)
        offline = [device.write(EPOCH_MS + at, "twitch", record, "set", fields) for device, (fields, at) in zip(others, edits)]
        order = data.draw(st.permutations(range(len(others))), label="arrival order")
        for n in order:
            assert others[n].push([offline[n]])["rejected"] == []
        [(state, _)] = server_records(live_server, creator).values()
        winners = {}
        for mutation in [creator.sent[0][0], *offline]:
            for name, value in mutation["fields"].items():
                if mutation["hlc"] > winners.get(name, ("",))[0]:
                    winners[name] = (mutation["hlc"], value)
        assert state["field_hlc"] == {name: stamp for name, (stamp, _) in winners.items()}
        assert {name: state["fields"][name] for name in winners} == {name: value for name, (_, value) in winners.items()}


def new_record_of(entity: str, n: int) -> tuple[str, dict]:
    """A fresh record id and the fields that create it (check-ins take the n-th day back)."""
    at = "2026-11-25T08:00:00Z"
    if entity == "checkin":
        day = f"{EPOCH.date() - timedelta(days=n)}"
        return checkin_id(day), {"local_date": day}
    return str(uuid.uuid4()), {
        "twitch": {"occurred_at": at}, "symptom": {"observed_at": at, "kind": "cramp"},
        "activity": {"started_at": at, "level": "rest"}, "intake": {"taken_at": at, "kind": "water"},
    }[entity]


EDITS = {"twitch": "note", "checkin": "note", "symptom": "note", "activity": "label", "intake": "label"}


@sized(25)
@given(
    batches=st.lists(st.tuples(st.lists(st.sampled_from(sorted(EDITS)), min_size=1, max_size=8), st.integers(0, 3)),
                     min_size=1, max_size=6),
    pages=st.lists(st.integers(1, 12), min_size=1, max_size=40),
    pushes_between=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_every_change_arrives_exactly_once_across_pages_of_any_size(live_server, batches, pages, pushes_between):
    """Property 5: a cursor moves past a change only after handing it over, and only once,
    even while new pushes (of every entity, some re-touching older records) land between pages."""
    with devices_of_one_person(live_server, 2) as (writer, reader):
        records: list[tuple[str, str]] = []
        pending = list(batches)

        def push_next():
            kinds, touched = pending.pop(0)
            at = EPOCH_MS + 1000 * len(writer.sent)
            for n in range(touched):
                if records:
                    entity, record = records[(n * 7) % len(records)]
                    writer.write(at, entity, record, "set", {EDITS[entity]: f"edit {at} {n}"})
            for entity in kinds:
                record, fields = new_record_of(entity, len(records))
                records.append((entity, record))
                writer.write(at, entity, record, "set", fields)
            answer = writer.push(writer.outbox)
            assert answer["rejected"] == []
            writer.settle(answer)

        push_next()
        received, last_version, page_sizes = [], 0, itertools.chain(pages, itertools.repeat(1000))
        for step in itertools.count():
            page = reader.pull_page(next(page_sizes))
            versions = [c["version"] for c in page["changes"]]
            assert versions == sorted(versions)
            assert not versions or versions[0] > last_version, "a version came again or was split"
            last_version = versions[-1] if versions else last_version
            received += [(key_of(c), c["version"]) for c in page["changes"]]
            if pending and pushes_between[step % 40]:
                push_next()
            elif not page["more"]:
                if not pending:
                    break
                push_next()
        assert len(received) == len(set(received)), "a change came twice"
        server = server_records(live_server, writer)
        assert {key: state for key, (state, _) in reader.base.items()} == states(server)
        assert {(key, version) for key, version in received} >= {(key, version) for key, (_, version) in server.items()}


@sized(25)
@given(
    created=new_twitch(),
    older=st.lists(st.tuples(st.one_of(twitch_edit(), st.just({}), st.just("delete")), st.booleans(), st.integers(1, 5_000)), min_size=1, max_size=4),
    undo_later=st.booleans(),
    data=st.data(),
)
def test_a_tombstone_is_never_resurrected_by_an_older_write(live_server, created, older, undo_later, data):
    """Property 6: writes older than the delete (an undo among them) arrive after it, in any
    order, and the record stays deleted; only an undo newer than the delete brings it back."""
    delete_at = EPOCH_MS + 10_000
    with devices_of_one_person(live_server, 2 + len(older)) as (deleter, undoer, *late):
        record = str(uuid.uuid4())
        deleter.write(EPOCH_MS, "twitch", record, "set", created)
        deleter.write(delete_at, "twitch", record, "delete")
        offline = []
        for device, (write, undo, before) in zip(late, older):
            if write == "delete":
                offline.append(device.write(delete_at - before, "twitch", record, "delete"))
            else:
                offline.append(device.write(delete_at - before, "twitch", record, "set", {**write, **({"deleted": False} if undo else {})}))
        deleter.push(deleter.outbox)
        order = data.draw(st.permutations(range(len(late))), label="arrival order")
        for n in order:
            assert late[n].push([offline[n]])["rejected"] == []
        [(state, _)] = server_records(live_server, deleter).values()
        assert state["deleted"] is True
        assert state == fold([*deleter.sent[0], *offline])[("twitch", record)]
        if undo_later:
            undo = undoer.write(delete_at + 1, "twitch", record, "set", {"deleted": False})
            undoer.push([undo])
            [(state, _)] = server_records(live_server, deleter).values()
            assert state["deleted"] is False


@sized(20)
@given(
    day=st.sampled_from(DAYS),
    first=checkin_edit(), second=checkin_edit(),
    times=st.tuples(st.integers(0, 5_000), st.integers(0, 5_000)),
    second_first=st.booleans(), repeat=st.booleans(),
)
def test_two_devices_checking_in_for_the_same_day_end_with_one_row(live_server, day, first, second, times, second_first, repeat):
    """Property 7: the deterministic id makes two offline check-ins for one day one record."""
    with devices_of_one_person(live_server, 2) as (phone, laptop):
        record = checkin_id(day)
        a = phone.write(EPOCH_MS + times[0], "checkin", record, "set", {"local_date": day, **first})
        b = laptop.write(EPOCH_MS + times[1], "checkin", record, "set", {"local_date": day, **second})
        arrivals = [(laptop, b), (phone, a)] if second_first else [(phone, a), (laptop, b)]
        for device, mutation in arrivals * (2 if repeat else 1):
            assert device.push([mutation])["rejected"] == []
        server = server_records(live_server, phone)
        assert list(server) == [("checkin", record)]
        assert states(server) == fold([a, b])


@sized(20)
@given(
    counts=st.lists(st.integers(1, 40), min_size=1, max_size=3),
    network=st.lists(st.tuples(st.integers(1, 15), st.sampled_from(["ok", "duplicated", "answer_lost", "reordered", "gap"])), min_size=1, max_size=30),
)
def test_n_twitches_captured_offline_give_exactly_n_records(live_server, counts, network):
    """Property 8: however the network mangles the pushes, N logged twitches are N records."""
    with devices_of_one_person(live_server, len(counts)) as devices:
        logged = set()
        for device, count in zip(devices, counts):
            for n in range(count):
                record = str(uuid.uuid4())
                device.write(EPOCH_MS + n, "twitch", record, "set", {"occurred_at": "2026-11-25T08:00:00Z"})
                logged.add(record)
        conditions = itertools.chain(network, itertools.repeat((1000, "ok")))
        for device in devices:
            while device.outbox:
                size, how = next(conditions)
                batch = device.outbox[:size]
                if how == "duplicated":
                    device.settle(device.push(batch))
                    device.settle(device.push(batch))
                elif how == "answer_lost":
                    device.push(batch)
                elif how == "reordered":
                    device.settle(device.push(batch[len(batch) // 2:]))
                    device.settle(device.push(batch[:len(batch) // 2] or batch))
                elif how == "gap":
                    device.settle(device.push(batch[1:] or batch))
                else:
                    device.settle(device.push(batch))
        server = server_records(live_server, devices[0], limits=(7,))
        assert sorted(record for _, record in server) == sorted(logged)
        assert len(server) == sum(counts)
