"""display_name on /api/v1/me (§16): optional, at most 100 characters, null or "" clears it."""
from __future__ import annotations

import pytest

from tests.support.api import ApiClient
from tests.support.bad_input import assert_envelope


def test_a_new_account_has_no_display_name(user):
    assert user.get("/api/v1/me").json()["display_name"] is None
    assert user.user["display_name"] is None


def test_patch_sets_trims_and_clears_the_display_name(user):
    response = user.patch("/api/v1/me", json={"display_name": "  Maya Müller – 麻耶  "})
    assert response.status_code == 200
    assert response.json()["display_name"] == "Maya Müller – 麻耶"
    assert user.get("/api/v1/me").json()["display_name"] == "Maya Müller – 麻耶"

    # Another field alone leaves the name as it is.
    assert user.patch("/api/v1/me", json={"timezone": "Asia/Tokyo"}).json()["display_name"] == "Maya Müller – 麻耶"
    assert user.patch("/api/v1/me", json={"display_name": "n" * 100}).json()["display_name"] == "n" * 100

    assert user.patch("/api/v1/me", json={"display_name": None}).json()["display_name"] is None
    user.patch("/api/v1/me", json={"display_name": "Maya"})
    assert user.patch("/api/v1/me", json={"display_name": "   "}).json()["display_name"] is None


@pytest.mark.parametrize("value", ["n" * 101, 7, True, ["Maya"], {"name": "Maya"}, "Maya\nRivera", "Maya\x00"])
def test_a_bad_display_name_is_400_and_changes_nothing(user, value):
    user.patch("/api/v1/me", json={"display_name": "Maya"})
    body = assert_envelope(user.patch("/api/v1/me", json={"display_name": value, "timezone": "Asia/Tokyo"}), 400)
    assert "display_name" in body["errors"]
    me = user.get("/api/v1/me").json()
    assert me["display_name"] == "Maya" and me["timezone"] == user.user["timezone"]


def test_the_display_name_is_the_accounts_own(live_server, user):
    other = ApiClient(live_server.url)
    other.register()
    user.patch("/api/v1/me", json={"display_name": "Maya"})
    assert other.get("/api/v1/me").json()["display_name"] is None
