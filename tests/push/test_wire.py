"""The sender's HTTP/1.1 exchange (libcurl through pycurl) against a raw server scripted byte by byte: the
answers real push services and proxies give, and the ones they should not."""
from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest

from server.instants import utcnow
from server.push.sender import Connections, Message, PushSender


class RawServer:
    """Answers each request on 127.0.0.1 with the next scripted bytes; records the requests.
    `close` after an answer closes that connection; None as an answer closes without one."""

    def __init__(self, answers: list):
        self.answers = list(answers)
        self.requests: list[bytes] = []
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn):
        reader = conn.makefile("rb")
        with conn:
            while self.answers:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = reader.readline()
                    if not line:
                        return
                    head += line
                length = next((int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")), 0)
                self.requests.append(head + reader.read(length))
                answer = self.answers.pop(0)
                if answer is None:
                    return
                data, close = answer if isinstance(answer, tuple) else (answer, False)
                conn.sendall(data)
                if close:
                    return

    def stop(self):
        self.listener.close()


@pytest.fixture
def raw():
    servers = []

    def factory(*answers) -> RawServer:
        servers.append(RawServer(list(answers)))
        return servers[-1]

    yield factory
    for server in servers:
        server.stop()


def post(connections: Connections, server: RawServer, body: bytes = b"x" * 10):
    return connections.post(server.url, "/push/a", body, {"TTL": "60", "Urgency": "normal"}, plain_http=True)


def connections() -> Connections:
    return Connections((2.0, 2.0))


CREATED = b"HTTP/1.1 201 Created\r\nLocation: /m/1\r\nContent-Length: 0\r\n\r\n"


def test_one_connection_carries_many_pushes_and_the_request_is_well_formed(raw):
    server = raw(CREATED, CREATED, CREATED)
    wires = connections()
    assert [post(wires, server)[0] for _ in range(3)] == [201, 201, 201]
    assert server.connections == 1
    request = server.requests[0]
    assert request.startswith(b"POST /push/a HTTP/1.1\r\nHost: 127.0.0.1:")
    head, _, body = request.partition(b"\r\n\r\n")
    assert body == b"x" * 10
    assert b"\r\nContent-Length: 10" in head and b"\r\nTTL: 60" in head and b"\r\nUrgency: normal" in head
    wires.close()


@pytest.mark.parametrize("answer, status, retry_after, body", [
    (b"HTTP/1.1 429 Too Many\r\nRetry-After: 30\r\nContent-Length: 4\r\n\r\nslow", 429, "30", b"slow"),
    (b"HTTP/1.1 410 Gone\r\nTransfer-Encoding: chunked\r\n\r\n4\r\ngone\r\n3;x=y\r\n!!!\r\n0\r\nTrailer: 1\r\n\r\n", 410, None, b"gone!!!"),
    (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", 201, None, b"ok"),
    (b"HTTP/1.1 204 No Content\r\n\r\n", 204, None, b""),
])
def test_answers_with_lengths_chunks_and_interim_lines_are_read_exactly(raw, answer, status, retry_after, body):
    server = raw(answer, CREATED)
    wires = connections()
    assert post(wires, server) == (status, retry_after, body)
    assert post(wires, server)[0] == 201 and server.connections == 1, "the connection is still in step"
    wires.close()


@pytest.mark.parametrize("answer", [
    (b"HTTP/1.1 201 Created\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", True),
    (b"HTTP/1.0 201 Created\r\nContent-Length: 0\r\n\r\n", True),
    (b"HTTP/1.1 500 Oops\r\n\r\nno length, ends with the connection", True),
])
def test_a_connection_the_service_closes_is_not_reused(raw, answer):
    server = raw(answer, CREATED)
    wires = connections()
    assert post(wires, server)[0] in (201, 500)
    assert post(wires, server)[0] == 201 and server.connections == 2
    wires.close()


def test_a_kept_connection_closed_meanwhile_is_retried_once_on_a_fresh_one(raw):
    server = raw(CREATED, None, CREATED)  # the second request finds the old connection dead
    wires = connections()
    assert post(wires, server)[0] == 201
    assert post(wires, server)[0] == 201
    assert server.connections == 2 and len(server.requests) == 3
    wires.close()


def test_a_fresh_connection_that_fails_is_not_retried(raw):
    server = raw(None)
    with pytest.raises(ConnectionResetError):
        post(connections(), server)
    assert len(server.requests) == 1


@pytest.mark.parametrize("answer", [b"SMTP ready\r\n\r\n", b"HTTP/1.1 abc Nope\r\n\r\n",
                                    b"HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n"])
def test_a_malformed_answer_fails_that_push_only(raw, answer):
    server = raw(answer, CREATED)
    wires = connections()
    with pytest.raises(ValueError):
        post(wires, server)
    assert post(wires, server)[0] == 201 and server.connections == 2
    wires.close()


def test_an_endpoint_that_could_inject_request_lines_is_never_sent(raw, live_server):
    server = raw(CREATED)
    sender = PushSender(live_server.app.extensions["twitchlog_vapid"], allow_local=True, concurrency=1)
    endpoint = server.url + "/push/a\r\nX-Injected: 1"
    p256dh = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
    outcome = sender.send(Message(1, "t", "s", endpoint, p256dh, "tBHItJI5svbpez7KI4CCXg", b"{}",
                                  utcnow() + timedelta(minutes=5), 1, "normal", None))
    sender.close()
    assert outcome.refused and outcome.status is None and server.requests == []


@pytest.mark.parametrize("endpoint", ["https://fcm.googleapis.com/a b", "https://fcm.googleapis.com/a\r\nX: 1",
                                      "https://fcm.googleapis.com/\u00e9", "https://fcm.googleapis.com/a\tb"])
def test_endpoints_with_spaces_or_control_characters_are_refused(user, endpoint):
    from tests.push.test_api import subscription

    response = user.put("/api/v1/push/subscriptions", json=subscription(endpoint))
    assert response.status_code == 400 and "endpoint" in response.json()["errors"]


P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"


def message_to(endpoint: str, n: int, expires_at=None) -> Message:
    return Message(n, "t", "s", endpoint, P256DH, "tBHItJI5svbpez7KI4CCXg", b"{}",
                   expires_at or utcnow() + timedelta(minutes=5), 1, "normal", None)


def test_a_message_that_cannot_be_prepared_fails_alone_and_the_others_go(raw, live_server):
    server = raw(CREATED, CREATED)
    sender = PushSender(live_server.app.extensions["twitchlog_vapid"], allow_local=True, concurrency=4)
    broken = message_to(server.url + "/push/a", 2, expires_at="not a time")  # a bug upstream, say
    outcomes = {o.message.delivery_id: o for o in sender.send_all(
        [message_to(server.url + "/push/a", 1), broken, message_to(server.url + "/push/a", 3)])}
    sender.close()
    assert outcomes[2].status is None and "TypeError" in outcomes[2].error
    assert outcomes[1].status == outcomes[3].status == 201 and len(server.requests) == 2


def test_messages_in_flight_when_the_caller_stops_are_abandoned_not_sent_later(live_server):
    from tests.support.push_service import PushService, Reply

    with PushService() as service:
        device = service.subscribe()

        def message(n: int) -> Message:
            return Message(n, "t", "s", device.endpoint, device.p256dh, device.auth, b'{"n": %d}' % n,
                           utcnow() + timedelta(minutes=5), 1, "normal", None)

        sender = PushSender(live_server.app.extensions["twitchlog_vapid"], allow_local=True, concurrency=3, per_origin=3,
                            timeout=(2.0, 2.0))
        service.hang_all()
        service.script(device, Reply(201))  # whichever arrives first is answered; the other two hang
        sending = sender.send_all([message(n) for n in range(1, 4)])
        first = next(sending)
        sending.close()  # the caller stops (the dispatcher was told to stop, say)
        assert first.status == 201 and sender._connections.running == 0
        service.release()
        assert sender.send(message(4)).status == 201, "the sender is still usable"
        sender.close()
        assert len(service.received()) == 4 and service.problems() == []
