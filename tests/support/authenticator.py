"""A software passkey authenticator: what a phone's platform authenticator does, in ~80 lines.

It makes real P-256 keys, real CBOR attestation objects ("none" attestation) and real ECDSA
signatures over real client data, so the server's WebAuthn checks (the `webauthn` package) run
unchanged. The browser tests use Chromium's virtual authenticator instead (tests/e2e).
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import encode_cbor

UP, UV, AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Credential:
    def __init__(self, rp_id: str, user_handle: bytes):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.id = secrets.token_bytes(16)
        self.rp_id = rp_id
        self.user_handle = user_handle
        self.sign_count = 0

    def cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return encode_cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})


class SoftAuthenticator:
    """Holds discoverable credentials, like a phone does, keyed by relying party."""

    def __init__(self, flags: int = UP | UV):
        self.flags = flags
        self.credentials: list[Credential] = []

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def create(self, options: dict, origin: str) -> dict:
        """navigator.credentials.create(options).toJSON()"""
        rp_id = options["rp"]["id"]
        credential = Credential(rp_id, unb64url(options["user"]["id"]))
        self.credentials.append(credential)
        auth_data = (hashlib.sha256(rp_id.encode()).digest() + bytes([self.flags | AT]) + struct.pack(">I", 0)
                     + bytes(16) + struct.pack(">H", len(credential.id)) + credential.id + credential.cose_key())
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": b64url(credential.id), "rawId": b64url(credential.id), "type": "public-key",
                "response": {"clientDataJSON": b64url(client_data), "attestationObject": b64url(attestation),
                             "transports": ["internal"]},
                "clientExtensionResults": {}, "authenticatorAttachment": "platform"}

    def get(self, options: dict, origin: str, credential: Credential | None = None, sign_count: int | None = None) -> dict:
        """navigator.credentials.get(options).toJSON(), with the (only or given) discoverable credential."""
        credential = credential or next(c for c in self.credentials if c.rp_id == options["rpId"])
        credential.sign_count = credential.sign_count + 1 if sign_count is None else sign_count
        auth_data = hashlib.sha256(credential.rp_id.encode()).digest() + bytes([self.flags]) + struct.pack(">I", credential.sign_count)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = credential.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"id": b64url(credential.id), "rawId": b64url(credential.id), "type": "public-key",
                "response": {"clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                             "signature": b64url(signature), "userHandle": b64url(credential.user_handle)},
                "clientExtensionResults": {}, "authenticatorAttachment": "platform"}
