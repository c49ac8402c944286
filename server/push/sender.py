"""Sending to push services: the one door to them (RFC 8030 delivery, RFC 8291 encryption).

Speed comes from doing each costly thing once: the VAPID JWT is signed once per push-service
origin (see vapid.Vapid.authorization), connections to each origin are kept open, encryption is
one ECDH and a few HMACs (a device's key decoded once), and a batch goes out as many POSTs in
flight at once on one libcurl multi handle (pycurl: HTTP/1.1, or HTTP/2 where the push service
offers it) without a thread per request.
This module decides nothing about what an answer means; dispatch.record_outcomes does.

Where a POST may go is decided here, before each send (§12, see endpoints.py): the endpoint is
checked again against the allowlist, its host resolved, every address must be public, and libcurl
connects only to those addresses (RESOLVE), over https only, never following a redirect. A send
refused so is an Outcome with `refused` set, never a request. No push-service origin takes more
than `per_origin` of the slots, so one that stops answering cannot hold every send.
"""
from __future__ import annotations

import email.utils
import functools
import hmac
import logging
import os
import socket
import time
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Iterator
from urllib.parse import urlsplit

import certifi
import pycurl
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..instants import utcnow
from .endpoints import DEFAULT_PUSH_HOSTS, EndpointRefused, Target, pinned, resolve, send_target
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
    refused: bool = False  # never sent: the endpoint or the address it resolves to is not one we send to


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
RESOLVED_FOR = 60.0  # seconds a host's checked addresses are reused before it is resolved again
# libcurl's errors by what they mean here: the answer was not an acceptable HTTP answer (a
# ValueError, as for any malformed answer), or the connection failed before one came.
MALFORMED = {
    pycurl.E_FTP_WEIRD_SERVER_REPLY: "the answer is not HTTP",  # CURLE_WEIRD_SERVER_REPLY (8), under its old name
    pycurl.E_UNSUPPORTED_PROTOCOL: "the answer is not HTTP/1.x or HTTP/2",
    pycurl.E_FILESIZE_EXCEEDED: "the answer is too long",
    pycurl.E_WRITE_ERROR: "the answer is too long",  # our write callback refused more
    pycurl.E_BAD_CONTENT_ENCODING: "the answer's encoding is broken",
    pycurl.E_HTTP2: "the HTTP/2 exchange failed",
}
# nothing came back, or the request or answer broke off mid-way
CUT_OFF = {pycurl.E_GOT_NOTHING, pycurl.E_SEND_ERROR, pycurl.E_RECV_ERROR, pycurl.E_PARTIAL_FILE}


class Connections:
    """POSTs to push services, many at once, on one libcurl multi handle (pycurl).

    No thread per request: the caller starts transfers and collects the finished ones, and
    libcurl drives them all on kept-alive connections (HTTP/1.1, or HTTP/2 multiplexed where the
    push service offers it), re-sending once on a fresh connection when a kept one turns out
    closed. HTTP framing and TLS are libcurl's; it costs a third less CPU a message than
    http.client, whose header parsing goes through the email package. One thread at a time.
    """

    def __init__(self, timeout: tuple[float, float], ca_file: str | None = None):
        self.connect_timeout, self.read_timeout = timeout
        self.ca_file = ca_file or certifi.where()  # the wheel's libcurl does not know the system's CA paths
        self._multi = pycurl.CurlMulti()
        self._idle: list[pycurl.Curl] = []
        self._running: dict[pycurl.Curl, tuple[object, bytearray, list]] = {}

    def start(self, key: object, origin: str, path: str, body: bytes, headers: dict, resolve_to: list[str] | None = None,
              plain_http: bool = False) -> None:
        """Begin one POST; its result comes back from `finished` under `key`. `resolve_to`
        (libcurl RESOLVE entries) pins the host to checked addresses; `plain_http` allows http
        besides https (a local stand-in only)."""
        handle = self._idle.pop() if self._idle else self._new_handle()
        answer, retry_after = bytearray(), [None]

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
        handle.setopt(pycurl.PROTOCOLS, pycurl.PROTO_HTTPS | (pycurl.PROTO_HTTP if plain_http else 0))
        handle.setopt(pycurl.RESOLVE, resolve_to or [])
        handle.setopt(pycurl.POSTFIELDSIZE, len(body))
        handle.setopt(pycurl.POSTFIELDS, body)
        handle.setopt(pycurl.HTTPHEADER, [f"{name}: {value}" for name, value in headers.items()] + ["Expect:", "Accept:"])
        handle.setopt(pycurl.HEADERFUNCTION, header)
        handle.setopt(pycurl.WRITEFUNCTION, write)
        self._running[handle] = (key, answer, retry_after)
        self._multi.add_handle(handle)

    @property
    def running(self) -> int:
        return len(self._running)

    def finished(self, wait: float = 1.0) -> list[tuple[object, tuple[int, str | None, bytes] | Exception]]:
        """The transfers that ended, as (key, (status, Retry-After, body)) or (key, error): an
        OSError for what the network did (ConnectionResetError when the connection broke off,
        TimeoutError), a ValueError for an answer that is not HTTP. Waits up to `wait` seconds
        for one when none has ended yet."""
        done = self._drive()
        if not done and self._running:
            due = self._multi.timeout()  # ms until libcurl's next timer (a timeout, a retry); -1: none
            self._multi.select(wait if due < 0 else min(wait, due / 1000))
            done = self._drive()
        return done

    def post(self, origin: str, path: str, body: bytes, headers: dict, **options) -> tuple[int, str | None, bytes]:
        """One POST, waited for, with nothing else running (another transfer's result would be
        lost). :raise OSError: or ValueError, as `finished` gives them."""
        if self._running:
            raise RuntimeError("post() waits for one transfer; use start() and finished() beside others")
        key = object()
        self.start(key, origin, path, body, headers, **options)
        while True:
            for finished_key, result in self.finished():
                if finished_key is key:
                    if isinstance(result, Exception):
                        raise result
                    return result

    def _drive(self) -> list:
        while self._multi.perform()[0] == pycurl.E_CALL_MULTI_PERFORM:
            pass
        done = []
        while True:
            queued, succeeded, failed = self._multi.info_read()
            for handle in succeeded:
                key, answer, retry_after = self._release(handle)
                done.append((key, (handle.getinfo(pycurl.RESPONSE_CODE), retry_after[0], bytes(answer))))
            for handle, code, text in failed:
                key, _, _ = self._release(handle)
                done.append((key, _error(code, text)))
            if not queued:
                return done

    def _release(self, handle: pycurl.Curl) -> tuple:
        self._multi.remove_handle(handle)
        handle.setopt(pycurl.HEADERFUNCTION, _ignore)  # let go of the finished transfer's buffers
        handle.setopt(pycurl.WRITEFUNCTION, _ignore)
        self._idle.append(handle)
        return self._running.pop(handle)

    def _new_handle(self) -> pycurl.Curl:
        handle = pycurl.Curl()
        handle.setopt(pycurl.NOSIGNAL, 1)
        handle.setopt(pycurl.PROTOCOLS, pycurl.PROTO_HTTPS)
        handle.setopt(pycurl.REDIR_PROTOCOLS, pycurl.PROTO_HTTPS)
        handle.setopt(pycurl.FOLLOWLOCATION, 0)  # a push service answers; it never sends us elsewhere
        handle.setopt(pycurl.PROXY, "")  # never route health reminders through a proxy the environment names
        handle.setopt(pycurl.CAINFO, self.ca_file)  # certificates and host names are verified (libcurl's default)
        handle.setopt(pycurl.CONNECTTIMEOUT_MS, int(self.connect_timeout * 1000))
        handle.setopt(pycurl.TIMEOUT_MS, int((self.connect_timeout + self.read_timeout) * 1000))
        handle.setopt(pycurl.MAXFILESIZE, MAX_ANSWER)
        handle.setopt(pycurl.TCP_NODELAY, 1)
        return handle

    def cancel(self) -> None:
        """Abandon every running transfer (their messages count as not sent)."""
        for handle in list(self._running):
            self._release(handle)

    def close(self) -> None:
        self.cancel()
        for handle in self._idle:
            handle.close()
        self._idle.clear()
        self._multi.close()


def _error(code: int, text: str) -> Exception:
    """libcurl's error as the exception it means here."""
    text = str(text)[:160]
    if code in MALFORMED:
        return ValueError(MALFORMED[code] + f" ({text})")
    if code in CUT_OFF:
        return ConnectionResetError(text)
    if code == pycurl.E_OPERATION_TIMEDOUT:
        return TimeoutError(text)
    if code == pycurl.E_COULDNT_CONNECT:
        return ConnectionRefusedError(text)
    return OSError(text)


def _ignore(data: bytes) -> None:
    return None


def _unanswered(message: Message, error: Exception) -> Outcome:
    """No answer from the push service (or none could be asked for): the error, named."""
    return Outcome(message, None, error=f"{type(error).__name__}: {error}"[:200])


class PushSender:
    """Sends messages concurrently over kept-alive connections to each push-service origin,
    all from the calling thread (one thread at a time).

    `push_hosts` and `allow_local` are the deployment's settings (TWITCHLOG_PUSH_HOSTS,
    TWITCHLOG_ALLOW_LOCAL_PUSH); `per_origin` caps the sends in flight to one push service
    (default three quarters of `concurrency`); `getaddrinfo` is the resolver (socket's).
    """

    def __init__(self, vapid: Vapid, concurrency: int = 16, timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
                 clock: Callable[[], datetime] = utcnow, ca_file: str | None = None, *,
                 push_hosts: tuple[str, ...] = DEFAULT_PUSH_HOSTS, allow_local: bool = False, per_origin: int | None = None,
                 getaddrinfo=socket.getaddrinfo):
        self.vapid = vapid
        self.concurrency = concurrency
        self.per_origin = max(1, per_origin if per_origin is not None else (concurrency * 3) // 4)
        self.clock = clock
        self.push_hosts = push_hosts
        self.allow_local = allow_local
        self.getaddrinfo = getaddrinfo
        self._resolved: dict[str, tuple[float, list[str] | EndpointRefused]] = {}
        self._connections = Connections(timeout, ca_file)

    def send(self, message: Message) -> Outcome:
        """Encrypt and POST one message; never raises for what the network or service does."""
        return next(iter(self.send_all([message])))

    @property
    def ahead(self) -> int:
        """Messages in flight beyond those whose outcome was taken: enough to keep the
        connections busy, few enough to bound what a crash re-sends."""
        return self.concurrency

    def send_all(self, messages: Iterable[Message]) -> Iterator[Outcome]:
        """Outcomes in the order they finish, so callers can record them as they come.

        Messages start in the order given (dispatch claims alerts and prompts first), except
        that one whose push-service origin already has `per_origin` sends in flight waits for
        one of them while messages to other origins go ahead.

        A message is started only when an earlier outcome has been taken, so at most `ahead`
        sent-but-not-taken outcomes exist at any time: a crash re-sends no more than those
        plus what the caller took but had not yet recorded. Messages still in flight when the
        caller stops iterating are abandoned, not sent later.
        """
        waiting = iter(messages)
        held: deque[tuple[Message, Target]] = deque()  # their origin is at its cap
        busy: Counter = Counter()  # sends in flight per origin
        connections = self._connections
        try:
            while True:
                while connections.running < self.concurrency:
                    picked = self._next(waiting, held, busy)
                    if picked is None:
                        break
                    message, target = picked
                    try:
                        outcome = target if isinstance(target, Outcome) else self._start(message, target)
                    except Exception as error:  # a bug must fail this message, not the batch
                        log.exception("sending delivery %s failed", message.delivery_id)
                        outcome = _unanswered(message, error)
                    if outcome is not None:
                        yield outcome
                    else:
                        busy[target.origin] += 1
                if not connections.running:
                    return
                for (message, origin), result in connections.finished():
                    busy[origin] -= 1
                    if isinstance(result, Exception):
                        yield _unanswered(message, result)
                        continue
                    status, retry_after, data = result
                    detail = None if status < 300 else data.decode("utf-8", "replace")[:200]
                    yield Outcome(message, status, retry_after_seconds(retry_after, self.clock()), detail)
        finally:
            connections.cancel()

    def _next(self, waiting: Iterator[Message], held: deque, busy: Counter) -> tuple[Message, Target | Outcome] | None:
        """The next message that may start now, with where it goes (or the Outcome that it may
        not be sent at all); None when every message left waits for a busy origin."""
        for index, (message, target) in enumerate(held):
            if busy[target.origin] < self.per_origin:
                del held[index]
                return message, target
        for message in waiting:
            try:
                target = send_target(message.endpoint, self.push_hosts, self.allow_local)
            except EndpointRefused as error:
                return message, self._refused(message, str(error))
            if busy[target.origin] < self.per_origin:
                return message, target
            held.append((message, target))
        return None

    def _refused(self, message: Message, why: str) -> Outcome:
        log.warning("push delivery %s refused before sending: %s", message.delivery_id, why)
        return Outcome(message, None, error=f"refused: {why}"[:200], refused=True)

    def _addresses(self, target: Target) -> list[str]:
        """The checked addresses of the target's host, reused for RESOLVED_FOR seconds.
        :raise EndpointRefused: when one is not public; OSError when the name does not resolve."""
        now = time.monotonic()
        cached = self._resolved.get(target.host)
        if cached is None or cached[0] <= now:
            try:
                found: list[str] | EndpointRefused = resolve(target, self.getaddrinfo)
            except EndpointRefused as error:
                found = error
            except (OSError, UnicodeError) as error:  # no answer from DNS: try again later, like a network failure
                raise OSError(f"cannot resolve {target.host}: {error}") from None
            if len(self._resolved) > 1024:
                self._resolved.clear()
            self._resolved[target.host] = cached = (now + RESOLVED_FOR, found)
        if isinstance(cached[1], EndpointRefused):
            raise cached[1]
        return cached[1]

    def _start(self, message: Message, target: Target) -> Outcome | None:
        """Encrypt and start one POST; an Outcome instead when it cannot or must not be sent."""
        now = self.clock()
        ttl = int((message.expires_at - now).total_seconds())
        if ttl <= 0:
            return Outcome(message, None, error="expired before it could be sent")
        try:
            addresses = self._addresses(target)
        except EndpointRefused as error:
            return self._refused(message, str(error))
        except OSError as error:
            return _unanswered(message, error)
        try:
            body = encrypt(message.payload, message.p256dh, message.auth)
        except (ValueError, TypeError) as error:  # keys that passed validation cannot fail here; be safe anyway
            return Outcome(message, 400, error=f"cannot encrypt for this subscription: {error}")
        headers = {
            "Authorization": self.vapid.authorization(target.origin, now),
            "TTL": str(ttl),
            "Urgency": message.urgency,
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
        }
        if message.topic:
            headers["Topic"] = message.topic
        self._connections.start((message, target.origin), target.origin, target.path, body, headers,
                                resolve_to=pinned(target, addresses), plain_http=target.local and target.scheme == "http")
        return None

    def close(self) -> None:
        self._connections.close()
