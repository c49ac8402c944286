"""§5 endpoints: the key, subscriptions, reminder settings, snooze and done, as a client sees them."""
from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from server.push.models import PushSubscription, ReminderOccurrence
from tests.push.conftest import rows

SETTINGS = {
    "evening": {"enabled": True, "time": "20:30"},
    "pacing": {"enabled": True, "every_minutes": 60, "active_from": "08:00", "active_to": "18:30", "days": [0, 2, 4]},
    "quiet_hours": {"from": "23:00", "to": "06:30"},
}
# §13: a body without the new keys is still accepted, and the answer carries their defaults
NEW_DEFAULTS = {"burst": {"enabled": False, "count": 5, "minutes": 15}, "max_per_day": 12}
STORED = {**SETTINGS, **NEW_DEFAULTS}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def p256dh() -> str:
    return b64url(ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


def subscription(endpoint: str = "https://fcm.googleapis.com/fcm/send/abc", **keys) -> dict:
    return {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": p256dh(), "auth": b64url(os.urandom(16)), **keys}}


def test_the_public_key_is_a_65_byte_point_in_base64url(client, live_server):
    body = client.get("/api/v1/push/key").json()
    key = body["public_key"]
    assert "=" not in key and "+" not in key and "/" not in key
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65 and raw[0] == 4
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    assert key == live_server.app.extensions["twitchlog_vapid"].public_key


def test_the_key_made_on_first_run_is_kept_private_and_reused(tmp_path, database_url):
    from tests.conftest import build_app, make_settings

    first = build_app(make_settings(tmp_path, database_url), migrate=False)
    path = tmp_path / "vapid_private_key.pem"
    assert path.stat().st_mode & 0o777 == 0o600
    again = build_app(make_settings(tmp_path, database_url), migrate=False)
    assert first.extensions["twitchlog_vapid"].public_key == again.extensions["twitchlog_vapid"].public_key


def test_a_configured_key_and_subject_are_used_and_a_bad_subject_stops_start_up(tmp_path, database_url):
    from server.config import ConfigError
    from tests.conftest import build_app, make_settings

    private = ec.generate_private_key(ec.SECP256R1())
    raw = b64url(private.private_numbers().private_value.to_bytes(32, "big"))
    app = build_app(make_settings(tmp_path, database_url, vapid_private_key=raw), migrate=False)
    expected = b64url(private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))
    assert app.extensions["twitchlog_vapid"].public_key == expected
    pem = tmp_path / "key.pem"
    pem.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    from_file = build_app(make_settings(tmp_path, database_url, vapid_key_file=str(pem)), migrate=False)
    assert from_file.extensions["twitchlog_vapid"].public_key == expected
    with pytest.raises(ConfigError, match="mailto: or https:"):
        build_app(make_settings(tmp_path, database_url, vapid_subject="admin@example.org"), migrate=False)
    with pytest.raises(ConfigError, match="cannot be read|P-256"):
        build_app(make_settings(tmp_path, database_url, vapid_private_key="not a key"), migrate=False)


def test_a_subscription_is_upserted_by_endpoint(user, live_server):
    body = subscription()
    first = user.put("/api/v1/push/subscriptions", json=body)
    assert first.status_code == 201, first.text
    new_key = p256dh()
    again = user.put("/api/v1/push/subscriptions", json={**body, "keys": {"p256dh": new_key, "auth": body["keys"]["auth"]}})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    [row] = rows(live_server.app, PushSubscription, user_id=user.user["id"])
    assert row.p256dh == new_key and row.endpoint == body["endpoint"]
    assert row.vapid_key == user.get("/api/v1/push/key").json()["public_key"]
    assert row.consecutive_failures == 0 and row.last_seen_at >= row.created_at


def test_an_endpoint_moves_to_the_account_now_using_that_browser(make_user, live_server):
    first, second = make_user(), make_user()
    body = subscription()
    old_id = first.put("/api/v1/push/subscriptions", json=body).json()["id"]
    moved = second.put("/api/v1/push/subscriptions", json=body)
    assert moved.status_code == 201 and moved.json()["id"] != old_id
    assert rows(live_server.app, PushSubscription, user_id=first.user["id"]) == []
    assert len(rows(live_server.app, PushSubscription, user_id=second.user["id"])) == 1


def test_deleting_a_subscription_is_204_and_touches_only_the_callers(make_user, live_server):
    owner, other = make_user(), make_user()
    body = subscription()
    owner.put("/api/v1/push/subscriptions", json=body)
    assert other.delete("/api/v1/push/subscriptions", json={"endpoint": body["endpoint"]}).status_code == 204
    assert len(rows(live_server.app, PushSubscription, user_id=owner.user["id"])) == 1
    assert owner.delete("/api/v1/push/subscriptions", json={"endpoint": body["endpoint"]}).status_code == 204
    assert rows(live_server.app, PushSubscription, user_id=owner.user["id"]) == []
    assert owner.delete("/api/v1/push/subscriptions", json={"endpoint": body["endpoint"]}).status_code == 204


@pytest.mark.parametrize("change, field", [
    ({"endpoint": "http://push.example.com/x"}, "endpoint"),
    ({"endpoint": "https://10.0.0.5/push"}, "endpoint"),
    ({"endpoint": "https://[::1]/push"}, "endpoint"),
    ({"endpoint": "https://localhost/push"}, "endpoint"),
    ({"endpoint": "https://user:pw@push.example.com/x"}, "endpoint"),
    ({"endpoint": "ftp://push.example.com/x"}, "endpoint"),
    ({"endpoint": "https://push.example.com:99999/x"}, "endpoint"),
    ({"endpoint": "https://push.example.com/" + "a" * 2048}, "endpoint"),
    ({"endpoint": None}, "endpoint"),
    ({"keys": {"p256dh": b64url(b"\x04" + os.urandom(64)), "auth": b64url(os.urandom(16))}}, "keys"),  # not on the curve
    ({"keys": {"p256dh": b64url(os.urandom(33)), "auth": b64url(os.urandom(16))}}, "keys"),
    ({"keys": {"p256dh": "!!!", "auth": b64url(os.urandom(16))}}, "keys"),
    ({"keys": {"p256dh": p256dh(), "auth": b64url(os.urandom(15))}}, "keys"),
    ({"keys": {"p256dh": p256dh(), "auth": b64url(os.urandom(32))}}, "keys"),
    ({"keys": {"p256dh": p256dh()}}, "keys"),
    ({"keys": None}, "keys"),
    ({"expirationTime": "tomorrow"}, "expirationTime"),
    ({"expirationTime": True}, "expirationTime"),
])
def test_a_bad_subscription_is_a_400_with_field_errors(user, change, field):
    response = user.put("/api/v1/push/subscriptions", json={**subscription(), **change})
    assert response.status_code == 400, response.text
    assert field in response.json()["errors"]


def test_local_endpoints_only_with_allow_local_push(make_app):
    from tests.support.api import ApiClient

    for allowed, expected in ((False, 400), (True, 201)):
        server = make_app(allow_local_push=allowed)
        api = ApiClient(server.url)
        api.register()
        for endpoint in ("http://127.0.0.1:9/push/a", "http://localhost:9/push/b"):
            response = api.put("/api/v1/push/subscriptions", json=subscription(endpoint + str(allowed)))
            assert response.status_code == expected, response.text


def test_subscriptions_need_a_signed_in_caller(client):
    assert client.put("/api/v1/push/subscriptions", json=subscription()).status_code == 401
    assert client.post("/api/v1/push/test").status_code == 401
    assert client.get("/api/v1/reminders").status_code == 401


def test_a_new_user_gets_calm_defaults(user):
    body = user.get("/api/v1/reminders").json()
    assert body == {
        "evening": {"enabled": False, "time": "21:00"},
        "pacing": {"enabled": False, "every_minutes": 90, "active_from": "09:00", "active_to": "21:00", "days": [0, 1, 2, 3, 4]},
        "quiet_hours": {"from": "22:00", "to": "07:00"},
        **NEW_DEFAULTS,
    }


def test_put_replaces_the_whole_settings_and_answers_with_them(user):
    response = user.put("/api/v1/reminders", json=SETTINGS)
    assert response.status_code == 200 and response.json() == STORED
    assert user.get("/api/v1/reminders").json() == STORED
    no_quiet = {**SETTINGS, "quiet_hours": None}
    assert user.put("/api/v1/reminders", json=no_quiet).json() == {**no_quiet, **NEW_DEFAULTS}
    assert user.get("/api/v1/reminders").json()["quiet_hours"] is None


def _with(path: str, value):
    body = {k: (dict(v) if isinstance(v, dict) else v) for k, v in SETTINGS.items()}
    if "." in path:
        section, name = path.split(".")
        if value is ...:
            del body[section][name]
        else:
            body[section][name] = value
    elif value is ...:
        del body[path]
    else:
        body[path] = value
    return body


@pytest.mark.parametrize("path, value", [
    ("evening.time", "25:00"), ("evening.time", "9:00"), ("evening.time", None), ("evening.enabled", "yes"),
    ("evening.enabled", ...), ("pacing.every_minutes", 29), ("pacing.every_minutes", 241), ("pacing.every_minutes", 60.0),
    ("pacing.every_minutes", True), ("pacing.days", [7]), ("pacing.days", [-1]), ("pacing.days", [1, 1]),
    ("pacing.days", "0,1"), ("pacing.days", [False]), ("pacing.active_to", "08:00"), ("pacing.active_from", ...),
    ("quiet_hours", {"from": "22:00"}), ("quiet_hours", {"from": "22:00", "to": "22:00"}), ("quiet_hours", "22-07"),
    ("quiet_hours", ...), ("evening", None), ("pacing", []),
])
def test_bad_settings_are_a_400_and_change_nothing(user, path, value):
    user.put("/api/v1/reminders", json=SETTINGS)
    response = user.put("/api/v1/reminders", json=_with(path, value))
    assert response.status_code == 400, response.text
    assert path.split(".")[0] in response.json()["errors"]
    assert user.get("/api/v1/reminders").json() == STORED


def test_a_window_may_cross_midnight(user):
    body = _with("pacing.active_from", "22:00")
    body["pacing"]["active_to"] = "02:00"
    assert user.put("/api/v1/reminders", json=body).status_code == 200


def test_snooze_and_done_of_someone_elses_or_unknown_prompt_are_404(make_user, live_server):
    from datetime import date, timedelta

    from server.extensions import db
    from server.instants import utcnow

    owner, other = make_user(), make_user()
    with live_server.app.app_context():
        now = utcnow()
        row = ReminderOccurrence(user_id=owner.user["id"], kind="evening", dedupe_key=f"evening:{date.today()}",
                                 local_date=date.today(), due_at=now, send_at=now, expires_at=now + timedelta(hours=3), status="sent")
        db.session.add(row)
        db.session.commit()
        occurrence_id = row.id
    for path in (f"/api/v1/reminders/{occurrence_id}/snooze", f"/api/v1/reminders/{occurrence_id}/done",
                 "/api/v1/reminders/not-a-uuid/done", "/api/v1/reminders/00000000-0000-4000-8000-000000000000/snooze"):
        response = other.post(path, json={"minutes": 15}) if path.endswith("snooze") else other.post(path)
        assert response.status_code == 404, (path, response.text)
    assert owner.post(f"/api/v1/reminders/{occurrence_id}/snooze", json={"minutes": 0}).status_code == 400
    assert owner.post(f"/api/v1/reminders/{occurrence_id}/snooze", json={"minutes": "15"}).status_code == 400
    snoozed = owner.post(f"/api/v1/reminders/{occurrence_id}/snooze", json={"minutes": 15})
    assert snoozed.status_code == 200 and snoozed.json()["status"] == "planned"
    done = owner.post(f"/api/v1/reminders/{occurrence_id}/done")
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = owner.post(f"/api/v1/reminders/{occurrence_id}/snooze", json={"minutes": 15})
    assert again.json()["status"] == "done", "a stale notification cannot bring back a prompt that was done"


def test_the_export_has_the_settings_and_devices_without_their_secrets(user):
    user.put("/api/v1/reminders", json=SETTINGS)
    body = subscription("https://updates.push.services.mozilla.com/wpush/v2/secret-path")
    user.put("/api/v1/push/subscriptions", json=body)
    document = user.get("/api/v1/export?format=json").json()
    assert document["reminders"]["settings"] == STORED
    [device] = document["reminders"]["devices"]
    assert device["push_service"] == "https://updates.push.services.mozilla.com"
    text = str(document)
    assert "secret-path" not in text and body["keys"]["auth"] not in text and body["keys"]["p256dh"] not in text


def test_deleting_the_account_deletes_its_push_rows(user, live_server):
    user.put("/api/v1/reminders", json=SETTINGS)
    user.put("/api/v1/push/subscriptions", json=subscription())
    user.post("/api/v1/push/test")
    assert user.delete("/api/v1/me", json={"password": user.password}).status_code == 204
    assert rows(live_server.app, PushSubscription, user_id=user.user["id"]) == []


def test_signing_out_ends_pushes_to_that_browser_only(make_user, live_server):
    """A shared browser must not keep showing the last person's reminders after they sign out."""
    from tests.support.api import ApiClient

    phone = make_user()
    laptop = ApiClient(live_server.url)
    assert laptop.login(phone.user["email"], phone.password).status_code == 200
    phone.put("/api/v1/push/subscriptions", json=subscription("https://fcm.googleapis.com/fcm/send/phone"))
    laptop.put("/api/v1/push/subscriptions", json=subscription("https://fcm.googleapis.com/fcm/send/laptop"))
    assert phone.post("/api/v1/auth/logout").status_code == 204
    remaining = rows(live_server.app, PushSubscription, user_id=phone.user["id"])
    assert [s.endpoint for s in remaining] == ["https://fcm.googleapis.com/fcm/send/laptop"]
    assert laptop.post("/api/v1/auth/logout-all").status_code == 204
    assert rows(live_server.app, PushSubscription, user_id=phone.user["id"]) == []


def test_a_subscription_saved_with_a_bearer_token_outlives_sessions(user, live_server):
    from tests.support.api import ApiClient

    token = user.post("/api/v1/auth/tokens", json={"email": user.user["email"], "password": user.password, "label": "cli"}).json()["token"]
    script = ApiClient(live_server.url, origin=None)
    script.http.headers["Authorization"] = f"Bearer {token}"
    assert script.put("/api/v1/push/subscriptions", json=subscription("https://fcm.googleapis.com/fcm/send/cli")).status_code == 201
    user.post("/api/v1/auth/logout-all")
    assert len(rows(live_server.app, PushSubscription, user_id=user.user["id"])) == 1
