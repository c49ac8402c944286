"""A person reaches only their own things (§4, §9): another's ids are 404, never 403; records are per user."""
from __future__ import annotations

import uuid

from tests.support.api import ApiClient
from tests.support.bad_input import assert_envelope, snapshot


def owned_ids(owner: ApiClient) -> dict[str, str]:
    """Every id the owner can see, by what it is."""
    ids = {f"{name} record": owner.ids[name] for name in ("twitch", "checkin", "symptom", "activity", "intake", "gone")}
    ids["user"] = owner.user["id"]
    ids["token"] = owner.ids["token"]
    for session in owner.get("/api/v1/auth/sessions").json():
        ids[f"session{' (current)' if session['current'] else ''} {session['id'][:8]}"] = session["id"]
    shares = owner.get("/api/v1/shares")
    if shares.status_code == 200:  # sharing (§6) where it is built
        for share in shares.json():
            ids[f"share {share['id'][:8]}"] = share["id"]
    return ids


def test_nothing_of_another_person_is_reachable_through_any_id(live_server, owner, subtests):
    if owner.get("/api/v1/shares").status_code == 200 and not owner.get("/api/v1/shares").json():
        owner.post("/api/v1/shares", json={"kind": "link", "scopes": ["summary"], "expires_in_days": 7, "label": "dr"})
    before = snapshot(owner)
    stranger = ApiClient(live_server.url)
    stranger.register()
    openapi = stranger.get("/api/v1/openapi.json").json()
    for template, item in openapi["paths"].items():
        if "{" not in template:
            continue
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for what, value in owned_ids(owner).items():
                path = template
                while "{" in path:
                    path = path[:path.index("{")] + value + path[path.index("}") + 1:]
                status = frozenset({400, 404}) if "requestBody" in operation else 404
                with subtests.test(msg=f"{method.upper()} {template} with the owner's {what}"):
                    assert_envelope(stranger.request(method.upper(), path), status)
    assert snapshot(owner) == before
    script = ApiClient(live_server.url, origin=None)
    script.http.headers["Authorization"] = f"Bearer {owner.ids['token_secret']}"
    assert script.get("/api/v1/me").status_code == 200, "the owner's token still works"


def test_a_session_or_token_of_another_person_is_404_and_keeps_working(make_user):
    alice, bob = make_user(), make_user()
    token = alice.post("/api/v1/auth/tokens", json={"email": alice.user["email"], "password": alice.password, "label": "a"}).json()
    session = alice.get("/api/v1/auth/sessions").json()[0]
    assert_envelope(bob.delete(f"/api/v1/auth/tokens/{token['id']}"), 404)
    assert_envelope(bob.delete(f"/api/v1/auth/sessions/{session['id']}"), 404)
    assert bob.get("/api/v1/auth/tokens").json() == []
    assert [s["id"] for s in bob.get("/api/v1/auth/sessions").json()] != [session["id"]]
    assert alice.get("/api/v1/me").status_code == 200
    assert [t["id"] for t in alice.get("/api/v1/auth/tokens").json()] == [token["id"]]


def test_the_same_record_id_under_another_person_is_another_record(make_user):
    alice, bob = make_user(), make_user()
    record_id = alice.log_twitch("2026-11-25T19:42:10Z", intensity=2, note="alice's")
    # For bob it is a new record: without its required field it is rejected, not merged into alice's.
    partial = bob.push([bob.mutation("twitch", record_id, {"intensity": 5})])
    assert [r["id"] for r in partial["rejected"]] == [1]
    bob.push([bob.mutation("twitch", record_id, {"occurred_at": "2026-11-20T08:00:00Z", "note": "bob's"}),
              bob.mutation("twitch", record_id, {"intensity": 4}),
              bob.mutation("twitch", record_id, op="delete", hlc=bob.hlc("2030-01-01T00:00:00.000Z"))])
    alices, _ = alice.pull_all()
    fields = alices[("twitch", record_id)]["fields"]
    assert (fields["occurred_at"], fields["intensity"], fields["note"]) == ("2026-11-25T19:42:10Z", 2, "alice's")
    assert alices[("twitch", record_id)]["deleted"] is False
    bobs, _ = bob.pull_all()
    assert bobs[("twitch", record_id)]["fields"]["note"] == "bob's" and bobs[("twitch", record_id)]["deleted"] is True
    assert len(alices) == len(bobs) == 1


def test_an_export_holds_only_ones_own_data(make_user):
    alice, bob = make_user(), make_user()
    shared_id = str(uuid.uuid4())
    alice.push([alice.mutation("twitch", shared_id, {"occurred_at": "2026-11-25T19:42:10Z", "note": "alice's note"})])
    bob.push([bob.mutation("twitch", shared_id, {"occurred_at": "2026-11-24T10:00:00Z", "note": "bob's note"})])
    alice_only = alice.log_twitch(note="only alice")
    exported = bob.get("/api/v1/export").json()
    assert exported["user"]["id"] == bob.user["id"] and exported["user"]["email"] == bob.user["email"]
    assert [r["note"] for r in exported["records"]["twitch"]] == ["bob's note"]
    text = bob.get("/api/v1/export").text + bob.get("/api/v1/export?format=csv").text
    for leak in (alice.user["id"], alice.user["email"], "alice's note", alice_only):
        assert leak not in text
