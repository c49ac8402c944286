"""Sending through the stand-in push service: what every request carries, and §5's response table."""
from __future__ import annotations

import email.utils
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.instants import utcnow
from server.push import dispatch, service
from server.push.models import PushDelivery, PushSubscription
from server.push.sender import Message, Outcome
from tests.push.conftest import rows, send_everything
from tests.support.push_service import PushService, Reply


def deliveries(app, user) -> list[PushDelivery]:
    return rows(app, PushDelivery, user_id=user.user["id"])


def test_a_test_notification_arrives_signed_encrypted_and_complete(user, subscribe, push_service, dispatcher, clock):
    device = subscribe(user)
    assert user.post("/api/v1/push/test").json() == {"queued": 1}
    sender = dispatcher()
    assert send_everything(sender) == 1
    [message] = push_service.received(device)
    assert message.problems == [] and message.status == 201
    assert message.claims["aud"] == push_service.url and message.claims["sub"] == "mailto:tests@twitchlog.invalid"
    assert 0 < message.claims["exp"] - time.time() <= 24 * 3600
    assert 0 < message.ttl <= 600 and message.urgency == "normal" and message.topic == "test"
    assert message.headers["content-encoding"] == "aes128gcm"
    assert set(message.payload) == {"title", "body", "tag", "url", "kind", "occurrence_id", "actions"}
    assert message.payload["kind"] == "test"
    assert sender.totals["sent"] == 1


def test_every_device_of_the_user_gets_one_and_nobody_else(make_user, subscribe, push_service, dispatcher):
    person, stranger = make_user(), make_user()
    phone, laptop, theirs = subscribe(person), subscribe(person), subscribe(stranger)
    assert person.post("/api/v1/push/test").json() == {"queued": 2}
    send_everything(dispatcher())
    assert len(push_service.delivered(phone)) == len(push_service.delivered(laptop)) == 1
    assert push_service.received(theirs) == []


def test_the_vapid_header_is_signed_once_per_origin_and_renewed_before_it_expires(make_user, subscribe, push_service, dispatcher, clock):
    person = make_user()
    subscribe(person), subscribe(person)
    sender = dispatcher()
    with PushService() as elsewhere:
        key = person.get("/api/v1/push/key").json()["public_key"]
        remote = elsewhere.subscribe(application_server_key=key)
        person.put("/api/v1/push/subscriptions", json=remote.to_json())
        person.post("/api/v1/push/test")
        send_everything(sender)
        here = {m.headers["authorization"] for m in push_service.received()}
        there = {m.headers["authorization"] for m in elsewhere.received()}
        assert len(here) == 1 and len(there) == 1 and here != there, "one JWT per push-service origin"
        assert elsewhere.received()[0].claims["aud"] == elsewhere.url
        clock.advance(hours=11, minutes=1)  # within an hour of the 12-hour expiry: a fresh one
        with sender.app.app_context():
            service.send_test(person.user["id"], now=clock.now)
            db.session.commit()
        send_everything(sender)
        assert len({m.headers["authorization"] for m in push_service.received()}) == 2


def test_2xx_marks_sent_and_clears_failures(user, subscribe, push_service, dispatcher, live_server):
    device = subscribe(user)
    push_service.script(device, Reply(500), Reply(202))
    user.post("/api/v1/push/test")
    sender = dispatcher()
    send_everything(sender)
    [sub] = rows(live_server.app, PushSubscription, user_id=user.user["id"])
    assert sub.consecutive_failures == 1
    sender.clock.advance(seconds=13)  # past the first backoff (10 s, +-20 %)
    send_everything(sender)
    [delivery] = deliveries(live_server.app, user)
    [sub] = rows(live_server.app, PushSubscription, user_id=user.user["id"])
    assert delivery.state == "sent" and delivery.last_status == 202 and delivery.attempts == 2
    assert sub.consecutive_failures == 0 and sub.last_success_at is not None


@pytest.mark.parametrize("status", [404, 410])
def test_404_and_410_delete_that_subscription(user, subscribe, push_service, dispatcher, live_server, status):
    gone, kept = subscribe(user), subscribe(user)
    push_service.script(gone, Reply(status))
    user.post("/api/v1/push/test")
    sender = dispatcher()
    send_everything(sender)
    subscriptions = rows(live_server.app, PushSubscription, user_id=user.user["id"])
    assert [s.endpoint for s in subscriptions] == [kept.endpoint]
    user.post("/api/v1/push/test")
    send_everything(sender)
    assert len(push_service.received(gone)) == 1 and len(push_service.delivered(kept)) == 2
    assert sender.totals["gone"] == 1


def test_a_gone_answer_removes_only_the_subscription_it_was_sent_to(user, live_server, make_user):
    """Match id and endpoint: the endpoint re-subscribed meanwhile (a new row) stays."""
    from tests.push.test_api import subscription

    body = subscription("https://fcm.googleapis.com/fcm/send/device-1")
    old_id = user.put("/api/v1/push/subscriptions", json=body).json()["id"]
    other = make_user()
    new_id = other.put("/api/v1/push/subscriptions", json=body).json()["id"]
    stale = Message(1, "token", old_id, body["endpoint"], body["keys"]["p256dh"], body["keys"]["auth"], b"{}",
                    utcnow() + timedelta(hours=1), 1, "normal", None)
    with live_server.app.app_context():
        dispatch.record_outcomes([Outcome(stale, 410)], utcnow())
        db.session.commit()
    assert [s.id for s in rows(live_server.app, PushSubscription, user_id=other.user["id"])] == [new_id]


@pytest.mark.parametrize("status", [400, 413])
def test_400_and_413_are_our_bug_logged_not_retried_subscription_kept(user, subscribe, push_service, dispatcher, live_server,
                                                                     caplog, status):
    device = subscribe(user)
    push_service.script(device, Reply(status))
    user.post("/api/v1/push/test")
    sender = dispatcher()
    send_everything(sender)
    [delivery] = deliveries(live_server.app, user)
    assert delivery.state == "failed" and delivery.last_status == status
    assert "bug on our side" in caplog.text
    sender.clock.advance(minutes=5)
    send_everything(sender)
    assert len(push_service.received(device)) == 1, "not retried"
    assert len(rows(live_server.app, PushSubscription, user_id=user.user["id"])) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_401_and_403_never_delete_the_subscription(user, subscribe, push_service, dispatcher, live_server, caplog, status):
    device = subscribe(user)
    push_service.script(device, Reply(status))
    user.post("/api/v1/push/test")
    send_everything(dispatcher())
    [delivery] = deliveries(live_server.app, user)
    assert delivery.state == "failed" and delivery.last_status == status
    assert "VAPID" in caplog.text
    assert len(rows(live_server.app, PushSubscription, user_id=user.user["id"])) == 1


def test_a_subscription_made_for_another_vapid_key_gets_a_real_403_and_is_kept(user, push_service, dispatcher, live_server):
    rotated = push_service.subscribe(application_server_key="B" + "A" * 86)  # made for a key we no longer hold
    assert user.put("/api/v1/push/subscriptions", json=rotated.to_json()).status_code == 201
    user.post("/api/v1/push/test")
    send_everything(dispatcher())
    [message] = push_service.received(rotated)
    assert message.status == 403 and "applicationServerKey" in message.problems[0]
    assert len(rows(live_server.app, PushSubscription, user_id=user.user["id"])) == 1


@pytest.mark.parametrize("retry_after", ["120", "date"])
def test_429_waits_for_retry_after(user, subscribe, push_service, dispatcher, live_server, clock, retry_after):
    device = subscribe(user)
    user.post("/api/v1/push/test")
    clock.now = utcnow()  # frozen from here: the wait below is read against it
    if retry_after == "date":
        retry_after = email.utils.format_datetime(clock.now + timedelta(seconds=120), usegmt=True)
    push_service.script(device, Reply(429, retry_after=retry_after))
    sender = dispatcher()
    send_everything(sender)
    [delivery] = deliveries(live_server.app, user)
    assert delivery.state == "queued" and 118 <= (delivery.not_before - clock.now).total_seconds() <= 121
    clock.advance(seconds=110)
    send_everything(sender)
    assert len(push_service.received(device)) == 1, "held back until Retry-After"
    clock.advance(seconds=11)
    send_everything(sender)
    assert len(push_service.delivered(device)) == 1


def test_a_retry_never_goes_past_expiry(user, subscribe, push_service, dispatcher, live_server, clock):
    device = subscribe(user)
    push_service.script(device, Reply(429, retry_after=3600))  # the test message lives 10 minutes
    user.post("/api/v1/push/test")
    sender = dispatcher()
    send_everything(sender)
    [delivery] = deliveries(live_server.app, user)
    assert delivery.state == "expired"
    clock.advance(hours=2)
    send_everything(sender)
    assert len(push_service.received(device)) == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_retries_with_backoff(user, subscribe, push_service, dispatcher, live_server, clock, status):
    device = subscribe(user)
    push_service.script(device, Reply(status), Reply(status))
    user.post("/api/v1/push/test")
    clock.now = utcnow()  # frozen from here: the waits below are read against it
    sender = dispatcher()
    waits = []
    for _ in range(2):
        send_everything(sender)
        [delivery] = deliveries(live_server.app, user)
        assert delivery.state == "queued"
        waits.append((delivery.not_before - clock.now).total_seconds())
        clock.now = delivery.not_before
    assert 8 <= waits[0] <= 12 and 16 <= waits[1] <= 24, "exponential: about 10 s, then 20 s"
    send_everything(sender)
    assert len(push_service.delivered(device)) == 1 and len(push_service.received(device)) == 3
    [sub] = rows(live_server.app, PushSubscription, user_id=user.user["id"])
    assert sub.consecutive_failures == 0


def test_a_service_that_hangs_times_out_and_is_retried(user, subscribe, push_service, dispatcher, live_server, clock):
    device = subscribe(user)
    push_service.script(device, Reply(hang=True))
    user.post("/api/v1/push/test")
    sender = dispatcher(timeout=(0.5, 0.5))
    started = time.monotonic()
    send_everything(sender)
    assert time.monotonic() - started < 5, "the read timeout bounds a hung request"
    [delivery] = deliveries(live_server.app, user)
    assert delivery.state == "queued" and delivery.last_status is None and "Timeout" in delivery.last_error
    push_service.release()
    clock.now = delivery.not_before
    send_everything(sender)
    assert len(push_service.delivered(device)) == 1


def test_an_expired_message_is_dropped_never_sent_late(user, subscribe, push_service, dispatcher, live_server, clock):
    device = subscribe(user)
    user.post("/api/v1/push/test")
    clock.advance(minutes=11)
    sender = dispatcher()
    send_everything(sender)
    sender.reap()
    assert push_service.received(device) == []
    assert [d.state for d in deliveries(live_server.app, user)] == ["expired"]


def test_the_reaper_returns_a_dead_senders_claims(user, subscribe, push_service, dispatcher, live_server, clock):
    device = subscribe(user)
    user.post("/api/v1/push/test")
    clock.now = utcnow()  # frozen: staleness is measured against it
    sender = dispatcher()
    claimed = sender._write(dispatch.claim_deliveries, clock.now, 10)  # claimed, then the process "dies"
    assert len(claimed) == 1
    assert send_everything(sender) == 0, "nobody else takes a live claim"
    clock.advance(seconds=dispatch.STALE_CLAIM.total_seconds() - 5)
    assert sender.reap() == 0
    clock.advance(seconds=10)
    assert sender.reap() == 1
    send_everything(sender)
    assert len(push_service.delivered(device)) == 1


def test_notify_user_queues_for_every_device_within_the_callers_transaction(make_user, subscribe, push_service, dispatcher, live_server):
    person = make_user()
    subscribe(person), subscribe(person)
    alert = {"title": "Red flag logged", "body": "Someone you care for logged weakness.", "tag": "alert-1",
             "url": "/#people", "kind": "alert", "occurrence_id": None, "actions": []}
    with live_server.app.app_context():
        assert service.notify_user(person.user["id"], alert, topic="redflag", ttl=3600) == 2
        db.session.rollback()  # the caller gave up: nothing was queued
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PushDelivery)) == 0
        assert service.notify_user(person.user["id"], alert, topic="redflag", ttl=3600) == 2
        db.session.commit()
        with pytest.raises(ValueError):
            service.notify_user(person.user["id"], {**alert, "body": "x" * 1100})
        with pytest.raises(ValueError):
            service.notify_user(person.user["id"], alert, topic="not a topic!")
        with pytest.raises(ValueError):
            service.notify_user(person.user["id"], alert, urgency="urgent")
    send_everything(dispatcher())
    delivered = push_service.delivered()
    assert len(delivered) == 2 and {m.urgency for m in delivered} == {"high"} and {m.topic for m in delivered} == {"redflag"}
    assert delivered[0].payload == alert


def test_https_push_services_are_verified_then_used_over_kept_connections(tmp_path, live_server):
    from server.push.sender import PushSender
    from tests.support.push_service import self_signed_certificate

    certificate = self_signed_certificate(tmp_path)
    vapid = live_server.app.extensions["twitchlog_vapid"]
    with PushService(certificate=certificate) as secure:
        device = secure.subscribe(application_server_key=vapid.public_key)
        assert secure.url.startswith("https://localhost:")

        def message(n: int) -> Message:
            return Message(n, "token", "sub", device.endpoint, device.p256dh, device.auth, b'{"kind":"test","n":%d}' % n,
                           utcnow() + timedelta(minutes=5), 1, "normal", None)

        untrusting = PushSender(vapid, concurrency=2, allow_local=True)  # the public CAs: a self-signed service is refused
        refused = untrusting.send(message(0))
        untrusting.close()
        assert refused.status is None and "certificate" in refused.error.lower() and secure.received() == []
        trusting = PushSender(vapid, concurrency=2, ca_file=certificate[0], allow_local=True)
        outcomes = list(trusting.send_all([message(n) for n in range(1, 7)]))
        trusting.close()
        assert {o.status for o in outcomes} == {201}
        assert sorted(m.payload["n"] for m in secure.delivered(device)) == [1, 2, 3, 4, 5, 6]
        assert {m.claims["aud"] for m in secure.delivered()} == {secure.url} and secure.problems() == []
        assert secure.connections <= 3, "one kept connection per sending thread (plus the refused one)"
