"""§12: a value outside what a field can hold is a 400 (or a rejected mutation), never a 500 and
never stored; CSV cells a spreadsheet would run as a formula are written with a leading `'`."""
from __future__ import annotations

import csv
import io
import json
import uuid

import pytest

from tests.support.bad_input import CLOCK_TIME, EXPIRATION_TIME, HLC, assert_envelope


def _subscription(expiration) -> dict:
    from tests.push.test_api import subscription

    body = subscription("https://fcm.googleapis.com/fcm/send/" + uuid.uuid4().hex)
    body["expirationTime"] = expiration
    return body


@pytest.mark.parametrize("label, value", EXPIRATION_TIME, ids=[label for label, _ in EXPIRATION_TIME])
def test_an_expiration_time_beyond_a_timestamp_is_a_400(user, label, value):
    data = json.dumps(_subscription(value), allow_nan=True)  # NaN and Infinity as a careless client sends them
    body = assert_envelope(user.put("/api/v1/push/subscriptions", data=data, headers={"Content-Type": "application/json"}), 400)
    assert "expirationTime" in body["errors"]


def test_an_expiration_time_a_timestamp_holds_is_kept(user):
    response = user.put("/api/v1/push/subscriptions", json=_subscription(1_900_000_000_000))
    assert response.status_code == 201, response.text
    assert response.json()["expiration_time"].startswith("2030-03-17")


@pytest.mark.parametrize("label, value", HLC, ids=[label for label, _ in HLC])
def test_an_hlc_that_only_looks_right_is_rejected_as_invalid(user, label, value):
    mutation = user.mutation("twitch", str(uuid.uuid4()), {"occurred_at": "2026-11-25T19:42:10Z"}, hlc=value.format(client=user.client_id))
    result = user.push([mutation])
    assert [(r["id"], r["code"]) for r in result["rejected"]] == [(mutation["id"], "invalid")], result
    records, _ = user.pull_all()
    assert records == {}, "nothing of a rejected mutation is stored"


@pytest.mark.parametrize("label, value", CLOCK_TIME, ids=[label for label, _ in CLOCK_TIME])
def test_a_clock_time_with_a_trailing_newline_is_a_400(user, label, value):
    settings = {"evening": {"enabled": True, "time": value},
                "pacing": {"enabled": False, "every_minutes": 90, "active_from": "09:00", "active_to": "21:00", "days": [0]},
                "quiet_hours": None}
    body = assert_envelope(user.put("/api/v1/reminders", json=settings), 400)
    assert "evening" in body["errors"]


FORMULAS = ["=HYPERLINK(\"https://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "=1", "plain", "a=b"]


def test_csv_cells_that_start_like_a_formula_get_a_leading_quote(user):
    ids = {}
    for note in FORMULAS:
        ids[user.log_twitch(note=note)] = note
    labels = {}
    for label in ("=cmd|' /C calc'!A0", "-lie down", "rest"):
        record_id = str(uuid.uuid4())
        user.push([user.mutation("activity", record_id, {"started_at": "2026-11-25T10:00:00Z", "level": "rest", "label": label})])
        labels[record_id] = label
    twitches = {row["record_id"]: row for row in csv.DictReader(io.StringIO(user.get("/api/v1/export?format=csv&entity=twitch").text))}
    for record_id, note in ids.items():
        expected = "'" + note if note[0] in "=+-@\t\r" else note
        assert twitches[record_id]["note"] == expected, (note, twitches[record_id]["note"])
        assert twitches[record_id]["occurred_at"] == "2026-11-25T19:42:10Z", "only text cells change"
    activities = {row["record_id"]: row for row in csv.DictReader(io.StringIO(user.get("/api/v1/export?format=csv&entity=activity").text))}
    for record_id, label in labels.items():
        assert activities[record_id]["label"] == ("'" + label if label[0] in "=-" else label)
    document = user.get("/api/v1/export?format=json").json()
    assert sorted(r["note"] for r in document["records"]["twitch"]) == sorted(FORMULAS), "the JSON export keeps the text as written"


def test_push_subscriptions_refuse_bad_input_and_store_nothing(user, subtests):
    """The API's bad-input table for PUT /api/v1/push/subscriptions: every body that is wrong
    whatever the endpoint, and every wrong value of each field (§5, §12)."""
    from tests.push.test_api import subscription
    from tests.support.bad_input import PUSH_ENDPOINT, STRING, body_cases, field_cases

    valid = subscription("https://fcm.googleapis.com/fcm/send/" + uuid.uuid4().hex)
    keys = [("an unknown curve point", {"p256dh": "BA" + "A" * 85, "auth": valid["keys"]["auth"]}),
            ("a short auth secret", {"p256dh": valid["keys"]["p256dh"], "auth": "AAAA"}), ("a string", "keys"), *STRING[:3]]
    cases = [*body_cases(), *field_cases(valid, {"endpoint": [*STRING, *PUSH_ENDPOINT], "keys": keys, "expirationTime": EXPIRATION_TIME},
                                         required=["endpoint", "keys"], nullable=["expirationTime"])]
    for case in cases:
        if case.name == "an unknown field":
            continue  # browsers add fields of their own: unknown ones are ignored (§5)
        with subtests.test(msg=case.name):
            assert_envelope(case.send(user, "PUT", "/api/v1/push/subscriptions"), case.status)
    assert user.get("/api/v1/export?format=json").json()["reminders"]["devices"] == []
