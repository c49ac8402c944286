"""Shares a person makes with a caregiver or a clinician, and the log of every access to them.

The token is shown once and only its SHA-256 is stored. A share row outlives its revocation or
expiry so the owner keeps the history; the owner's account deletion removes it (FK cascade).
"""
from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..instants import UTCDateTime, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def new_id() -> str:
    return str(uuid.uuid4())


class Share(db.Model):
    __tablename__ = "shares"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # caregiver | link
    scopes: Mapped[list] = mapped_column(sa.JSON)
    label: Mapped[str | None] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The caregiver account a caregiver share was accepted by; the token is used up then.
    caregiver_id: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_access_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    access_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    # Missed-days alert (§13): caregivers with `alerts` hear once when the person logged nothing
    # on the last n local dates; quiet_alerted_at holds it back until the person logs again.
    quiet_alert_days: Mapped[int | None] = mapped_column(sa.Integer)
    quiet_alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ShareAccess(db.Model):
    """One read through a share (page, PDF, caregiver view), for the owner's access log."""

    __tablename__ = "share_accesses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    share_id: Mapped[str] = mapped_column(sa.ForeignKey("shares.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    what: Mapped[str] = mapped_column(sa.String(16))  # page | report | insights | events | accepted
