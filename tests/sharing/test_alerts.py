"""Caregiver alerts: a red-flag symptom synced for the person reaches each caregiver with `alerts`
as a real Web Push (through the reminders pipeline and a checking push-service stand-in)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from server.extensions import db
from server.push.models import PushDelivery
from server.push.worker import Dispatcher
from tests.insights.records import Planter
from tests.sharing.helpers import follow
from tests.support.push_service import PushService, b64url

UTC = timezone.utc


def ago(**delta) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def push_service():
    with PushService() as push:
        yield push


def subscribe(api, push_service):
    device = push_service.subscribe()
    response = api.put("/api/v1/push/subscriptions", json=device.to_json())
    assert response.status_code in (200, 201), response.text
    return device


def offline_device(api, name: str) -> None:
    """A subscription whose endpoint nobody serves: enough to see what gets queued for it."""
    key = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    response = api.put("/api/v1/push/subscriptions", json={
        "endpoint": f"http://127.0.0.1:9/push/{name}", "expirationTime": None,
        "keys": {"p256dh": b64url(key), "auth": b64url(bytes(range(16)))}})
    assert response.status_code in (200, 201), response.text


def alerts_for(app, user_id: str) -> list[PushDelivery]:
    with app.app_context():
        return list(db.session.scalars(sa.select(PushDelivery).where(PushDelivery.user_id == user_id, PushDelivery.kind == "red_flag")))


def test_a_caregiver_with_alerts_gets_a_push_for_a_red_flag(live_server, make_user, push_service):
    person, caregiver, bystander = make_user(), make_user(), make_user()
    follow(person, caregiver, ["summary", "symptoms", "alerts"])
    follow(person, bystander, ["summary", "symptoms"])  # no alerts scope
    device = subscribe(caregiver, push_service)
    quiet_device = subscribe(bystander, push_service)
    own_device = subscribe(person, push_service)

    plant = Planter(person)
    plant.symptom(ago(hours=1), "swallowing_difficulty")
    plant.symptom(ago(hours=2), "weakness")
    plant.push()
    dispatcher = Dispatcher(live_server.app)
    try:
        dispatcher.send_batch()
    finally:
        dispatcher.sender.close()  # its pooled connections to the stand-in
    assert push_service.wait_for(lambda: push_service.delivered(device))
    [message] = push_service.delivered(device)
    assert message.payload["kind"] == "red_flag"
    assert person.user["email"] in message.payload["body"]
    assert "weakness and difficulty swallowing" in message.payload["body"] and "doctor" in message.payload["body"]
    assert message.payload["url"] == f"/#/caregiver/{person.user['id']}"  # the caregiver's view of them
    assert message.urgency == "high" and message.ttl > 0 and message.topic
    assert push_service.received(quiet_device) == [] and push_service.received(own_device) == []
    assert push_service.problems() == []


def test_only_new_recent_red_flags_alert(live_server, make_user):
    person, caregiver = make_user(), make_user()
    follow(person, caregiver, ["alerts"])  # alerts only: the symptom is not named
    offline_device(caregiver, "alerts-only")
    plant = Planter(person)
    plant.symptom(ago(hours=1), "cramp")  # not a red flag
    plant.symptom(ago(days=40), "weakness")  # history, not news
    plant.push()
    assert alerts_for(live_server.app, caregiver.user["id"]) == []

    plant.symptom(ago(minutes=5), "reflex_change")
    batch = list(plant.mutations)
    plant.push()
    [alert] = alerts_for(live_server.app, caregiver.user["id"])
    assert "reason to talk to a doctor" in alert.payload and "reflex" not in alert.payload.lower()
    person.push(batch)  # a replayed push changes nothing and alerts nobody again
    # an edit of the same symptom is not a new red flag either
    person.push([person.mutation("symptom", batch[0]["record_id"], {"progressive": True})])
    assert len(alerts_for(live_server.app, caregiver.user["id"])) == 1


def test_no_alert_after_the_share_is_revoked(live_server, make_user):
    person, caregiver = make_user(), make_user()
    share = follow(person, caregiver, ["summary", "alerts"])
    offline_device(caregiver, "revoked")
    assert person.delete(f"/api/v1/shares/{share['id']}").status_code == 204
    plant = Planter(person)
    plant.symptom(ago(minutes=5), "muscle_wasting")
    plant.push()
    assert alerts_for(live_server.app, caregiver.user["id"]) == []
