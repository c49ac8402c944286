"""Fixtures for the API-wide tests: a person who owns something of every kind."""
from __future__ import annotations

import uuid

import pytest

from server.sync.entities import checkin_record_id
from tests.support.api import ApiClient


def fill_account(api: ApiClient) -> dict:
    """One record of every entity (one deleted), a bearer token and a second session; their ids."""
    ids = {name: str(uuid.uuid4()) for name in ("twitch", "symptom", "activity", "intake", "gone")}
    ids["checkin"] = checkin_record_id("2026-11-24")
    result = api.push([
        api.mutation("twitch", ids["twitch"], {"occurred_at": "2026-11-25T19:42:10Z", "body_region": "calf", "side": "left",
                                               "intensity": 3, "visibility": "felt", "pattern": "burst", "at_rest": True, "note": "after a walk"}),
        api.mutation("checkin", ids["checkin"], {"local_date": "2026-11-24", "sleep_hours": 6.5, "sleep_quality": 3, "stress": 4,
                                                 "anxiety": 5, "fatigue": 2, "exertion": 3, "twitch_burden": 4, "hydration_l": 1.5,
                                                 "electrolytes": True, "magnesium_mg": 200, "caffeine_mg": 95, "crash": False, "note": "ok day"}),
        api.mutation("symptom", ids["symptom"], {"observed_at": "2026-11-25T08:00:00Z", "kind": "cramp", "body_region": "foot",
                                                 "side": "right", "progressive": False, "note": "morning"}),
        api.mutation("activity", ids["activity"], {"started_at": "2026-11-25T10:00:00Z", "ended_at": "2026-11-25T10:20:00Z",
                                                   "level": "rest", "label": "lie down"}),
        api.mutation("intake", ids["intake"], {"taken_at": "2026-11-25T09:00:00Z", "kind": "magnesium", "amount": 200, "unit": "mg",
                                               "label": "glycinate"}),
        api.mutation("twitch", ids["gone"], {"occurred_at": "2026-11-25T19:00:00Z"}),
        api.mutation("twitch", ids["gone"], op="delete"),
    ])
    assert result["rejected"] == [], result
    token = api.post("/api/v1/auth/tokens", json={"email": api.user["email"], "password": api.password, "label": "script"})
    assert token.status_code == 201, token.text
    ids["token"] = token.json()["id"]
    ids["token_secret"] = token.json()["token"]
    second_browser = ApiClient(api.base_url)
    assert second_browser.login(api.user["email"], api.password).status_code == 200
    ids["second_browser"] = second_browser
    return ids


@pytest.fixture(scope="module")
def owner(live_server) -> ApiClient:
    """A signed-in person with a record of every kind, a token and two sessions (shared by a module)."""
    api = ApiClient(live_server.url)
    api.register()
    api.ids = fill_account(api)
    return api
