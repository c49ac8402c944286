"""Sync push and pull: the §3 rules, case by case (the property tests live beside this file)."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from server.instants import parse_instant, utcnow
from server.sync.entities import checkin_record_id
from server.sync.hlc import format_clock_instant
from tests.support.api import ApiClient

OTHER_CLIENT = "00000000-0000-4000-8000-00000000000b"


def stamp(instant: str, counter: int = 0, client: str = OTHER_CLIENT) -> str:
    return f"{instant}-{counter:04x}-{client}"


def record_of(api, entity: str, record_id: str) -> dict:
    records, _ = api.pull_all()
    return records[(entity, record_id)]


def another_device(api):
    """Another device (own client_id and mutation ids) signed in as the same person."""
    device = ApiClient(api.base_url)
    device.http.cookies.update(api.http.cookies)
    device.user = api.user
    return device


def test_a_pushed_twitch_comes_back_in_a_pull(user, new_id):
    record_id = user.log_twitch("2026-11-25T19:42:10Z", intensity=3, body_region="calf", side="left")
    records, page = user.pull_all()
    change = records[("twitch", record_id)]
    assert change["fields"]["occurred_at"] == "2026-11-25T19:42:10Z"
    assert change["fields"]["intensity"] == 3
    assert change["deleted"] is False
    assert set(change["field_hlc"]) == {"occurred_at", "intensity", "body_region", "side"}
    assert page["last_mutation_id"] == 1 and page["more"] is False and page["reset"] is False


def test_replaying_a_push_changes_nothing_and_answers_the_same(user, new_id):
    mutations = [user.mutation("twitch", new_id(), {"occurred_at": "2026-11-25T19:42:10Z"}) for _ in range(3)]
    first = user.push(mutations)
    before, _ = user.pull_all()
    again = user.push(mutations)
    after, _ = user.pull_all()
    assert first["last_mutation_id"] == again["last_mutation_id"] == 3
    assert again["rejected"] == []
    assert before == after


def test_a_gap_stops_the_batch(user, new_id):
    ok = user.mutation("twitch", new_id(), {"occurred_at": "2026-11-25T19:42:10Z"})
    user._next_mutation += 1  # id 2 is lost on the way
    late = user.mutation("twitch", new_id(), {"occurred_at": "2026-11-25T19:42:10Z"})
    assert user.push([ok, late])["last_mutation_id"] == 1
    records, _ = user.pull_all()
    assert ("twitch", late["record_id"]) not in records


def test_a_faulty_mutation_is_rejected_but_advances_the_queue(user, new_id):
    bad = user.mutation("twitch", new_id(), {"occurred_at": "2026-11-25T19:42:10Z", "intensity": 9})
    good = user.mutation("twitch", new_id(), {"occurred_at": "2026-11-25T19:42:10Z"})
    result = user.push([bad, good])
    assert result["last_mutation_id"] == 2
    assert [r["id"] for r in result["rejected"]] == [1]
    assert result["rejected"][0]["code"] == "invalid"
    records, _ = user.pull_all()
    assert ("twitch", bad["record_id"]) not in records and ("twitch", good["record_id"]) in records


def test_checkin_needs_its_deterministic_id(user):
    wrong = user.mutation("checkin", str(uuid.uuid4()), {"local_date": "2026-11-25", "stress": 3})
    right = user.mutation("checkin", checkin_record_id("2026-11-25"), {"local_date": "2026-11-25", "stress": 3})
    result = user.push([wrong, right])
    assert [r["id"] for r in result["rejected"]] == [wrong["id"]]


# --- the rules the first cases left out ---------------------------------------------------------


def test_an_hlc_far_in_the_future_gets_the_server_now_and_keeps_counter_and_client(user, new_id):
    record_id = new_id()
    far = stamp("2999-01-01T00:00:00.000Z", 0xAB)
    result = user.push([user.mutation("twitch", record_id, {"occurred_at": "2026-11-25T19:42:10Z"}, hlc=far)])
    clamped = record_of(user, "twitch", record_id)["field_hlc"]["occurred_at"]
    assert clamped == stamp(format_clock_instant(parse_instant(result["server_time"])), 0xAB)


def test_an_hlc_less_than_five_minutes_ahead_is_kept(user, new_id):
    record_id = new_id()
    soon = stamp(format_clock_instant(utcnow() + timedelta(minutes=4)), 7)
    user.push([user.mutation("twitch", record_id, {"occurred_at": "2026-11-25T19:42:10Z"}, hlc=soon)])
    assert record_of(user, "twitch", record_id)["field_hlc"]["occurred_at"] == soon


def test_delete_of_an_unseen_record_leaves_a_tombstone_an_older_create_cannot_lift(user, new_id):
    record_id = new_id()
    user.push([user.mutation("twitch", record_id, op="delete", hlc=stamp("2026-11-25T10:00:00.000Z"))])
    tombstone = record_of(user, "twitch", record_id)
    assert tombstone["deleted"] is True
    assert tombstone["field_hlc"] == {"deleted": stamp("2026-11-25T10:00:00.000Z")}
    assert set(tombstone["fields"].values()) == {None}

    late_create = user.mutation("twitch", record_id, {"occurred_at": "2026-11-25T09:00:00Z", "intensity": 2},
                                hlc=stamp("2026-11-25T09:00:00.000Z"))
    assert user.push([late_create])["rejected"] == []
    after = record_of(user, "twitch", record_id)
    assert after["deleted"] is True
    assert after["fields"]["intensity"] == 2  # the fields still merge, so a later undo shows them


@pytest.mark.parametrize("undo_at, shown", [("2026-11-25T11:00:00.000Z", True), ("2026-11-25T09:00:00.000Z", False)])
def test_undo_with_deleted_false_wins_only_with_a_newer_hlc(user, new_id, undo_at, shown):
    record_id = new_id()
    user.push([
        user.mutation("twitch", record_id, {"occurred_at": "2026-11-25T08:00:00Z"}, hlc=stamp("2026-11-25T08:00:00.000Z")),
        user.mutation("twitch", record_id, op="delete", hlc=stamp("2026-11-25T10:00:00.000Z")),
        user.mutation("twitch", record_id, {"deleted": False}, hlc=stamp(undo_at)),
    ])
    assert record_of(user, "twitch", record_id)["deleted"] is (not shown)


def test_a_set_without_deleted_never_lifts_a_tombstone_however_new(user, new_id):
    record_id = new_id()
    user.push([
        user.mutation("twitch", record_id, {"occurred_at": "2026-11-25T08:00:00Z"}, hlc=stamp("2026-11-25T08:00:00.000Z")),
        user.mutation("twitch", record_id, op="delete", hlc=stamp("2026-11-25T10:00:00.000Z")),
        user.mutation("twitch", record_id, {"intensity": 4}, hlc=stamp("2026-11-25T12:00:00.000Z")),
    ])
    record = record_of(user, "twitch", record_id)
    assert record["deleted"] is True and record["fields"]["intensity"] == 4


def test_deleted_and_undeleted_merge_by_hlc_in_any_arrival_order(make_user, new_id):
    """Device A deletes at 10:00 and undoes at 12:00; device B, offline, deleted at 11:00."""
    created = ("twitch", {"occurred_at": "2026-11-25T08:00:00Z"}, "set", "2026-11-25T08:00:00.000Z")
    a_delete = ("twitch", None, "delete", "2026-11-25T10:00:00.000Z")
    a_undo = ("twitch", {"deleted": False}, "set", "2026-11-25T12:00:00.000Z")
    b_delete = ("twitch", None, "delete", "2026-11-25T11:00:00.000Z")
    for order in (["a", "b"], ["b", "a"]):
        owner = make_user()
        record_id = new_id()
        owner.push([owner.mutation("twitch", record_id, created[1], hlc=stamp(created[3]))])
        a = another_device(owner)
        b = another_device(owner)
        batches = {
            "a": (a, [a.mutation("twitch", record_id, f, op=op, hlc=stamp(at, client=a.client_id)) for _, f, op, at in (a_delete, a_undo)]),
            "b": (b, [b.mutation("twitch", record_id, f, op=op, hlc=stamp(at, client=b.client_id)) for _, f, op, at in (b_delete,)]),
        }
        for name in order:
            device, mutations = batches[name]
            assert device.push(mutations)["rejected"] == []
        record = record_of(owner, "twitch", record_id)
        assert record["deleted"] is False, order
        assert record["field_hlc"]["deleted"] == stamp(a_undo[3], client=a.client_id)


@pytest.mark.parametrize("entity, created, cleared", [
    ("twitch", {"occurred_at": "2026-11-25T08:00:00Z"}, "occurred_at"),
    ("symptom", {"observed_at": "2026-11-25T08:00:00Z", "kind": "cramp"}, "kind"),
    ("activity", {"started_at": "2026-11-25T08:00:00Z", "level": "rest"}, "level"),
    ("intake", {"taken_at": "2026-11-25T08:00:00Z", "kind": "water"}, "taken_at"),
])
def test_a_required_field_cannot_be_cleared(user, new_id, entity, created, cleared):
    record_id = new_id()
    user.push([user.mutation(entity, record_id, created)])
    before = record_of(user, entity, record_id)
    result = user.push([user.mutation(entity, record_id, {cleared: None})])
    assert [r["id"] for r in result["rejected"]] == [result["last_mutation_id"]]
    assert cleared in result["rejected"][0]["errors"]
    assert record_of(user, entity, record_id) == before


@pytest.mark.parametrize("entity, fields, missing", [
    ("twitch", {"intensity": 3}, {"occurred_at"}),
    ("symptom", {"note": "left calf"}, {"observed_at", "kind"}),
    ("symptom", {"kind": "cramp"}, {"observed_at"}),
    ("activity", {"started_at": "2026-11-25T08:00:00Z"}, {"level"}),
    ("intake", {}, {"taken_at", "kind"}),
    ("checkin", {"stress": 4}, {"local_date"}),
])
def test_a_create_without_required_fields_is_rejected_with_field_errors(user, new_id, entity, fields, missing):
    record_id = checkin_record_id("2026-11-25") if entity == "checkin" else new_id()
    result = user.push([user.mutation(entity, record_id, fields)])
    assert result["last_mutation_id"] == 1
    [rejected] = result["rejected"]
    assert rejected["code"] == "invalid" and set(rejected["errors"]) == missing
    records, _ = user.pull_all()
    assert records == {}


def test_a_checkins_local_date_cannot_change(user):
    record_id = checkin_record_id("2026-11-25")
    user.push([user.mutation("checkin", record_id, {"local_date": "2026-11-25", "stress": 3})])
    result = user.push([user.mutation("checkin", record_id, {"local_date": "2026-11-26"})])
    assert set(result["rejected"][0]["errors"]) == {"local_date"}
    same_day = user.push([user.mutation("checkin", record_id, {"local_date": "2026-11-25", "stress": 5})])
    assert same_day["rejected"] == []
    assert record_of(user, "checkin", record_id)["fields"]["local_date"] == "2026-11-25"


def test_an_activity_cannot_end_before_it_starts(user, new_id):
    bad_create = user.mutation("activity", new_id(), {"started_at": "2026-11-25T10:00:00Z", "ended_at": "2026-11-25T09:59:59Z", "level": "rest"})
    record_id = new_id()
    good = user.mutation("activity", record_id, {"started_at": "2026-11-25T10:00:00Z", "ended_at": "2026-11-25T10:30:00Z", "level": "light"})
    bad_edit = user.mutation("activity", record_id, {"ended_at": "2026-11-25T09:00:00Z"})
    equal = user.mutation("activity", record_id, {"ended_at": "2026-11-25T10:00:00Z"})
    result = user.push([bad_create, good, bad_edit, equal])
    assert [r["id"] for r in result["rejected"]] == [bad_create["id"], bad_edit["id"]]
    assert all(set(r["errors"]) == {"ended_at"} for r in result["rejected"])
    assert record_of(user, "activity", record_id)["fields"]["ended_at"] == "2026-11-25T10:00:00Z"


def test_pagination_never_splits_a_version(user, new_id):
    first = [user.mutation("twitch", new_id(), {"occurred_at": "2026-11-25T19:42:10Z"}) for _ in range(10)]
    second = [user.mutation("twitch", new_id(), {"occurred_at": "2026-11-25T19:42:11Z"}) for _ in range(10)]
    user.push(first)
    user.push(second)
    cookie, pages = None, []
    while True:
        page = user.post("/api/v1/sync/pull", json={"client_id": user.client_id, "cookie": cookie, "limit": 3}).json()
        pages.append(page)
        cookie = page["cookie"]
        if not page["more"]:
            break
    filled = [p["changes"] for p in pages if p["changes"]]
    assert [len(changes) for changes in filled] == [10, 10]
    assert [{c["record_id"] for c in changes} for changes in filled] == [{m["record_id"] for m in first}, {m["record_id"] for m in second}]
    assert all(len({c["version"] for c in changes}) == 1 for changes in filled)


@pytest.mark.parametrize("cookie", ["garbage", "", "x" * 200, "0.0", "deadbeef.1", "deadbeef.-1", "deadbeef.1e3", "\u00e9.1"])
def test_a_cookie_the_server_did_not_give_this_user_resets(user, new_id, cookie):
    record_id = user.log_twitch()
    page = user.post("/api/v1/sync/pull", json={"client_id": user.client_id, "cookie": cookie, "limit": 10}).json()
    assert page["reset"] is True
    assert [c["record_id"] for c in page["changes"]] == [record_id]


def test_another_persons_cookie_and_a_cookie_from_the_future_reset(make_user):
    alice, bob = make_user(), make_user()
    alice.log_twitch()
    alice.log_twitch()
    bob_record = bob.log_twitch()
    _, alice_page = alice.pull_all()
    _, bob_page = bob.pull_all()
    epoch, _, version = bob_page["cookie"].partition(".")
    for cookie in (alice_page["cookie"], f"{epoch}.{int(version) + 1}"):
        page = bob.post("/api/v1/sync/pull", json={"client_id": bob.client_id, "cookie": cookie, "limit": 10}).json()
        assert page["reset"] is True
        assert [c["record_id"] for c in page["changes"]] == [bob_record]
    own = bob.post("/api/v1/sync/pull", json={"client_id": bob.client_id, "cookie": bob_page["cookie"], "limit": 10}).json()
    assert own["reset"] is False and own["changes"] == []


def test_a_push_of_more_than_1000_mutations_is_refused_whole(user, new_id):
    mutations = [user.mutation("twitch", new_id(), {"occurred_at": "2026-11-25T19:42:10Z"}) for _ in range(1001)]
    response = user.post("/api/v1/sync/push", json={"client_id": user.client_id, "mutations": mutations})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400 and "mutations" in body["errors"]
    records, page = user.pull_all()
    assert records == {} and page["last_mutation_id"] == 0
    assert user.push(mutations[:1000])["last_mutation_id"] == 1000


@pytest.mark.parametrize("bad_id", [0, -1, "1", True, 1.5, None, 2**53 + 1])
def test_a_mutation_id_that_is_not_a_positive_integer_refuses_the_whole_push(user, new_id, bad_id):
    good = user.mutation("twitch", new_id(), {"occurred_at": "2026-11-25T19:42:10Z"})
    bad = {**user.mutation("twitch", new_id(), {"occurred_at": "2026-11-25T19:42:10Z"}), "id": bad_id}
    response = user.post("/api/v1/sync/push", json={"client_id": user.client_id, "mutations": [good, bad]})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == 400 and body["errors"]
    records, page = user.pull_all()
    assert records == {} and page["last_mutation_id"] == 0


def test_a_mutation_without_an_id_refuses_the_whole_push(user, new_id):
    good = user.mutation("twitch", new_id(), {"occurred_at": "2026-11-25T19:42:10Z"})
    anonymous = {k: v for k, v in user.mutation("twitch", new_id(), {"occurred_at": "2026-11-25T19:42:10Z"}).items() if k != "id"}
    response = user.post("/api/v1/sync/push", json={"client_id": user.client_id, "mutations": [good, anonymous]})
    assert response.status_code == 400
    assert user.pull_all()[0] == {}


def test_the_same_record_id_under_two_people_is_two_records(make_user):
    alice, bob = make_user(), make_user()
    shared_id = str(uuid.uuid4())
    alice.push([alice.mutation("twitch", shared_id, {"occurred_at": "2026-11-25T08:00:00Z", "intensity": 1})])
    # For Bob the id is new: an edit-only set is a create without required fields.
    edit = bob.push([bob.mutation("twitch", shared_id, {"intensity": 5}, hlc=stamp("2999-01-01T00:00:00.000Z"))])
    assert [r["id"] for r in edit["rejected"]] == [1]
    bob.push([
        bob.mutation("twitch", shared_id, {"occurred_at": "2026-11-25T09:00:00Z", "intensity": 5}),
        bob.mutation("twitch", shared_id, op="delete"),
    ])
    alices = record_of(alice, "twitch", shared_id)
    assert alices["deleted"] is False and alices["fields"]["intensity"] == 1
    assert alices["fields"]["occurred_at"] == "2026-11-25T08:00:00Z"
    bobs = record_of(bob, "twitch", shared_id)
    assert bobs["deleted"] is True and bobs["fields"]["intensity"] == 5
    # The same day's check-in id is shared by everyone and still private to each.
    day = checkin_record_id("2026-11-25")
    alice.push([alice.mutation("checkin", day, {"local_date": "2026-11-25", "stress": 2})])
    bob.push([bob.mutation("checkin", day, {"local_date": "2026-11-25", "stress": 9})])
    assert record_of(alice, "checkin", day)["fields"]["stress"] == 2
    assert record_of(bob, "checkin", day)["fields"]["stress"] == 9


@pytest.mark.parametrize("number", ["\u00b2", "\u0661", "1\u00b2", " 1", "+1", "1_0"])
def test_a_cookie_with_this_users_epoch_but_no_plain_number_resets(user, number):
    record_id = user.log_twitch()
    _, page = user.pull_all()
    epoch = page["cookie"].partition(".")[0]
    response = user.post("/api/v1/sync/pull", json={"client_id": user.client_id, "cookie": f"{epoch}.{number}", "limit": 10})
    assert response.status_code == 200, response.text
    assert response.json()["reset"] is True and [c["record_id"] for c in response.json()["changes"]] == [record_id]


def test_a_batch_naming_stored_and_new_records_is_judged_against_what_is_stored(user, new_id):
    """Push writes new records first and merges only the ones that turn out stored: every outcome
    must still be the one the stored row gives, in mutation order."""
    stored, fresh, edited, gone = new_id(), new_id(), new_id(), new_id()
    user.push([user.mutation("twitch", record_id, {"occurred_at": "2026-11-25T08:00:00Z", "intensity": 1},
                             hlc=stamp("2026-11-25T08:00:00.000Z"))
               for record_id in (stored, edited, gone)])
    user.push([user.mutation("twitch", stored, {"intensity": 2}, hlc=stamp("2026-11-25T10:00:00.000Z"))])
    other = another_device(user)
    result = other.push([
        # a whole `set` of a stored record: per field, it wins occurred_at (08:00 < 09:00), loses intensity (10:00)
        other.mutation("twitch", stored, {"occurred_at": "2026-11-24T08:00:00Z", "intensity": 4},
                       hlc=stamp("2026-11-25T09:00:00.000Z")),
        other.mutation("twitch", fresh, {"occurred_at": "2026-11-25T10:00:00Z"}),
        # an edit without required fields: fine for a stored record, though it would not create one
        other.mutation("twitch", edited, {"intensity": 5}, hlc=stamp("2026-11-25T09:00:00.000Z")),
        other.mutation("twitch", gone, op="delete", hlc=stamp("2026-11-25T09:00:00.000Z")),
        other.mutation("twitch", stored, {"intensity": 9}),  # fault: judged as an edit of the stored row
        other.mutation("twitch", new_id(), {"intensity": 2}),  # fault: a create without occurred_at
    ])
    assert result["last_mutation_id"] == 6
    assert [r["id"] for r in result["rejected"]] == [5, 6]
    assert result["rejected"][0]["errors"] == {"intensity": ["Must be a whole number from 1 to 5."]}
    assert result["rejected"][1]["errors"] == {"occurred_at": ["Missing data for required field."]}
    records, _ = user.pull_all()
    assert records[("twitch", stored)]["fields"]["occurred_at"] == "2026-11-24T08:00:00Z"
    assert records[("twitch", stored)]["fields"]["intensity"] == 2
    assert records[("twitch", fresh)]["fields"]["occurred_at"] == "2026-11-25T10:00:00Z"
    assert records[("twitch", edited)]["fields"]["intensity"] == 5
    assert records[("twitch", gone)]["deleted"] is True
    assert records[("twitch", gone)]["fields"]["occurred_at"] == "2026-11-25T08:00:00Z"
