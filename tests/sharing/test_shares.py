"""Sharing (§6): making, listing, revoking, accepting, expiry, the access log, tokens as hashes."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from server.extensions import db
from tests.insights.records import Planter, at_local
from tests.sharing.helpers import follow, make_share, set_expiry

UTC = timezone.utc
SHARE_KEYS = {"id", "kind", "scopes", "label", "created_at", "expires_at", "revoked_at", "last_access_at", "access_count",
              "accepted_by", "accepted_at"}


def parse(instant: str) -> datetime:
    return datetime.fromisoformat(instant.replace("Z", "+00:00"))


def test_a_link_share_shows_its_token_once(user):
    before = datetime.now(UTC)
    share = make_share(user, "link", ["symptoms", "summary", "summary"], label="Dr Rivera, 3 Dec")
    assert set(share) == {"id", "kind", "scopes", "label", "expires_at", "token", "url"}
    assert share["kind"] == "link" and share["label"] == "Dr Rivera, 3 Dec"
    assert share["scopes"] == ["symptoms", "summary"]  # as asked, each once
    assert share["url"] == f"/s/{share['token']}" and len(share["token"]) >= 43
    assert timedelta(days=30) <= parse(share["expires_at"]) - before <= timedelta(days=30, minutes=1)
    listed = user.get("/api/v1/shares").json()
    assert [set(s) for s in listed] == [SHARE_KEYS]
    assert listed[0]["access_count"] == 0 and listed[0]["revoked_at"] is None and listed[0]["last_access_at"] is None
    assert share["token"] not in user.get("/api/v1/shares").text


def test_a_caregiver_share_has_no_url(user):
    share = make_share(user, "caregiver", ["summary", "alerts"], expires_in_days=365)
    assert share["url"] is None and share["label"] is None
    assert timedelta(days=364) < parse(share["expires_at"]) - datetime.now(UTC) <= timedelta(days=365)


@pytest.mark.parametrize("body", [
    {"kind": "link", "scopes": ["notes"]},
    {"kind": "caregiver", "scopes": ["notes", "alerts"]},
    {"kind": "link", "scopes": ["summary", "alerts"]},
    {"kind": "link", "scopes": []},
    {"kind": "link"},
    {"kind": "link", "scopes": ["everything"]},
    {"kind": "link", "scopes": "summary"},
    {"kind": "friend", "scopes": ["summary"]},
    {"kind": "link", "scopes": ["summary"], "expires_in_days": 0},
    {"kind": "link", "scopes": ["summary"], "expires_in_days": 366},
    {"kind": "link", "scopes": ["summary"], "expires_in_days": True},
    {"kind": "link", "scopes": ["summary"], "expires_in_days": "30"},
    {"kind": "link", "scopes": ["summary"], "label": "x" * 101},
    {"kind": "link", "scopes": ["summary"], "label": "a\x00b"},
])
def test_bad_share_requests_are_400(user, body):
    response = user.post("/api/v1/shares", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == 400 and response.json()["errors"]
    assert user.get("/api/v1/shares").json() == []


def test_sharing_needs_a_signed_in_caller(client):
    assert client.get("/api/v1/shares").status_code == 401
    assert client.post("/api/v1/shares", json={"kind": "link", "scopes": ["summary"]}).status_code == 401
    assert client.post("/api/v1/shares/accept", json={"token": "x"}).status_code == 401
    assert client.get("/api/v1/people").status_code == 401


def test_tokens_are_stored_only_as_hashes(live_server, user, make_user):
    link = make_share(user, "link", ["summary"])
    caregiver = make_user()
    care = follow(user, caregiver, ["summary"])
    secrets = [link["token"], care["token"]]
    found = []
    with live_server.app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)):
                text = " ".join(str(value) for value in row)
                found.extend(secret for secret in secrets if secret in text)
    assert found == []


def test_revoking_ends_access_at_once_and_only_the_owner_can(user, make_user, client):
    share = make_share(user, "link", ["summary"])
    other = make_user()
    assert other.delete(f"/api/v1/shares/{share['id']}").status_code == 404
    assert client.get(share["url"]).status_code == 200
    assert user.delete(f"/api/v1/shares/{share['id']}").status_code == 204
    assert client.get(share["url"]).status_code == 404
    assert client.get(share["url"] + "/report.pdf").status_code == 404
    assert user.delete(f"/api/v1/shares/{share['id']}").status_code == 204  # again: nothing changes
    listed = user.get("/api/v1/shares").json()[0]
    assert listed["revoked_at"] is not None and listed["access_count"] == 1
    assert user.delete("/api/v1/shares/not-a-share").status_code == 404


def test_a_caregiver_accepts_and_sees_the_person(user, make_user):
    caregiver = make_user()
    share = make_share(user, "caregiver", ["summary", "alerts"])
    response = caregiver.post("/api/v1/shares/accept", json={"token": share["token"]})
    assert response.status_code == 200, response.text
    person = response.json()
    assert person["id"] == user.user["id"] and person["email"] == user.user["email"]
    assert person["scopes"] == ["summary", "alerts"] and person["since"]
    assert caregiver.get("/api/v1/people").json() == [person]
    # accepting again from the same account changes nothing; another account cannot use it
    assert caregiver.post("/api/v1/shares/accept", json={"token": share["token"]}).json() == person
    assert make_user().post("/api/v1/shares/accept", json={"token": share["token"]}).status_code == 404
    assert user.get("/api/v1/people").json() == []


def test_two_shares_from_one_person_join_their_scopes(user, make_user):
    caregiver = make_user()
    follow(user, caregiver, ["summary"])
    follow(user, caregiver, ["symptoms", "alerts"])
    [person] = caregiver.get("/api/v1/people").json()
    assert person["scopes"] == ["summary", "symptoms", "alerts"]


def test_accepting_ones_own_share_or_a_link_fails(user):
    own = make_share(user, "caregiver", ["summary"])
    response = user.post("/api/v1/shares/accept", json={"token": own["token"]})
    assert response.status_code == 400 and response.json()["errors"]
    link = make_share(user, "link", ["summary"])
    assert user.post("/api/v1/shares/accept", json={"token": link["token"]}).status_code == 404
    assert user.post("/api/v1/shares/accept", json={"token": ""}).status_code == 400
    assert user.post("/api/v1/shares/accept", json={}).status_code == 400


def test_a_caregiver_token_is_not_a_clinician_page(user, client):
    share = make_share(user, "caregiver", ["summary"])
    assert client.get(f"/s/{share['token']}").status_code == 404
    assert client.get("/s/not-a-token").status_code == 404
    assert client.get("/s/" + "x" * 300).status_code == 404


def caregiver_paths(person_id: str) -> list[str]:
    return [f"/api/v1/people/{person_id}/insights", f"/api/v1/people/{person_id}/events"]


def test_revoked_caregiver_share_ends_every_path_at_once(user, make_user):
    caregiver = make_user()
    share = follow(user, caregiver, ["summary", "events", "checkins", "symptoms", "notes", "alerts"])
    for path in caregiver_paths(user.user["id"]):
        assert caregiver.get(path).status_code == 200
    assert user.delete(f"/api/v1/shares/{share['id']}").status_code == 204
    for path in caregiver_paths(user.user["id"]):
        assert caregiver.get(path).status_code == 404
    assert caregiver.get("/api/v1/people").json() == []
    assert caregiver.post("/api/v1/shares/accept", json={"token": share["token"]}).status_code == 404


def test_expired_shares_give_404_through_every_path(live_server, user, make_user, client):
    caregiver = make_user()
    care = follow(user, caregiver, ["summary", "events"])
    link = make_share(user, "link", ["summary", "events"])
    pending = make_share(user, "caregiver", ["summary"])
    assert client.get(link["url"]).status_code == 200
    past = datetime.now(UTC) - timedelta(seconds=1)
    for share in (care, link, pending):
        set_expiry(live_server.app, share["id"], past)
    assert client.get(link["url"]).status_code == 404
    assert client.get(link["url"] + "/report.pdf").status_code == 404
    for path in caregiver_paths(user.user["id"]):
        assert caregiver.get(path).status_code == 404
    assert caregiver.get("/api/v1/people").json() == []
    assert make_user().post("/api/v1/shares/accept", json={"token": pending["token"]}).status_code == 404


def test_the_owner_sees_every_access(user, make_user, client):
    link = make_share(user, "link", ["summary"])
    caregiver = make_user()
    care = follow(user, caregiver, ["summary", "events"])
    client.get(link["url"])
    client.get(link["url"] + "/report.pdf")
    client.get(link["url"] + "?from=2026-13-01")  # a bad period is not an access
    caregiver.get(f"/api/v1/people/{user.user['id']}/insights")
    caregiver.get(f"/api/v1/people/{user.user['id']}/events")
    log = user.get(f"/api/v1/shares/{link['id']}/accesses").json()
    assert [entry["what"] for entry in log] == ["report", "page"]
    assert [entry["what"] for entry in user.get(f"/api/v1/shares/{care['id']}/accesses").json()] == ["events", "insights", "accepted"]
    shares = {s["id"]: s for s in user.get("/api/v1/shares").json()}
    assert shares[link["id"]]["access_count"] == 2 and shares[care["id"]]["access_count"] == 2
    assert shares[link["id"]]["last_access_at"] == log[0]["at"]
    assert caregiver.get(f"/api/v1/shares/{care['id']}/accesses").status_code == 404


def test_a_caregiver_can_never_write(user, make_user):
    caregiver = make_user()
    follow(user, caregiver, ["summary", "events", "checkins", "symptoms", "notes", "alerts"])
    record_id = user.log_twitch("2026-11-20T10:00:00Z", intensity=2)
    person = user.user["id"]
    # sync writes only ever reach the caller's own records (§9)
    result = caregiver.push([caregiver.mutation("twitch", record_id, {"occurred_at": "2026-11-20T10:00:00Z", "intensity": 5}),
                             caregiver.mutation("twitch", record_id, op="delete")])
    assert result["rejected"] == []
    records, _ = user.pull_all()
    assert records[("twitch", record_id)]["fields"]["intensity"] == 2 and records[("twitch", record_id)]["deleted"] is False
    for path in (f"/api/v1/people/{person}", f"/api/v1/people/{person}/insights", f"/api/v1/people/{person}/events"):
        for method in ("post", "put", "patch", "delete"):
            response = getattr(caregiver, method)(path, json={"occurred_at": "2026-11-20T10:00:00Z"})
            assert response.status_code in (404, 405), (method, path, response.status_code)
    shares = user.get("/api/v1/shares").json()
    for share in shares:
        assert caregiver.delete(f"/api/v1/shares/{share['id']}").status_code == 404
    assert user.get("/api/v1/shares").json() == shares
    assert caregiver.get("/api/v1/shares").json() == []


def test_a_guessed_or_altered_token_is_404_then_rate_limited(user, make_app):
    share = make_share(user, "link", ["summary"])
    limited = make_app(share_limit="3/minute")
    from tests.support.api import ApiClient

    guesser = ApiClient(limited.url)
    altered = share["token"][:-1] + ("A" if share["token"][-1] != "A" else "B")
    assert guesser.get(f"/s/{altered}").status_code == 404
    assert guesser.get(f"/s/{share['token']}").status_code == 200  # a real token is not counted
    assert guesser.get("/s/guess-two").status_code == 404
    assert guesser.get("/s/guess-three/report.pdf").status_code == 404
    response = guesser.get("/s/guess-four")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert guesser.get(f"/s/{share['token']}").status_code == 429


def test_guessing_through_accept_is_rate_limited_too(make_app):
    from tests.support.api import ApiClient

    limited = make_app(share_limit="2/minute")
    caregiver = ApiClient(limited.url)
    caregiver.register()
    assert caregiver.post("/api/v1/shares/accept", json={"token": "guess-1"}).status_code == 404
    assert caregiver.post("/api/v1/shares/accept", json={"token": "guess-2"}).status_code == 404
    assert caregiver.post("/api/v1/shares/accept", json={"token": "guess-3"}).status_code == 429


def test_the_clinician_page_is_plain_html_under_the_strict_csp(user, client):
    plant = Planter(user)
    plant.twitch(at_local("2026-11-02", 22, 10), body_region="eyelid", side="left")
    plant.push()
    assert user.patch("/api/v1/me", json={"display_name": "<script>alert(1)</script>"}).status_code == 200
    share = make_share(user, "link", ["summary"], label="<b>the owner's own label</b>")
    response = client.get(share["url"] + "?from=2026-11-01&to=2026-11-03")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    html = response.text
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "own label" not in html  # a share's label is private to its owner (§16)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer" and response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert '<link rel="stylesheet" href="/s/static/clinician.css">' in html
    assert client.get("/s/static/clinician.css").status_code == 200
    assert "2026-11-01" in html and "eyelid" in html


def test_the_clinician_page_covers_the_last_90_days_by_default(user, client):
    from zoneinfo import ZoneInfo

    share = make_share(user, "link", ["summary"])
    today = datetime.now(ZoneInfo(user.user["timezone"])).date()
    html = client.get(share["url"]).text
    assert f"<strong>{(today - timedelta(days=89)).isoformat()}</strong> to <strong>{today.isoformat()}</strong>" in html
    assert client.get(share["url"] + "?from=2026-05-02&to=2026-05-01").status_code == 400
    assert client.get(share["url"] + "?from=2010-01-01&to=2026-05-01").status_code == 400


def test_deleting_an_account_takes_its_shares_and_ends_following(live_server, make_user):
    from server.sharing.models import Share, ShareAccess

    owner, caregiver, other_owner = make_user(), make_user(), make_user()
    link = make_share(owner, "link", ["summary"])
    follow(owner, caregiver, ["summary"])
    followed = follow(other_owner, caregiver, ["summary"])
    owner.get(link["url"])
    assert owner.delete("/api/v1/me", json={"password": owner.password}).status_code == 204
    with live_server.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Share).where(Share.owner_id == owner.user["id"])) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ShareAccess).where(ShareAccess.share_id == link["id"])) == 0
    assert [p["id"] for p in caregiver.get("/api/v1/people").json()] == [other_owner.user["id"]]
    assert caregiver.delete("/api/v1/me", json={"password": caregiver.password}).status_code == 204
    kept = {s["id"]: s for s in other_owner.get("/api/v1/shares").json()}[followed["id"]]
    assert kept["access_count"] == 0  # the share stays in the owner's history, bound to nobody
    with live_server.app.app_context():
        assert db.session.get(Share, followed["id"]).caregiver_id is None


def test_the_export_lists_shares_without_secrets(user, make_user, client):
    link = make_share(user, "link", ["summary"], label="for Dr K")
    client.get(link["url"])
    caregiver = make_user()
    follow(user, caregiver, ["summary"])
    document = user.get("/api/v1/export").json()
    made = document["shares"]["made"]
    assert {s["id"] for s in made} == {link["id"], *(s["id"] for s in user.get("/api/v1/shares").json())}
    assert [a["what"] for a in next(s for s in made if s["id"] == link["id"])["accesses"]] == ["page"]
    assert all("token" not in s and "token_hash" not in s for s in made)
    assert link["token"] not in user.get("/api/v1/export").text
    assert caregiver.get("/api/v1/export").json()["shares"]["following"][0]["id"] == user.user["id"]
