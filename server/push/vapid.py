"""The server's VAPID identity (RFC 8292): a P-256 key, its public point, and signed JWTs.

Where the key comes from, first match wins: TWITCHLOG_VAPID_PRIVATE_KEY (the raw 32-byte
scalar in base64url as `web-push generate-vapid-keys` prints it, or PEM), then
TWITCHLOG_VAPID_KEY_FILE (PEM), else a key made once under instance/ (mode 0600) for the
embedded default. Every process of one deployment must use the same key: browsers bind their
subscription to it.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from ..config import ConfigError, Settings

log = logging.getLogger(__name__)
KEY_FILE_NAME = "vapid_private_key.pem"
JWT_LIFETIME = timedelta(hours=12)
RENEW_BEFORE = timedelta(hours=1)  # push services reject a JWT near or past exp


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """base64url with or without padding (standard base64 accepted too). :raise ValueError:"""
    text = text.strip().replace("+", "-").replace("/", "_").rstrip("=")
    if len(text) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


@dataclass
class Vapid:
    private_key: ec.EllipticCurvePrivateKey
    subject: str
    public_key: str = ""  # the 65-byte point, base64url: applicationServerKey and `k=`
    _headers: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self):
        self.public_key = b64url(public_point(self.private_key.public_key()))

    def sign(self, claims: dict) -> str:
        """A compact ES256 JWT of `claims`."""
        header = b64url(json.dumps({"typ": "JWT", "alg": "ES256"}, separators=(",", ":")).encode())
        body = b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{header}.{body}".encode("ascii")
        r, s = decode_dss_signature(self.private_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        return f"{header}.{body}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def authorization(self, audience: str, now: datetime) -> str:
        """The `Authorization: vapid t=...,k=...` value for one push-service origin, signed once
        and reused until an hour before it expires."""
        cached = self._headers.get(audience)
        if cached is not None and now < cached[1] - RENEW_BEFORE:
            return cached[0]
        with self._lock:
            cached = self._headers.get(audience)  # another thread may have signed while we waited
            if cached is not None and now < cached[1] - RENEW_BEFORE:
                return cached[0]
            expires = now + JWT_LIFETIME
            token = self.sign({"aud": audience, "exp": int(expires.timestamp()), "sub": self.subject})
            value = f"vapid t={token},k={self.public_key}"
            self._headers[audience] = (value, expires)
            return value


def check_subject(subject: str) -> str:
    """:raise ConfigError: unless the contact is a mailto: or https: URL (RFC 8292 §2.1)."""
    if not (subject.startswith("mailto:") and "@" in subject) and not subject.startswith("https://"):
        raise ConfigError(f"TWITCHLOG_VAPID_SUBJECT must be a mailto: or https: URL (got {subject!r}).")
    return subject


def parse_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PEM or from the raw scalar in base64url. :raise ConfigError:"""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            raw = b64url_decode(text)
            if len(raw) == 32:
                key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
            else:
                key = serialization.load_der_private_key(raw, password=None)
    except (ValueError, TypeError) as error:
        raise ConfigError(f"The VAPID private key cannot be read: {error}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ConfigError("The VAPID private key must be an EC key on the P-256 curve.")
    return key


def _instance_key(instance: Path) -> ec.EllipticCurvePrivateKey:
    """The embedded default's key, made on first use; a racing process reads the winner's."""
    path = instance / KEY_FILE_NAME
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            log.info("made a VAPID key pair in %s", path)
    return parse_private_key(path.read_text())


def load_vapid(settings: Settings) -> Vapid:
    """The deployment's VAPID identity. :raise ConfigError: for a bad key or subject."""
    subject = check_subject(settings.vapid_subject)
    if settings.vapid_private_key:
        return Vapid(parse_private_key(settings.vapid_private_key), subject)
    if settings.vapid_key_file:
        path = Path(settings.vapid_key_file)
        if not path.is_file():
            raise ConfigError(f"TWITCHLOG_VAPID_KEY_FILE points at {path}, which is not a readable file.")
        return Vapid(parse_private_key(path.read_text()), subject)
    if settings.production:
        log.warning(
            "No TWITCHLOG_VAPID_PRIVATE_KEY or TWITCHLOG_VAPID_KEY_FILE is set: using a key under %s. "
            "Every app and worker process must share one key, so set it in production.", settings.instance_path,
        )
    return Vapid(_instance_key(settings.instance_path), subject)
