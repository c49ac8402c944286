"""GET, PATCH and DELETE /api/v1/me (§4); deleting an account leaves no row of it in any table."""
from __future__ import annotations

import uuid

import pytest

from server.sync.entities import checkin_record_id
from tests.accounts.scan import rows_holding
from tests.support.api import PASSWORD, ApiClient
from tests.support.bad_input import assert_envelope


def test_me_is_the_signed_in_user(user):
    me = user.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json() == user.user
    assert {"id", "email", "timezone", "created_at", "display_name"} <= set(me.json())


def test_patch_changes_the_time_zone(user):
    response = user.patch("/api/v1/me", json={"timezone": "America/Argentina/Buenos_Aires"})
    assert response.status_code == 200
    assert response.json() == {**user.user, "timezone": "America/Argentina/Buenos_Aires"}
    assert user.get("/api/v1/me").json()["timezone"] == "America/Argentina/Buenos_Aires"


def test_patch_with_nothing_changes_nothing(user):
    response = user.patch("/api/v1/me", json={})
    assert response.status_code == 200 and response.json() == user.user


@pytest.mark.parametrize("body", [{"timezone": "Mars/Base"}, {"timezone": None}, {"timezone": 3}, {"email": "new@example.org"},
                                  {"id": str(uuid.uuid4())}, {"created_at": "2020-01-01T00:00:00Z"}])
def test_patch_refuses_a_bad_zone_and_fields_it_does_not_change(user, body):
    assert_envelope(user.patch("/api/v1/me", json=body), 400)
    assert user.get("/api/v1/me").json() == user.user


def fill_every_table(api: ApiClient) -> int:
    """Rows of this user in every table a person can reach through the API (others' too, where they
    exist); how many of the other capabilities' calls made something."""
    result = api.push([
        api.mutation("twitch", str(uuid.uuid4()), {"occurred_at": "2026-11-25T19:42:10Z", "note": "left calf"}),
        api.mutation("checkin", checkin_record_id("2026-11-25"), {"local_date": "2026-11-25", "stress": 3}),
        api.mutation("symptom", str(uuid.uuid4()), {"observed_at": "2026-11-25T19:42:10Z", "kind": "weakness"}),
        api.mutation("activity", str(uuid.uuid4()), {"started_at": "2026-11-25T19:42:10Z", "level": "rest"}),
        api.mutation("intake", str(uuid.uuid4()), {"taken_at": "2026-11-25T19:42:10Z", "kind": "water", "amount": 0.5, "unit": "l"}),
        api.mutation("twitch", str(uuid.uuid4()), op="delete"),
    ])
    assert result["rejected"] == []
    assert api.post("/api/v1/auth/tokens", json={"email": api.user["email"], "password": PASSWORD, "label": "x"}).status_code == 201
    assert ApiClient(api.base_url).login(api.user["email"]).status_code == 200
    # Other capabilities' rows, through their contract paths (§5, §6) when they are there.
    optional = [
        ("PUT", "/api/v1/reminders", {"evening": {"enabled": True, "time": "20:30"},
                                      "pacing": {"enabled": True, "every_minutes": 60, "active_from": "09:00",
                                                 "active_to": "18:00", "days": [0, 1, 2, 3, 4]},
                                      "quiet_hours": {"from": "22:00", "to": "07:00"}}),
        ("POST", "/api/v1/shares", {"kind": "link", "scopes": ["summary"], "expires_in_days": 7, "label": "neurologist"}),
    ]
    made = 0
    for method, path, body in optional:
        response = api.request(method, path, json=body)
        assert response.status_code < 500, response.text
        made += response.ok
    return made


def test_delete_me_with_a_wrong_password_is_403_and_deletes_nothing(user):
    fill_every_table(user)
    before = user.get("/api/v1/export").json()
    assert_envelope(user.delete("/api/v1/me", json={"password": "not the password"}), 403)
    after = user.get("/api/v1/export").json()
    assert {k: v for k, v in before.items() if k != "exported_at"} == {k: v for k, v in after.items() if k != "exported_at"}


def test_delete_me_leaves_no_row_of_the_user_in_any_table(live_server, user):
    others_made = fill_every_table(user)
    user_id, email = user.user["id"], user.user["email"]
    held = rows_holding(live_server.app, user_id)
    expected = {"users", "login_sessions", "api_tokens", "change_counters", "sync_clients",
                "twitches", "checkins", "symptoms", "activities", "intakes"}
    assert expected <= set(held), f"the scan must see the user first; it found {held}"
    assert len(set(held) - expected) >= others_made, f"the scan must see the other capabilities' rows too: {held}"
    other = ApiClient(user.base_url)
    other.register()
    other.log_twitch()

    response = user.delete("/api/v1/me", json={"password": PASSWORD})
    assert response.status_code == 204

    assert rows_holding(live_server.app, user_id) == {}
    assert rows_holding(live_server.app, email) == {}
    assert_envelope(user.get("/api/v1/me"), 401)
    assert_envelope(ApiClient(user.base_url).login(email), 401)
    assert len(other.pull_all()[0]) == 1, "nobody else lost anything"
    again = ApiClient(user.base_url)
    again.register(email=email)  # the address is free again
    assert again.pull_all()[0] == {}
