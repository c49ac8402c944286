"""A Web Push service stand-in on 127.0.0.1 that checks every request as a real one would.

    with PushService() as push:
        device = push.subscribe()                    # a browser's subscription: keys made here
        api.put("/api/v1/push/subscriptions", json=device.to_json())
        ... run the dispatcher ...
        assert push.wait_for(lambda: push.delivered(device))
        message = push.delivered(device)[0]          # .payload is the decrypted JSON
        assert message.ttl > 0 and message.topic == "evening" and not push.problems()

What it checks (RFC 8030/8291/8292), answering as push services do when a check fails:
`Authorization: vapid t=<jwt>,k=<key>` with an ES256 signature by k, `aud` = the endpoint's
origin, `exp` in the future and within 24 h, `sub` a mailto: or https: URL (else 401; 403 when
k is not the key the subscription was made with); `TTL` a whole number, `Urgency` one of the four
values, `Topic` (if any) at most 32 base64url characters, `Content-Encoding: aes128gcm`, and a
body that decrypts with the subscription's keys (else 400); a body over 4096 bytes (413). An
unknown endpoint is 404.

Scripted answers: `push.script(device, Reply(429, retry_after=30), Reply(500))` answers the next
requests of that device so (then 201 again); `push.answer_all(Reply(410))` changes the default;
`Reply(hang=True)` holds the request open until `push.release()` or stop.

Out of process (benchmarks): `python -m tests.support.push_service --subscriptions 100` prints one
JSON line {"url", "subscriptions": [...]} and serves until killed; GET /_stats gives counts.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import re
import ssl
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

MAX_BODY = 4096
URGENCIES = {"very-low", "low", "normal", "high"}
TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MAX_EXP = 24 * 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscription:
    """What PushManager.subscribe() gives a page: an endpoint here and the browser's keys."""

    name: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    application_server_key: str | None = None  # the VAPID key it was made with; None: any key

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def to_json(self) -> dict:
        """PushSubscription.toJSON(), as the PWA sends it to PUT /api/v1/push/subscriptions."""
        return {"endpoint": self.endpoint, "expirationTime": None, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


@dataclass
class Reply:
    status: int = 201
    retry_after: int | str | None = None
    hang: bool = False
    headers: dict = field(default_factory=dict)


@dataclass
class Received:
    """One request as the stand-in saw it."""

    subscription: str
    status: int  # what was answered; 0 while a hung request is held
    headers: dict
    claims: dict | None = None
    payload: dict | None = None  # the decrypted JSON
    problems: list = field(default_factory=list)
    at: float = 0.0

    @property
    def ttl(self) -> int | None:
        value = self.headers.get("ttl")
        return int(value) if value is not None and value.isdigit() else None

    @property
    def urgency(self) -> str | None:
        return self.headers.get("urgency")

    @property
    def topic(self) -> str | None:
        return self.headers.get("topic")

    @property
    def delivered(self) -> bool:
        return 200 <= self.status < 300


class PushService:
    """`certificate=(certfile, keyfile)` serves HTTPS as https://localhost:<port> (see
    self_signed_certificate); by default plain HTTP on 127.0.0.1."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, certificate: tuple[str, str] | None = None):
        self._lock = threading.Condition()
        self._subscriptions: dict[str, Subscription] = {}
        self._scripts: dict[str, list[Reply]] = {}
        self._default = Reply(201)
        self._received: list[Received] = []
        self._released = threading.Event()
        self._released.set()
        self._verified: dict[tuple[str, str], dict] = {}  # (jwt, k) -> claims whose signature checked out
        self.connections = 0  # TCP connections accepted: kept-alive senders open few
        self._server = _Server((host, port), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://{host}:{self._server.server_port}"
        if certificate:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self.url = f"https://localhost:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="push-service", daemon=True)
        self._thread.start()

    # --- arranging ---------------------------------------------------------------------------

    def subscribe(self, name: str | None = None, application_server_key: str | None = None) -> Subscription:
        name = name or uuid.uuid4().hex
        subscription = Subscription(name, f"{self.url}/push/{name}", ec.generate_private_key(ec.SECP256R1()),
                                    os.urandom(16), application_server_key)
        with self._lock:
            self._subscriptions[name] = subscription
        return subscription

    def forget(self, subscription: Subscription | str) -> None:
        """The browser unsubscribed: its endpoint now answers 404 (as a real service would 410)."""
        with self._lock:
            self._subscriptions.pop(_name(subscription), None)

    def script(self, subscription: Subscription | str, *replies: Reply) -> None:
        if any(reply.hang for reply in replies):
            self._released.clear()
        with self._lock:
            self._scripts.setdefault(_name(subscription), []).extend(replies)

    def answer_all(self, reply: Reply) -> None:
        with self._lock:
            self._default = reply

    def hang_all(self) -> None:
        """Hold every request from now on until release()."""
        self._released.clear()
        self.answer_all(Reply(hang=True))

    def release(self, then: Reply | None = None) -> None:
        """Let held requests go (they get a 503) and answer `then` (201) from now on."""
        self.answer_all(then or Reply(201))
        self._released.set()

    # --- looking -----------------------------------------------------------------------------

    def received(self, subscription: Subscription | str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self._received if subscription is None or r.subscription == _name(subscription)]

    def delivered(self, subscription: Subscription | str | None = None) -> list[Received]:
        return [r for r in self.received(subscription) if r.delivered]

    def problems(self) -> list[Received]:
        return [r for r in self.received() if r.problems]

    def wait_for(self, condition, timeout: float = 10.0) -> bool:
        """Wait until condition() is true (re-checked on every request); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                self._lock.release()
                try:
                    done = condition()
                finally:
                    self._lock.acquire()
                if done:
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(min(left, 0.5))

    def stats(self) -> dict:
        with self._lock:
            delivered = sum(1 for r in self._received if r.delivered)
            return {"received": len(self._received), "delivered": delivered,
                    "problems": sum(1 for r in self._received if r.problems), "cpu_seconds": time.process_time()}

    def stop(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "PushService":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- serving -----------------------------------------------------------------------------

    def _answer(self, name: str, headers: dict, body: bytes) -> tuple[Received, Reply]:
        with self._lock:
            subscription = self._subscriptions.get(name)
        record = Received(name, 0, headers, at=time.monotonic())
        if subscription is None:
            record.problems.append("no such subscription")
            return record, Reply(404)
        status = self._check(subscription, headers, body, record)
        if status is not None:
            return record, Reply(status)
        with self._lock:
            queue = self._scripts.get(name)
            reply = queue.pop(0) if queue else self._default
        return record, reply

    def _check(self, subscription: Subscription, headers: dict, body: bytes, record: Received) -> int | None:
        """The first failing check's status, or None when the request is sound."""
        if len(body) > MAX_BODY:
            record.problems.append(f"body of {len(body)} bytes is over {MAX_BODY}")
            return 413
        problem, status = self._check_vapid(subscription, headers, record)
        if problem:
            record.problems.append(problem)
            return status
        ttl, urgency, topic = headers.get("ttl"), headers.get("urgency"), headers.get("topic")
        if ttl is None or not ttl.isdigit():
            record.problems.append(f"TTL missing or not a whole number: {ttl!r}")
        if urgency not in URGENCIES:
            record.problems.append(f"Urgency missing or unknown: {urgency!r}")
        if topic is not None and not TOPIC.match(topic):
            record.problems.append(f"Topic not 1-32 base64url characters: {topic!r}")
        if headers.get("content-encoding") != "aes128gcm":
            record.problems.append(f"Content-Encoding is {headers.get('content-encoding')!r}, not aes128gcm")
        else:
            try:
                plain = http_ece.decrypt(body, private_key=subscription.private_key, auth_secret=subscription.auth_secret,
                                         version="aes128gcm")
                record.payload = json.loads(plain)
            except Exception as error:  # any failure to decrypt or parse is the sender's fault
                record.problems.append(f"body does not decrypt to JSON: {type(error).__name__}: {error}")
        return 400 if record.problems else None

    def _check_vapid(self, subscription: Subscription, headers: dict, record: Received) -> tuple[str | None, int]:
        match = re.fullmatch(r"vapid\s+t=([^,\s]+)\s*,\s*k=([A-Za-z0-9_-]+)", headers.get("authorization", "").strip())
        if not match:
            return f"Authorization is not 'vapid t=...,k=...': {headers.get('authorization')!r}", 401
        token, key = match.groups()
        if subscription.application_server_key and key != subscription.application_server_key:
            return "k is not the applicationServerKey the subscription was made with", 403
        claims = self._verified.get((token, key))
        if claims is None:
            try:
                head, body, signature = token.split(".")
                header = json.loads(b64url_decode(head))
                claims = json.loads(b64url_decode(body))
                raw = b64url_decode(signature)
                public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
                if header.get("alg") != "ES256" or len(raw) != 64:
                    return f"JWT header {header} is not ES256 or the signature is not 64 bytes", 401
                der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
                public.verify(der, f"{head}.{body}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
            except InvalidSignature:
                return "the JWT signature does not verify with k", 401
            except (ValueError, TypeError, json.JSONDecodeError) as error:
                return f"the JWT cannot be read: {error}", 401
            self._verified[(token, key)] = claims
        record.claims = claims
        if claims.get("aud") != self.url:
            return f"aud {claims.get('aud')!r} is not the endpoint origin {self.url!r}", 401
        exp = claims.get("exp")
        now = time.time()
        if not isinstance(exp, int) or not (now < exp <= now + MAX_EXP):
            return f"exp {exp!r} is not in the next 24 hours", 401
        sub = claims.get("sub")
        if not isinstance(sub, str) or not (sub.startswith("mailto:") or sub.startswith("https:")):
            return f"sub {sub!r} is not a mailto: or https: URL", 401
        return None, 0


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # many senders connect at once; the default backlog of 5 resets some
    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a sender that died or timed out: expected
            super().handle_error(request, client_address)


def self_signed_certificate(directory) -> tuple[str, str]:
    """A certificate for localhost and 127.0.0.1 and its key, as files in `directory`."""
    import datetime
    import ipaddress
    from pathlib import Path

    from cryptography import x509
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = Path(directory) / "push-service.pem", Path(directory) / "push-service.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def _name(subscription: Subscription | str) -> str:
    return subscription.name if isinstance(subscription, Subscription) else subscription


def _handler(service: PushService):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as push services offer
        disable_nagle_algorithm = True
        wbufsize = 65536  # an answer goes out in one write when handle_one_request flushes

        def log_message(self, *args) -> None:
            pass

        def setup(self) -> None:
            super().setup()
            with service._lock:
                service.connections += 1

        def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
            try:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, str(value))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def do_GET(self) -> None:
            if self.path == "/_stats":
                self._send(200, json.dumps(service.stats()).encode(), {"Content-Type": "application/json"})
            else:
                self._send(404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if len(body) < length:  # the sender went away mid-request (killed): nothing was delivered
                self.close_connection = True
                return
            path = urlsplit(self.path).path
            if not path.startswith("/push/"):
                self._send(404)
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            record, reply = service._answer(path[len("/push/"):], headers, body)
            if reply.hang:
                with service._lock:
                    service._received.append(record)
                    service._lock.notify_all()
                service._released.wait()
                self.close_connection = True
                self._send(503)
                return
            extra = dict(reply.headers)
            if reply.retry_after is not None:
                extra["Retry-After"] = reply.retry_after
            if 200 <= reply.status < 300:
                extra.setdefault("Location", f"{service.url}/message/{uuid.uuid4().hex}")
            with service._lock:
                record.status = reply.status
                service._received.append(record)
                service._lock.notify_all()
            self._send(reply.status, json.dumps({"problems": record.problems}).encode() if record.problems else b"", extra)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--subscriptions", type=int, default=1)
    args = parser.parse_args()
    service = PushService(port=args.port)
    subscriptions = [service.subscribe(f"s{i}").to_json() for i in range(args.subscriptions)]
    sys.stdout.write(json.dumps({"url": service.url, "subscriptions": subscriptions}) + "\n")
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        service.stop()


if __name__ == "__main__":
    main()
