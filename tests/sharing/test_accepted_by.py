"""§12: the owner sees who accepted a caregiver share, and when."""
from __future__ import annotations

from datetime import datetime

from tests.sharing.helpers import follow, make_share


def test_shares_say_who_accepted_them_and_when(user, make_user):
    caregiver = make_user()
    accepted = follow(user, caregiver, ("summary", "alerts"), label="Sam")
    pending = make_share(user, "caregiver", ("summary",), label="not yet")
    link = make_share(user, "link", ("summary",))
    before = datetime.now().astimezone()
    listed = {share["id"]: share for share in user.get("/api/v1/shares").json()}
    assert listed[accepted["id"]]["accepted_by"] == {"email": caregiver.user["email"]}
    accepted_at = datetime.fromisoformat(listed[accepted["id"]]["accepted_at"].replace("Z", "+00:00"))
    assert abs((before - accepted_at).total_seconds()) < 60
    for share in (pending, link):
        assert listed[share["id"]]["accepted_by"] is None and listed[share["id"]]["accepted_at"] is None
    assert "token" not in str(listed) or all("token" not in s for s in listed.values())
    # the caregiver's account is deleted: the share stays in the owner's history, accepted by nobody now
    assert caregiver.delete("/api/v1/me", json={"password": caregiver.password}).status_code == 204
    again = {share["id"]: share for share in user.get("/api/v1/shares").json()}
    assert again[accepted["id"]]["accepted_by"] is None and again[accepted["id"]]["accepted_at"] is not None


def test_the_export_carries_who_accepted(user, make_user):
    caregiver = make_user()
    share = follow(user, caregiver)
    [made] = [s for s in user.get("/api/v1/export?format=json").json()["shares"]["made"] if s["id"] == share["id"]]
    assert made["accepted_by"] == {"email": caregiver.user["email"]} and made["accepted_at"]
