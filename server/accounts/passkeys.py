"""Passkeys (WebAuthn) through the `webauthn` package: register while signed in, sign in with none
of an email typed (a discoverable credential names its account), list, remove.

The relying party id is the host of TWITCHLOG_PUBLIC_URL, else the request's host. Every challenge
is stored only as its SHA-256, belongs to one purpose (and, for registering, one account), works
once and expires after 5 minutes. User verification (PIN, fingerprint, face) is required: a passkey
replaces the password, so it must prove the person, not only the device. A signature counter that
does not grow (a cloned authenticator) is refused.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
import webauthn
from flask import current_app, request
from webauthn.helpers import (
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..errors import ApiError, Conflict, NotFound, Unauthorized
from ..extensions import db
from ..instants import utcnow
from ..security import own_origin
from .models import Passkey, User, WebAuthnChallenge

CHALLENGE_VALID = timedelta(minutes=5)
TIMEOUT_MS = 300_000
RP_NAME = "Twitchlog"
NOT_VERIFIED = "This passkey could not be verified. Try again, or sign in with your email and password."
STALE = "This passkey request has expired or was already used. Start again."


class BadPasskey(ApiError):
    status = 400

    def __init__(self, message: str = "This is not a passkey answer this server can read."):
        super().__init__(message, {"credential": [message]})


def rp_id() -> str:
    public = current_app.config["TWITCHLOG"].public_url
    if public:
        return (urlsplit(public).hostname or "").lower()
    return (urlsplit(f"//{request.host}").hostname or "").lower()


def _challenge_hash(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()


def _user_handle(user_id: str) -> bytes:
    return uuid.UUID(user_id).bytes


def _store_challenge(challenge: bytes, purpose: str, user_id: str | None) -> None:
    now = utcnow()
    db.session.execute(sa.delete(WebAuthnChallenge).where(WebAuthnChallenge.expires_at <= now))
    db.session.add(WebAuthnChallenge(challenge_hash=_challenge_hash(challenge), purpose=purpose, user_id=user_id,
                                     expires_at=now + CHALLENGE_VALID))
    db.session.flush()


def _take_challenge(challenge: bytes, purpose: str, user_id: str | None) -> None:
    """Use the challenge up. :raise 400: when it is unknown, used, expired, or another's."""
    query = sa.delete(WebAuthnChallenge).where(
        WebAuthnChallenge.challenge_hash == _challenge_hash(challenge), WebAuthnChallenge.purpose == purpose,
        WebAuthnChallenge.expires_at > utcnow())
    if user_id is not None:
        query = query.where(WebAuthnChallenge.user_id == user_id)
    if db.session.execute(query).rowcount != 1:
        raise BadPasskey(STALE)


def registration_options(user: User) -> dict:
    existing = db.session.scalars(sa.select(Passkey.credential_id).where(Passkey.user_id == user.id)).all()
    options = webauthn.generate_registration_options(
        rp_id=rp_id(),
        rp_name=RP_NAME,
        user_name=user.email,
        user_id=_user_handle(user.id),
        user_display_name=getattr(user, "display_name", None) or user.email,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, require_resident_key=True,
            user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(c)) for c in existing],
    )
    _store_challenge(options.challenge, "register", user.id)
    return json.loads(webauthn.options_to_json(options))


def login_options() -> dict:
    options = webauthn.generate_authentication_options(
        rp_id=rp_id(), timeout=TIMEOUT_MS, user_verification=UserVerificationRequirement.REQUIRED)
    _store_challenge(options.challenge, "login", None)
    return json.loads(webauthn.options_to_json(options))


def _parse(credential: dict, parser):
    """The library raises many kinds of error for malformed input; all are the client's. :raise 400:"""
    try:
        parsed = parser(json.dumps(credential))
        challenge = parse_client_data_json(parsed.response.client_data_json).challenge
    except Exception as error:  # noqa: BLE001 - InvalidJSONStructure, KeyError, ValueError, binascii.Error, ...
        raise BadPasskey() from error
    return parsed, challenge


def verify_registration(user: User, credential: dict):
    """Check the new credential against the challenge it names (pure work, before any lock). :raise 400:"""
    parsed, challenge = _parse(credential, parse_registration_credential_json)
    try:
        verified = webauthn.verify_registration_response(
            credential=parsed, expected_challenge=challenge, expected_rp_id=rp_id(), expected_origin=own_origin(),
            require_user_verification=True)
    except (InvalidRegistrationResponse, ValueError, TypeError, KeyError) as error:
        raise BadPasskey(NOT_VERIFIED) from error
    return challenge, verified


def add_passkey(user: User, challenge: bytes, verified, label: str) -> Passkey:
    """:raise 400: for a used or expired challenge; :raise 409: for a passkey already registered."""
    _take_challenge(challenge, "register", user.id)
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.session.scalar(sa.select(Passkey.id).where(Passkey.credential_id == credential_id)):
        raise Conflict("This passkey is already registered.")
    passkey = Passkey(user_id=user.id, credential_id=credential_id, public_key=verified.credential_public_key,
                      sign_count=verified.sign_count, label=label, created_at=utcnow())
    db.session.add(passkey)
    db.session.flush()
    return passkey


def verify_login(credential: dict):
    """Which account this assertion proves (pure reads and checks). :raise 400: malformed; :raise 401: not verified."""
    parsed, challenge = _parse(credential, parse_authentication_credential_json)
    passkey = db.session.scalar(sa.select(Passkey).where(Passkey.credential_id == bytes_to_base64url(parsed.raw_id)))
    if passkey is None:
        raise Unauthorized(NOT_VERIFIED)
    handle = parsed.response.user_handle
    if handle and handle != _user_handle(passkey.user_id):
        raise Unauthorized(NOT_VERIFIED)
    try:
        verified = webauthn.verify_authentication_response(
            credential=parsed, expected_challenge=challenge, expected_rp_id=rp_id(), expected_origin=own_origin(),
            credential_public_key=passkey.public_key, credential_current_sign_count=passkey.sign_count,
            require_user_verification=True)
    except (InvalidAuthenticationResponse, ValueError, TypeError, KeyError) as error:
        raise Unauthorized(NOT_VERIFIED) from error
    return challenge, passkey.id, passkey.sign_count, verified.new_sign_count


def finish_login(challenge: bytes, passkey_id: str, old_count: int, new_count: int) -> User:
    """Use the challenge and move the counter on. :raise 400: stale challenge; :raise 401: counter raced."""
    _take_challenge(challenge, "login", None)
    moved = db.session.execute(
        sa.update(Passkey).where(Passkey.id == passkey_id, Passkey.sign_count == old_count)
        .values(sign_count=new_count, last_used_at=utcnow()))
    if moved.rowcount != 1:
        raise Unauthorized(NOT_VERIFIED)
    user_id = db.session.scalar(sa.select(Passkey.user_id).where(Passkey.id == passkey_id))
    return db.session.get(User, user_id)


def list_passkeys(user_id: str) -> list[Passkey]:
    return list(db.session.scalars(sa.select(Passkey).where(Passkey.user_id == user_id).order_by(Passkey.created_at)))


def remove_passkey(user_id: str, passkey_id: str) -> None:
    """:raise 404: when the passkey is not the user's."""
    if db.session.execute(sa.delete(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user_id)).rowcount == 0:
        raise NotFound("No such passkey.")
