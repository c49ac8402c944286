"""Sending to push services: the one door to them (RFC 8030 delivery, RFC 8291 encryption).

Speed comes from doing each costly thing once: the VAPID JWT is signed once per push-service
origin (see vapid.Vapid.authorization), each sending thread keeps one HTTP/1.1 connection per
origin open (http.client; requests cost 0.4 ms a message more here), encryption is one ECDH and a few HMACs, and a batch
goes out on a thread pool.
This module decides nothing about what an answer means; dispatch.record_outcomes does.
"""
from __future__ import annotations

import email.utils
import functools
import hmac
import http.client
import itertools
import logging
import os
import queue
import re
import socket
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Iterator
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..instants import utcnow
from .vapid import Vapid, b64url_decode, public_point

log = logging.getLogger(__name__)
RECORD_SIZE = 4096
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0


@dataclass(frozen=True)
class Message:
    """One claimed delivery, with what it takes to send it."""

    delivery_id: int
    claim_token: str
    subscription_id: str
    endpoint: str
    p256dh: str
    auth: str
    payload: bytes
    expires_at: datetime
    attempts: int
    urgency: str
    topic: str | None


@dataclass(frozen=True)
class Outcome:
    message: Message
    status: int | None  # None: no answer (timeout, refused connection)
    retry_after: float | None = None  # seconds, from the Retry-After header
    error: str | None = None


def encrypt(payload: bytes, p256dh: str, auth: str) -> bytes:
    """The aes128gcm body (RFC 8188) of `payload` for one subscription's keys (RFC 8291)."""
    ua_public, receiver = _receiver(p256dh)
    auth_secret = b64url_decode(auth)
    ephemeral = ec.generate_private_key(ec.SECP256R1())  # a fresh key per message (RFC 8291 §3.1)
    as_public = public_point(ephemeral.public_key())
    shared = ephemeral.exchange(ec.ECDH(), receiver)
    ikm = _hkdf_expand(hmac.digest(auth_secret, shared, "sha256"), b"WebPush: info\x00" + ua_public + as_public, 32)
    salt = os.urandom(16)
    prk = hmac.digest(salt, ikm, "sha256")  # one extract serves both the key and the nonce
    cek = _hkdf_expand(prk, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf_expand(prk, b"Content-Encoding: nonce\x00", 12)
    ciphertext = AESGCM(cek).encrypt(nonce, payload + b"\x02", None)  # \x02: the last (only) record
    return salt + RECORD_SIZE.to_bytes(4, "big") + bytes([len(as_public)]) + as_public + ciphertext


@functools.lru_cache(maxsize=4096)
def _receiver(p256dh: str) -> tuple[bytes, ec.EllipticCurvePublicKey]:
    """A device's public key, decoded and checked once: each device gets message after message."""
    ua_public = b64url_decode(p256dh)
    return ua_public, ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ua_public)


def _hkdf_expand(prk: bytes, info: bytes, length: int) -> bytes:
    """HKDF-SHA256's expand step for output up to one hash long (a single block)."""
    return hmac.digest(prk, info + b"\x01", "sha256")[:length]


def origin_of(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


MAX_ANSWER = 65536  # a push service answers in a few hundred bytes; more is not worth keeping the connection for
SAFE_PATH = re.compile(r"^/[\x21-\x7e]*$")  # printable ASCII only: nothing can break out of the request line


class Wire:
    """One kept-alive HTTP/1.1 connection to a push service (the standard library's http.client:
    it already handles interim answers, chunked bodies and header injection)."""

    def __init__(self, origin: str, tls: ssl.SSLContext, connect_timeout: float, read_timeout: float):
        parts = urlsplit(origin)
        if parts.scheme == "https":
            self.http = http.client.HTTPSConnection(parts.hostname, parts.port or 443, timeout=connect_timeout, context=tls)
        else:
            self.http = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=connect_timeout)
        try:
            self.http.connect()
            self.http.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.http.sock.settimeout(read_timeout)
        except BaseException:
            self.http.close()
            raise
        self.used = False

    def post(self, path: str, headers: dict, body: bytes) -> tuple[int, dict, bytes, bool]:
        """(status, headers with lower-case names, body, whether the connection stays usable).
        :raise OSError: network failures and timeouts; :raise ValueError: a malformed answer."""
        self.used = True
        try:
            self.http.request("POST", path, body=body, headers=headers)
            response = self.http.getresponse()
            if response.length is not None and response.length > MAX_ANSWER:
                raise ValueError("the answer is too long")
            data = response.read(MAX_ANSWER + 1)
        except http.client.RemoteDisconnected:
            raise ConnectionResetError("the push service closed the connection without answering") from None
        except http.client.IncompleteRead:
            raise ConnectionResetError("the answer was cut short") from None
        except http.client.HTTPException as error:
            raise ValueError(f"not an HTTP answer: {type(error).__name__}") from None
        if len(data) > MAX_ANSWER:
            raise ValueError("the answer is too long")
        answer = {name.lower(): value for name, value in response.getheaders()}
        return response.status, answer, data, not response.will_close and response.isclosed()

    def close(self) -> None:
        self.http.close()


class Connections:
    """One kept-alive connection per push-service origin for the calling thread."""

    def __init__(self, timeout: tuple[float, float], tls: ssl.SSLContext | None = None):
        self.connect_timeout, self.read_timeout = timeout
        self._local = threading.local()
        self._all: list[Wire] = []
        self._lock = threading.Lock()
        self._tls = tls or ssl.create_default_context()  # verifies certificates and host names

    def post(self, origin: str, path: str, body: bytes, headers: dict) -> tuple[int, str | None, bytes]:
        """(status, Retry-After, body). A kept connection the service had closed is retried
        once on a fresh one. :raise OSError: or ValueError for what the network or service did."""
        for attempt in (1, 2):
            wire = self._wire(origin)
            reused = wire.used
            try:
                status, answer, data, keep = wire.post(path, headers, body)
            except (ConnectionResetError, BrokenPipeError, ConnectionAbortedError):
                self._drop(origin)
                if not reused or attempt == 2:
                    raise
                continue
            except BaseException:
                self._drop(origin)
                raise
            if not keep:
                self._drop(origin)
            return status, answer.get("retry-after"), data
        raise AssertionError("unreachable")

    def _wire(self, origin: str) -> Wire:
        kept = getattr(self._local, "wires", None)
        if kept is None:
            kept = self._local.wires = {}
        wire = kept.get(origin)
        if wire is None:
            wire = kept[origin] = Wire(origin, self._tls, self.connect_timeout, self.read_timeout)
            with self._lock:
                self._all.append(wire)
        return wire

    def _drop(self, origin: str) -> None:
        wire = self._local.wires.pop(origin, None)
        if wire is not None:
            wire.close()

    def close(self) -> None:
        with self._lock:
            for wire in self._all:
                wire.close()
            self._all.clear()


class PushSender:
    """Sends messages concurrently over kept-alive connections to each push-service origin."""

    def __init__(self, vapid: Vapid, concurrency: int = 16, timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
                 clock: Callable[[], datetime] = utcnow, tls: ssl.SSLContext | None = None):
        self.vapid = vapid
        self.concurrency = concurrency
        self.clock = clock
        self._connections = Connections(timeout, tls)
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="push-send")

    def send(self, message: Message) -> Outcome:
        """Encrypt and POST one message; never raises for what the network or service does."""
        now = self.clock()
        parts = urlsplit(message.endpoint)
        origin = f"{parts.scheme}://{parts.netloc}"
        ttl = int((message.expires_at - now).total_seconds())
        if ttl <= 0:
            return Outcome(message, None, error="expired before it could be sent")
        try:
            body = encrypt(message.payload, message.p256dh, message.auth)
        except (ValueError, TypeError) as error:  # keys that passed validation cannot fail here; be safe anyway
            return Outcome(message, 400, error=f"cannot encrypt for this subscription: {error}")
        headers = {
            "Authorization": self.vapid.authorization(origin, now),
            "TTL": str(ttl),
            "Urgency": message.urgency,
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
        }
        if message.topic:
            headers["Topic"] = message.topic
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if not SAFE_PATH.match(path):  # validated at subscription time too; never write it into a request
            return Outcome(message, 400, error="the endpoint has characters a request line cannot carry")
        try:
            status, retry_after, data = self._connections.post(origin, path, body, headers)
        except (OSError, ValueError) as error:  # timeouts are OSErrors too
            return Outcome(message, None, error=f"{type(error).__name__}: {error}"[:200])
        detail = None if status < 300 else data.decode("utf-8", "replace")[:200]
        return Outcome(message, status, retry_after_seconds(retry_after, now), detail)

    @property
    def ahead(self) -> int:
        """Messages handed to the threads beyond those whose outcome was taken: enough that
        threads keep busy while the caller records, few enough to bound a crash's re-sends."""
        return 2 * self.concurrency

    def send_all(self, messages: Iterable[Message]) -> Iterator[Outcome]:
        """Outcomes in the order they finish, so callers can record them as they come.

        A message is started only when an earlier outcome has been taken, so at most `ahead`
        sent-but-not-taken outcomes exist at any time: a crash re-sends no more than those
        plus what the caller took but had not yet recorded. (Threads hand outcomes over a
        queue: concurrent.futures.wait() would cost O(ahead) per message.)
        """
        finished: queue.SimpleQueue = queue.SimpleQueue()

        def run(message: Message) -> None:
            try:
                finished.put(self.send(message))
            except Exception as error:  # a bug must not leave the caller waiting forever
                log.exception("sending delivery %s failed", message.delivery_id)
                finished.put(Outcome(message, None, error=f"{type(error).__name__}: {error}"[:200]))

        waiting = iter(messages)
        running = 0
        for message in itertools.islice(waiting, self.ahead):
            self._pool.submit(run, message)
            running += 1
        while running:
            outcome = finished.get()
            running -= 1
            yield outcome
            following = next(waiting, None)
            if following is not None:
                self._pool.submit(run, following)
                running += 1

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._connections.close()
