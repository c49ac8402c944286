"""Sending to push services: the one door to them (RFC 8030 delivery, RFC 8291 encryption).

Speed comes from doing each costly thing once: the VAPID JWT is signed once per push-service
origin (see vapid.Vapid.authorization), HTTP connections are kept in one urllib3 pool per origin
(requests' own engine without its per-request overhead, which measured 0.4 ms a message here),
encryption is one ECDH and a few HMACs, and a batch goes out on a thread pool.
This module decides nothing about what an answer means; dispatch.record_outcomes does.
"""
from __future__ import annotations

import email.utils
import hmac
import itertools
import logging
import os
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Iterator
from urllib.parse import urlsplit

import urllib3
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from urllib3.exceptions import HTTPError, ProtocolError

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
    ua_public = b64url_decode(p256dh)
    auth_secret = b64url_decode(auth)
    receiver = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ua_public)
    ephemeral = ec.generate_private_key(ec.SECP256R1())  # a fresh key per message (RFC 8291 §3.1)
    as_public = public_point(ephemeral.public_key())
    shared = ephemeral.exchange(ec.ECDH(), receiver)
    ikm = _hkdf(auth_secret, shared, b"WebPush: info\x00" + ua_public + as_public, 32)
    salt = os.urandom(16)
    cek = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    ciphertext = AESGCM(cek).encrypt(nonce, payload + b"\x02", None)  # \x02: the last (only) record
    return salt + RECORD_SIZE.to_bytes(4, "big") + bytes([len(as_public)]) + as_public + ciphertext


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    """HKDF-SHA256 for output up to one hash long (extract, then a single expand block)."""
    prk = hmac.digest(salt, ikm, "sha256")
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


class PushSender:
    """Sends messages concurrently, keeping one HTTP connection pool per push-service origin."""

    def __init__(self, vapid: Vapid, concurrency: int = 16, timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
                 clock: Callable[[], datetime] = utcnow):
        self.vapid = vapid
        self.concurrency = concurrency
        self.timeout = urllib3.Timeout(connect=timeout[0], read=timeout[1])
        self.clock = clock
        self._pools: dict[str, urllib3.HTTPConnectionPool] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="push-send")

    def _connections(self, origin: str) -> urllib3.HTTPConnectionPool:
        pool = self._pools.get(origin)
        if pool is None:
            with self._lock:
                pool = self._pools.get(origin)
                if pool is None:
                    pool = urllib3.connection_from_url(origin, maxsize=self.concurrency, block=False, retries=False,
                                                       timeout=self.timeout)
                    self._pools[origin] = pool
        return pool

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
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        pool = self._connections(origin)
        for attempt in (1, 2):
            try:
                response = pool.urlopen("POST", path or "/", body=body, headers=headers, redirect=False,
                                        retries=False, preload_content=True, assert_same_host=False)
                break
            except ProtocolError as error:  # a kept-alive connection the service had closed: once more, fresh
                if attempt == 2:
                    return Outcome(message, None, error=f"{type(error).__name__}: {error}"[:200])
            except HTTPError as error:
                return Outcome(message, None, error=f"{type(error).__name__}: {error}"[:200])
        detail = None if response.status < 300 else (response.data.decode("utf-8", "replace") or response.reason or "")[:200]
        return Outcome(message, response.status, retry_after_seconds(response.headers.get("Retry-After"), now), detail)

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
        for pool in self._pools.values():
            pool.close()
