"""§12, abuse kept out of push: where we send (SSRF), how much one account can ask for, and that
one account's flood never holds back another person's prompt or a caregiver's alert."""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.config import ConfigError
from server.extensions import db
from server.instants import utcnow
from server.push import service
from server.push.endpoints import EndpointRefused, check_endpoint, is_public, parse_hosts, pinned, resolve, send_target
from server.push.models import PushDelivery, PushSubscription, ReminderOccurrence
from server.push.sender import Message, PushSender
from tests.push.conftest import rows
from tests.push.test_api import subscription
from tests.push.test_reminders import evening_soon
from tests.support.bad_input import PUSH_ENDPOINT, assert_envelope
from tests.support.push_service import PushService, Reply

# What real browsers get from their push services (shapes copied from each service's docs).
REAL_ENDPOINTS = [
    "https://fcm.googleapis.com/fcm/send/dGhpcyBpcyBub3QgYSByZWFsIHRva2Vu:APA91bH",
    "https://fcm.googleapis.com:443/wp/cHVzaA",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAD",
    "https://web.push.apple.com/QGWv3vZ6ZlwlBD1OTj",
]


# --- at subscribe time ----------------------------------------------------------------------

@pytest.mark.parametrize("label, endpoint", PUSH_ENDPOINT, ids=[label for label, _ in PUSH_ENDPOINT])
def test_every_odd_endpoint_is_refused_at_subscribe_time(user, live_server, label, endpoint):
    """The test app allows local push, so even then only exact local http forms get through."""
    assert live_server.app.config["TWITCHLOG"].allow_local_push
    body = assert_envelope(user.put("/api/v1/push/subscriptions", json=subscription(endpoint)), 400)
    assert "endpoint" in body["errors"]
    assert rows(live_server.app, PushSubscription, user_id=user.user["id"]) == []


@pytest.mark.parametrize("endpoint", REAL_ENDPOINTS)
def test_real_push_service_endpoints_are_accepted(user, endpoint):
    response = user.put("/api/v1/push/subscriptions", json=subscription(endpoint))
    assert response.status_code == 201, response.text


def test_the_allowlist_is_a_setting_matched_at_a_dot_boundary(make_app):
    from tests.support.api import ApiClient

    server = make_app(push_hosts=parse_hosts(" Push.Example.org , .notify.windows.com"), allow_local_push=False)
    api = ApiClient(server.url)
    api.register()
    for endpoint, expected in [("https://push.example.org/a", 201), ("https://eu.push.example.org/b", 201),
                               ("https://fcm.googleapis.com/fcm/send/c", 400), ("https://evilpush.example.org/d", 400),
                               ("https://db5p.notify.windows.com/w/?token=e", 201), ("http://127.0.0.1:9/push/f", 400)]:
        response = api.put("/api/v1/push/subscriptions", json=subscription(endpoint))
        assert response.status_code == expected, (endpoint, response.text)


def test_a_malformed_push_hosts_setting_stops_start_up(monkeypatch):
    from server.config import Settings

    assert parse_hosts(None) == parse_hosts("  ") == ("fcm.googleapis.com", "push.services.mozilla.com",
                                                      "notify.windows.com", "push.apple.com")
    for value in ("127.0.0.1", "push.example.org/x", "*.example.org", ","):
        monkeypatch.setenv("TWITCHLOG_PUSH_HOSTS", value)
        with pytest.raises(ConfigError, match="TWITCHLOG_PUSH_HOSTS"):
            Settings.from_environment()


def test_production_refuses_to_start_with_local_push(tmp_path, database_url):
    from tests.conftest import build_app, make_settings

    with pytest.raises(ConfigError, match="TWITCHLOG_ALLOW_LOCAL_PUSH"):
        build_app(make_settings(tmp_path, database_url, env="production", allow_local_push=True), migrate=False)
    build_app(make_settings(tmp_path, database_url, env="production", allow_local_push=False), migrate=False)


def test_the_endpoint_rules_in_one_table():
    hosts = parse_hosts(None)
    assert check_endpoint("https://fcm.googleapis.com:443/x", hosts).origin == "https://fcm.googleapis.com"
    assert check_endpoint("http://localhost:8080/push/a", hosts, allow_local=True).origin == "http://localhost:8080"
    for _, endpoint in PUSH_ENDPOINT:
        with pytest.raises(EndpointRefused):
            check_endpoint(endpoint, hosts, allow_local=True)
    with pytest.raises(EndpointRefused):
        check_endpoint("https://xn--80ak6aa92e.fcm.googleapis.com/x", hosts)
    with pytest.raises(EndpointRefused):
        check_endpoint("http://127.0.0.1:65536/x", hosts, allow_local=True)


# --- at send time ---------------------------------------------------------------------------

ADDRESSES = [("8.8.8.8", True), ("2001:4860:4860::8888", True), ("127.0.0.1", False), ("10.1.2.3", False),
             ("172.16.0.1", False), ("192.168.1.1", False), ("169.254.169.254", False), ("100.64.0.1", False),
             ("0.0.0.0", False), ("255.255.255.255", False), ("224.0.0.1", False), ("::1", False), ("fe80::1", False),
             ("fc00::1", False), ("::ffff:127.0.0.1", False), ("::ffff:8.8.8.8", False), ("64:ff9b::7f00:1", False),
             ("2002:7f00:1::", False), ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False)]


@pytest.mark.parametrize("address, public", ADDRESSES, ids=[a for a, _ in ADDRESSES])
def test_only_global_unicast_addresses_count_as_public(address, public):
    assert is_public(ipaddress.ip_address(address)) is public


def test_every_resolved_address_must_be_public_and_the_connection_is_pinned_to_them():
    target = send_target("https://fcm.googleapis.com/fcm/send/x", parse_hosts(None), allow_local=False)

    def answers(*addresses):
        return lambda host, port, type: [(socket.AF_INET6 if ":" in a else socket.AF_INET, type, 6, "", (a, port))
                                         for a in addresses]

    assert resolve(target, answers("142.250.0.95", "2a00:1450::5f")) == ["142.250.0.95", "2a00:1450::5f"]
    assert pinned(target, ["142.250.0.95", "2a00:1450::5f"]) == [
        "-fcm.googleapis.com:443", "fcm.googleapis.com:443:142.250.0.95,[2a00:1450::5f]"]
    for mixed in (("142.250.0.95", "10.0.0.7"), ("::ffff:127.0.0.1",), ("142.250.0.95", "fe80::1%eth0")):
        with pytest.raises(EndpointRefused, match="not a public address"):
            resolve(target, answers(*mixed))


@pytest.fixture
def port_443():
    """A TCP listener on 127.0.0.1:443 that counts connections: the place a send to a name
    resolving to 127.0.0.1 would land if nothing stopped it."""
    try:
        listener = socket.create_server(("127.0.0.1", 443), reuse_port=False)
    except OSError:
        pytest.skip("127.0.0.1:443 cannot be bound here (not root, or in use)")
    accepted = []

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)

    threading.Thread(target=serve, daemon=True).start()
    yield accepted
    listener.close()
    for conn in accepted:
        conn.close()


def test_a_name_that_resolves_to_loopback_is_refused_at_send_time(make_app, make_user, port_443, clock, caplog):
    """Allowed by the allowlist (an operator's mistake, or DNS that changed after the check):
    `localhost` resolves to 127.0.0.1 through the system's real resolver. Nothing is sent, the
    message fails for good, the refusal is logged and counted, and the subscription stays."""
    from server.push.worker import Dispatcher

    server = make_app(push_hosts=("localhost",), allow_local_push=False)
    person = make_user()
    with server.app.app_context():
        row, _ = service.save_subscription(person.user["id"], "https://localhost/push/rebound", subscription()["keys"]["p256dh"],
                                           subscription()["keys"]["auth"], None, server.app.extensions["twitchlog_vapid"].public_key)
        db.session.commit()
        assert service.send_test(person.user["id"]) == 1
        db.session.commit()
    sender = Dispatcher(server.app, clock=clock, timeout=(2.0, 2.0))
    try:
        assert sender.send_batch() == 1
    finally:
        sender.sender.close()
    [delivery] = rows(server.app, PushDelivery, user_id=person.user["id"])
    assert delivery.state == "failed" and delivery.last_status is None
    assert delivery.last_error.startswith("refused") and "127.0.0.1" in delivery.last_error
    assert sender.totals["refused"] == 1 and sender.totals["sent"] == 0
    assert "refused before sending" in caplog.text
    [kept] = rows(server.app, PushSubscription, user_id=person.user["id"])
    assert kept.consecutive_failures == 1
    time.sleep(0.2)
    assert port_443 == [], "no connection was made to the loopback address"


def test_stored_endpoints_are_checked_again_before_sending(live_server, push_service):
    """A subscription saved before the allowlist changed (or written around the API) is not sent to."""
    vapid = live_server.app.extensions["twitchlog_vapid"]
    device = push_service.subscribe(application_server_key=vapid.public_key)
    strict = PushSender(vapid, concurrency=2, allow_local=False)

    def message(endpoint: str) -> Message:
        return Message(1, "t", "s", endpoint, device.p256dh, device.auth, b"{}", utcnow() + timedelta(minutes=5), 1, "normal", None)

    try:
        for endpoint in (device.endpoint, "https://push.example.com/x", "https://fcm.googleapis.com:8443/x"):
            outcome = strict.send(message(endpoint))
            assert outcome.refused and outcome.status is None, endpoint
    finally:
        strict.close()
    assert push_service.received() == []


# --- how much one account can ask for -----------------------------------------------------------

def test_a_user_keeps_at_most_ten_subscriptions_the_least_recently_seen_go(user, subscribe, push_service, live_server):
    devices = [subscribe(user) for _ in range(10)]
    with live_server.app.app_context():  # seen at distinct instants, oldest first, whatever the clock's resolution
        for n, device in enumerate(devices):
            db.session.execute(sa.update(PushSubscription).where(PushSubscription.endpoint == device.endpoint)
                               .values(last_seen_at=utcnow() - timedelta(hours=20 - n)))
        db.session.commit()
    assert user.put("/api/v1/push/subscriptions", json=devices[0].to_json()).status_code == 200  # the first is seen again
    user.post("/api/v1/push/test")
    newest = subscribe(user)
    kept = {s.endpoint for s in rows(live_server.app, PushSubscription, user_id=user.user["id"])}
    assert len(kept) == 10
    assert devices[1].endpoint not in kept, "the least recently seen made room"
    assert {devices[0].endpoint, newest.endpoint} <= kept
    queued = rows(live_server.app, PushDelivery, user_id=user.user["id"])
    assert len(queued) == 9, "the removed device's queued message went with it"


def test_push_test_is_limited_per_user(make_app):
    from tests.support.api import ApiClient

    server = make_app(push_test_limit="2/hour")
    first, second = ApiClient(server.url), ApiClient(server.url)
    first.register(), second.register()
    assert [first.post("/api/v1/push/test").status_code for _ in range(2)] == [202, 202]
    refused = first.post("/api/v1/push/test")
    assert_envelope(refused, 429)
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert second.post("/api/v1/push/test").status_code == 202, "the limit is per user, not per address"


# --- one flood does not hold back anyone else -----------------------------------------------------

def test_one_push_service_that_hangs_cannot_take_every_send_slot(live_server):
    """Per-origin cap: with one service hanging, a message to another service goes at once."""
    vapid = live_server.app.extensions["twitchlog_vapid"]
    with PushService() as stuck, PushService() as healthy:
        stuck.hang_all()
        hanging = stuck.subscribe(application_server_key=vapid.public_key)
        fine = healthy.subscribe(application_server_key=vapid.public_key)

        def message(n, device) -> Message:
            return Message(n, "t", "s", device.endpoint, device.p256dh, device.auth, b'{"n": %d}' % n,
                           utcnow() + timedelta(minutes=5), 1, "normal", None)

        sender = PushSender(vapid, concurrency=4, per_origin=2, allow_local=True, timeout=(3.0, 3.0))
        started = time.monotonic()
        sending = sender.send_all([*(message(n, hanging) for n in range(8)), message(99, fine)])
        first = next(sending)
        waited = time.monotonic() - started
        sending.close()
        sender.close()
        stuck.release()
        assert first.message.delivery_id == 99 and first.status == 201
        assert waited < 2.0, f"the healthy service waited {waited:.1f} s behind the hanging one"
        assert len(stuck.received()) <= 2, "no more than per_origin sends went to the hanging service"


@pytest.mark.parametrize("flood_kind", ["alert", "test"])
def test_a_thousand_stuck_deliveries_do_not_delay_another_persons_prompt_or_alert(
        make_user, subscribe, push_service, dispatcher, clock, live_server, flood_kind):
    """One account's ten devices have 1,000 messages waiting, and each request to them hangs until
    the send timeout. Another person's evening prompt (due now, allowed 20 s before it expires)
    and a caregiver's red-flag alert still arrive within seconds, on the same push service."""
    flooder, person, caregiver = make_user(), make_user(), make_user()
    stuck = [subscribe(flooder) for _ in range(10)]
    for device in stuck:
        push_service.script(device, *[Reply(hang=True)] * 100)
    phone, carer_phone = subscribe(person), subscribe(caregiver)
    due = evening_soon(person, quiet=None)
    with live_server.app.app_context():
        for n in range(100):
            queued = service.notify_user(flooder.user["id"], {"title": "Flood", "body": str(n), "tag": f"f{n}", "url": "/",
                                                             "kind": flood_kind, "occurrence_id": None, "actions": []},
                                         ttl=3600, now=due - timedelta(minutes=1))
            assert queued == 10
        db.session.commit()
    clock.advance(seconds=(due - utcnow()).total_seconds())  # time runs on from the prompt's minute
    sender = dispatcher()  # 16 in flight, 2 s connect + 2 s read timeouts
    sender.plan()
    with live_server.app.app_context():
        [occurrence_id] = db.session.scalars(sa.select(ReminderOccurrence.id).where(ReminderOccurrence.user_id == person.user["id"])).all()
        expires = clock.now + timedelta(seconds=20)
        db.session.execute(sa.update(PushDelivery).where(PushDelivery.occurrence_id == occurrence_id).values(expires_at=expires))
        db.session.execute(sa.update(ReminderOccurrence).where(ReminderOccurrence.id == occurrence_id).values(expires_at=expires))
        service.notify_user(caregiver.user["id"], {"title": "Red flag logged", "body": "Someone you care for logged weakness.",
                                                   "tag": "alert-1", "url": "/#/people", "kind": "alert", "occurrence_id": None,
                                                   "actions": []}, topic="redflag", ttl=20, now=clock.now)
        db.session.commit()
    queued = rows(live_server.app, PushDelivery, state="queued")
    assert len(queued) == 1002
    stop = threading.Event()
    thread = threading.Thread(target=sender.run, args=(stop,), daemon=True)
    started = time.monotonic()
    thread.start()
    try:
        arrived = push_service.wait_for(lambda: push_service.delivered(phone) and push_service.delivered(carer_phone), timeout=20)
        waited = time.monotonic() - started
    finally:
        stop.set()
        push_service.release()
        thread.join(timeout=60)
    assert arrived, "the prompt or the alert waited behind the flood past its expiry"
    assert waited < 10, f"they arrived after {waited:.1f} s"
    [prompt] = push_service.delivered(phone)
    assert prompt.payload["occurrence_id"] == occurrence_id and prompt.topic == "evening"
    assert push_service.delivered(carer_phone)[0].payload["tag"] == "alert-1"
    mine = rows(live_server.app, PushDelivery, user_id=person.user["id"])
    assert [d.state for d in mine] == ["sent"] and mine[0].sent_at < expires
