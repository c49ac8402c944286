"""Sending to push services: the one door to them (RFC 8030 delivery, RFC 8291 encryption).

Speed comes from doing each costly thing once: the VAPID JWT is signed once per push-service
origin (see vapid.Vapid.authorization), each sending thread keeps its connections to each origin
open (libcurl through pycurl: HTTP/1.1, or HTTP/2 where the push service offers it), encryption is
one ECDH and a few HMACs, and a batch goes out on a thread pool.
This module decides nothing about what an answer means; dispatch.record_outcomes does.
"""
from __future__ import annotations

import email.utils
import functools
import hmac
import itertools
import logging
import os
import queue
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Iterator
from urllib.parse import urlsplit

import certifi
import pycurl
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


MAX_ANSWER = 65536  # a push service answers in a few hundred bytes; more is not worth reading
SAFE_PATH = re.compile(r"^/[\x21-\x7e]*$")  # printable ASCII only: nothing can break out of the request line
# libcurl's errors by what they mean here: the answer was not an acceptable HTTP answer (a
# ValueError, as for any malformed answer), or the connection failed before one came.
MALFORMED = {8: "the answer is not HTTP", 1: "the answer is not HTTP/1.x or HTTP/2", 63: "the answer is too long",
             23: "the answer is too long", 61: "the answer's encoding is broken", 16: "the HTTP/2 exchange failed"}
CUT_OFF = {52, 55, 56, 18}  # nothing came back, the request or answer broke off mid-way


class Connections:
    """Kept-alive connections to push services through libcurl (pycurl): one handle per sending
    thread, which keeps its connections to each origin open and re-sends once on a fresh one when
    a kept connection turns out closed. HTTP framing, TLS and HTTP/2 are libcurl's; it costs a
    third less CPU a message than http.client, whose header parsing goes through the email package.
    """

    def __init__(self, timeout: tuple[float, float], ca_file: str | None = None):
        self.connect_timeout, self.read_timeout = timeout
        self.ca_file = ca_file or certifi.where()  # the wheel's libcurl does not know the system's CA paths
        self._local = threading.local()
        self._all: list[pycurl.Curl] = []
        self._lock = threading.Lock()

    def post(self, origin: str, path: str, body: bytes, headers: dict) -> tuple[int, str | None, bytes]:
        """(status, Retry-After, body). :raise OSError: for what the network did (ConnectionResetError
        when the connection broke off, TimeoutError); ValueError for an answer that is not HTTP."""
        handle = self._handle()
        answer = bytearray()
        retry_after: list[str | None] = [None]

        def header(line: bytes) -> None:
            if line.startswith(b"HTTP/"):  # an interim 1xx answer's headers are not the final ones
                retry_after[0] = None
            name, _, value = line.partition(b":")
            if value and name.strip().lower() == b"retry-after":
                retry_after[0] = value.strip().decode("latin-1")

        def write(data: bytes) -> int | None:
            if len(answer) + len(data) > MAX_ANSWER:
                return 0  # libcurl ends the transfer (CURLE_WRITE_ERROR)
            answer.extend(data)
            return None

        handle.setopt(pycurl.URL, origin + path)
        handle.setopt(pycurl.POSTFIELDSIZE, len(body))
        handle.setopt(pycurl.POSTFIELDS, body)
        handle.setopt(pycurl.HTTPHEADER, [f"{name}: {value}" for name, value in headers.items()] + ["Expect:", "Accept:"])
        handle.setopt(pycurl.HEADERFUNCTION, header)
        handle.setopt(pycurl.WRITEFUNCTION, write)
        try:
            handle.perform()
        except pycurl.error as error:
            code, text = error.args[0], str(error.args[1])[:160]
            if code in MALFORMED:
                raise ValueError(MALFORMED[code] + f" ({text})") from None
            if code in CUT_OFF:
                raise ConnectionResetError(text) from None
            if code == pycurl.E_OPERATION_TIMEDOUT:
                raise TimeoutError(text) from None
            if code == pycurl.E_COULDNT_CONNECT:
                raise ConnectionRefusedError(text) from None
            raise OSError(text) from None
        finally:
            handle.setopt(pycurl.HEADERFUNCTION, _ignore)  # let go of this call's buffers
            handle.setopt(pycurl.WRITEFUNCTION, _ignore)
        return handle.getinfo(pycurl.RESPONSE_CODE), retry_after[0], bytes(answer)

    def _handle(self) -> pycurl.Curl:
        handle = getattr(self._local, "handle", None)
        if handle is None:
            handle = self._local.handle = pycurl.Curl()
            handle.setopt(pycurl.NOSIGNAL, 1)  # threads: no SIGALRM for timeouts
            handle.setopt(pycurl.PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS)
            handle.setopt(pycurl.PROXY, "")  # never route health reminders through a proxy the environment names
            handle.setopt(pycurl.CAINFO, self.ca_file)  # certificates and host names are verified (libcurl's default)
            handle.setopt(pycurl.CONNECTTIMEOUT_MS, int(self.connect_timeout * 1000))
            handle.setopt(pycurl.TIMEOUT_MS, int((self.connect_timeout + self.read_timeout) * 1000))
            handle.setopt(pycurl.MAXFILESIZE, MAX_ANSWER)
            handle.setopt(pycurl.TCP_NODELAY, 1)
            with self._lock:
                self._all.append(handle)
        return handle

    def close(self) -> None:
        with self._lock:
            for handle in self._all:
                handle.close()
            self._all.clear()


def _ignore(data: bytes) -> None:
    return None


class PushSender:
    """Sends messages concurrently over kept-alive connections to each push-service origin."""

    def __init__(self, vapid: Vapid, concurrency: int = 16, timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
                 clock: Callable[[], datetime] = utcnow, ca_file: str | None = None):
        self.vapid = vapid
        self.concurrency = concurrency
        self.clock = clock
        self._connections = Connections(timeout, ca_file)
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
