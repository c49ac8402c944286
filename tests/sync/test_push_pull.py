"""Sync push and pull: the §3 rules, case by case (the property tests live beside this file)."""
from __future__ import annotations

import uuid

from server.sync.entities import checkin_record_id


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
