"""Sending to push services: the one door to them (RFC 8030 delivery, RFC 8291 encryption).

Speed comes from doing each costly thing once: the VAPID JWT is signed once per push-service
origin (see vapid.Vapid.authorization), HTTP connections are kept per origin in a
requests.Session, encryption is one ECDH and a few HMACs, and a batch goes out on a thread pool.
This module decides nothing about what an answer means; dispatch.record_outcomes does.
"""
from __future__ import annotations

import email.utils
import hmac
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Iterator
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from requests.adapters import HTTPAdapter

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
    ttl: int
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
    """Sends messages concurrently, keeping one pooled HTTP session per push-service origin."""

    def __init__(self, vapid: Vapid, concurrency: int = 16, timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
                 clock: Callable[[], datetime] = utcnow):
        self.vapid = vapid
        self.concurrency = concurrency
        self.timeout = timeout
        self.clock = clock
        self._sessions: dict[str, requests.Session] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="push-send")

    def _session(self, origin: str) -> requests.Session:
        session = self._sessions.get(origin)
        if session is None:
            with self._lock:
                session = self._sessions.get(origin)
                if session is None:
                    session = requests.Session()
                    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=self.concurrency, max_retries=0)
                    session.mount(origin, adapter)
                    session.trust_env = False  # no proxy lookups per request
                    self._sessions[origin] = session
        return session

    def send(self, message: Message) -> Outcome:
        """Encrypt and POST one message; never raises for what the network or service does."""
        now = self.clock()
        origin = origin_of(message.endpoint)
        try:
            body = encrypt(message.payload, message.p256dh, message.auth)
        except (ValueError, TypeError) as error:  # keys that passed validation cannot fail here; be safe anyway
            return Outcome(message, 400, error=f"cannot encrypt for this subscription: {error}")
        headers = {
            "Authorization": self.vapid.authorization(origin, now),
            "TTL": str(max(0, message.ttl)),
            "Urgency": message.urgency,
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
        }
        if message.topic:
            headers["Topic"] = message.topic
        try:
            response = self._session(origin).post(message.endpoint, data=body, headers=headers, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as error:
            return Outcome(message, None, error=f"{type(error).__name__}: {error}"[:200])
        with response:
            detail = None if response.status_code < 300 else (response.text or response.reason or "")[:200]
            return Outcome(message, response.status_code, retry_after_seconds(response.headers.get("Retry-After"), now), detail)

    def send_all(self, messages: Iterable[Message]) -> Iterator[Outcome]:
        """Outcomes in the order they finish, so callers can record them as they come."""
        futures = [self._pool.submit(self.send, message) for message in messages]
        for future in as_completed(futures):
            yield future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for session in self._sessions.values():
            session.close()
