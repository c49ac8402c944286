"""Sharing (§6): caregiver and link shares, their scopes, expiry, revocation and access log.

A share is usable while it is not revoked and not expired; a caregiver share only by the account
that accepted it. Every read through a share is counted with a conditional UPDATE in the write
transaction, so a revocation that commits first ends access at once.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..accounts.models import User
from ..errors import ApiError, NotFound
from ..export.service import export_sections
from ..extensions import db
from ..insights.service import utc_bounds
from ..instants import format_instant, utcnow
from ..local_dates import day_start, local_date_of
from ..sync.entities import ENTITIES
from .models import Share, ShareAccess
from .schemas import SCOPES

GONE = "This share does not exist, has ended or was withdrawn. Ask the person who shared it for a new one."
# Which scope opens each entity's records (§6); `notes` then adds their note fields.
ENTITY_SCOPES = {"twitch": "events", "activity": "events", "intake": "events", "checkin": "checkins", "symptom": "symptoms"}
MAX_TOKEN_LENGTH = 200


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def canonical_scopes(scopes) -> list[str]:
    """The scopes in §6 order, each once."""
    wanted = set(scopes)
    return [scope for scope in SCOPES if scope in wanted]


def _active(now: datetime):
    return sa.and_(Share.revoked_at.is_(None), Share.expires_at > now)


# --- the owner ----------------------------------------------------------------------------------

def create_share(owner_id: str, kind: str, scopes: list[str], expires_in_days: int, label: str | None,
                 now: datetime | None = None, quiet_alert_days: int | None = None) -> tuple[Share, str]:
    """A new share and its secret token (32 random bytes); only the token's SHA-256 is kept."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    share = Share(owner_id=owner_id, kind=kind, scopes=list(dict.fromkeys(scopes)), label=label,
                  token_hash=hash_token(token), created_at=now, expires_at=now + timedelta(days=expires_in_days),
                  access_count=0, quiet_alert_days=quiet_alert_days)
    db.session.add(share)
    db.session.flush()
    return share, token


def list_shares(owner_id: str) -> list[Share]:
    """The owner's shares, newest first, each with `accepted_by` ({"email"} of the caregiver
    account that accepted it, or None) for the owner to see who holds access."""
    rows = db.session.execute(
        sa.select(Share, User.email).outerjoin(User, User.id == Share.caregiver_id)
        .where(Share.owner_id == owner_id).order_by(Share.created_at.desc(), Share.id)
    ).all()
    for share, email in rows:
        share.accepted_by = {"email": email} if email is not None else None  # not a column: for the answer only
    return [share for share, _ in rows]


def _own_share(owner_id: str, share_id: str) -> Share:
    """:raise 404: when the share is not the owner's."""
    share = db.session.scalar(sa.select(Share).where(Share.id == share_id, Share.owner_id == owner_id))
    if share is None:
        raise NotFound("No such share.")
    return share


def revoke_share(owner_id: str, share_id: str, now: datetime | None = None) -> None:
    """End a share at once (revoking again changes nothing). :raise 404: when not the owner's."""
    share = _own_share(owner_id, share_id)
    if share.revoked_at is None:
        share.revoked_at = now or utcnow()
        db.session.flush()


def share_accesses(owner_id: str, share_id: str, limit: int = 500) -> list[ShareAccess]:
    """The latest accesses through one of the owner's shares, newest first. :raise 404:"""
    share = _own_share(owner_id, share_id)
    return list(db.session.scalars(
        sa.select(ShareAccess).where(ShareAccess.share_id == share.id).order_by(ShareAccess.at.desc(), ShareAccess.id.desc()).limit(limit)
    ))


def export_shares(user_id: str) -> dict:
    """The shares a user made (never a token or its hash) with their access logs, and whom they follow."""
    made = []
    for share in list_shares(user_id):
        accesses = db.session.scalars(sa.select(ShareAccess).where(ShareAccess.share_id == share.id).order_by(ShareAccess.at))
        made.append({**share_json(share), "accesses": [{"at": format_instant(a.at), "what": a.what} for a in accesses]})
    return {"made": made, "following": [{**p, "since": format_instant(p["since"])} for p in people(user_id)]}


def share_json(share: Share) -> dict:
    return {
        "id": share.id, "kind": share.kind, "scopes": list(share.scopes), "label": share.label,
        "created_at": format_instant(share.created_at), "expires_at": format_instant(share.expires_at),
        "revoked_at": format_instant(share.revoked_at), "last_access_at": format_instant(share.last_access_at),
        "access_count": share.access_count,
        "accepted_by": getattr(share, "accepted_by", None), "accepted_at": format_instant(share.accepted_at),
    }


# --- using a share --------------------------------------------------------------------------------

def _by_token(token: str) -> Share | None:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return db.session.scalar(sa.select(Share).where(Share.token_hash == hash_token(token)))


def find_link(token: str, now: datetime | None = None) -> Share:
    """The live link share of a token. :raise 404: for an unknown, expired, revoked or caregiver token."""
    now = now or utcnow()
    share = _by_token(token)
    if share is None or share.kind != "link" or share.revoked_at is not None or share.expires_at <= now:
        raise NotFound(GONE)
    return share


def record_access(share_ids: list[str], what: str, now: datetime | None = None) -> None:
    """Count and log a read through these shares; call inside the write transaction.

    :raise 404: when none of them is live any more (revoked or expired since it was looked up).
    """
    now = now or utcnow()
    result = db.session.execute(
        sa.update(Share).where(Share.id.in_(share_ids), _active(now))
        .values(access_count=Share.access_count + 1, last_access_at=now)
        .returning(Share.id)
    )
    live = list(result.scalars())
    if not live:
        raise NotFound(GONE)
    db.session.add_all([ShareAccess(share_id=share_id, at=now, what=what) for share_id in live])
    db.session.flush()


def accept_share(caregiver_id: str, token: str, now: datetime | None = None) -> dict:
    """Bind a caregiver share to the signed-in account; the token is used up.

    Accepting again from the same account answers the same. :raise 404: for an unknown, used,
    expired, revoked or link token. :raise 400: for one's own share.
    """
    now = now or utcnow()
    share = _by_token(token)
    if share is None or share.kind != "caregiver" or share.revoked_at is not None or share.expires_at <= now:
        raise NotFound(GONE)
    if share.owner_id == caregiver_id:
        raise ApiError("This is your own share: send it to the person who cares for you, who accepts it while signed in.",
                       {"token": ["Your own share."]})
    if share.caregiver_id is None and share.accepted_at is None:
        taken = db.session.execute(
            sa.update(Share).where(Share.id == share.id, Share.accepted_at.is_(None), _active(now))
            .values(caregiver_id=caregiver_id, accepted_at=now)
        ).rowcount
        if taken != 1:
            raise NotFound(GONE)
        db.session.add(ShareAccess(share_id=share.id, at=now, what="accepted"))
        db.session.flush()
        db.session.refresh(share)
    elif share.caregiver_id != caregiver_id:
        raise NotFound(GONE)
    person = [p for p in people(caregiver_id, now) if p["id"] == share.owner_id]
    if not person:
        raise NotFound(GONE)
    return person[0]


def _caregiver_shares(caregiver_id: str, now: datetime, person_id: str | None = None) -> list[tuple[Share, User]]:
    query = (
        sa.select(Share, User).join(User, User.id == Share.owner_id)
        .where(Share.caregiver_id == caregiver_id, Share.kind == "caregiver", _active(now))
        .order_by(Share.accepted_at, Share.id)
    )
    if person_id is not None:
        query = query.where(Share.owner_id == person_id)
    return [(share, user) for share, user in db.session.execute(query)]


def people(caregiver_id: str, now: datetime | None = None) -> list[dict]:
    """The people who share with this caregiver: one entry each, scopes of all live shares joined."""
    found: dict = {}
    for share, person in _caregiver_shares(caregiver_id, now or utcnow()):
        entry = found.setdefault(person.id, {"id": person.id, "email": person.email, "display_name": person.display_name,
                                             "scopes": set(), "since": share.accepted_at})
        entry["scopes"].update(share.scopes)
        entry["since"] = min(entry["since"], share.accepted_at)
    return [{**entry, "scopes": canonical_scopes(entry["scopes"])} for entry in sorted(found.values(), key=lambda e: e["email"])]


def find_person(caregiver_id: str, person_id: str, now: datetime | None = None) -> tuple[User, list[str], list[str]]:
    """The person, the scopes their live shares give this caregiver, and those shares' ids.

    :raise 404: when the person shares nothing live with this caregiver.
    """
    rows = _caregiver_shares(caregiver_id, now or utcnow(), person_id) if isinstance(person_id, str) and len(person_id) <= 64 else []
    if not rows:
        raise NotFound("Nobody with this id shares with you.")
    scopes = canonical_scopes(scope for share, _ in rows for scope in share.scopes)
    return rows[0][1], scopes, [share.id for share, _ in rows]


# --- what a share shows -------------------------------------------------------------------------

def records_in_range(user_id: str, timezone: str, first: date, last: date, scopes, day_starts_at: str | None = None) -> dict:
    """The non-deleted records on local dates first..last that the scopes open, notes only with `notes`.
    Local dates follow the person's day start (read from the account when not given)."""
    scopes = set(scopes)
    zone = ZoneInfo(timezone)
    if day_starts_at is None:
        day_starts_at = db.session.scalar(sa.select(User.day_starts_at).where(User.id == user_id))
    shift = day_start(day_starts_at)
    start, end = utc_bounds(zone, first, last, int(shift.total_seconds()))
    records: dict = {}
    for name, entity in ENTITIES.items():
        if ENTITY_SCOPES[name] not in scopes:
            records[name] = None
            continue
        model = entity.model
        when = getattr(model, entity.time_field)
        query = sa.select(model).where(model.user_id == user_id, model.deleted.is_(False))
        if name == "checkin":
            query = query.where(when >= first, when <= last)
        else:
            query = query.where(when >= start, when < end)
        found = []
        for row in db.session.scalars(query.order_by(when, model.record_id)):
            if name != "checkin" and not first <= local_date_of(getattr(row, entity.time_field), zone, shift) <= last:
                continue
            data = {"record_id": row.record_id, **entity.to_json(row)}
            if "notes" not in scopes:
                data.pop("note", None)
            found.append(data)
        records[name] = found
    return {"from": first.isoformat(), "to": last.isoformat(), "timezone": timezone, "records": records}


def caregivers_to_alert(owner_id: str, now: datetime | None = None) -> list[tuple[str, list[str]]]:
    """(caregiver user id, scopes) for every live, accepted caregiver share with `alerts`."""
    rows = db.session.scalars(
        sa.select(Share).where(Share.owner_id == owner_id, Share.kind == "caregiver", Share.caregiver_id.is_not(None),
                               _active(now or utcnow()))
    )
    found: dict = {}
    for share in rows:
        if "alerts" in share.scopes:
            found.setdefault(share.caregiver_id, set()).update(share.scopes)
    return [(caregiver_id, canonical_scopes(scopes)) for caregiver_id, scopes in found.items()]


export_sections["shares"] = export_shares
