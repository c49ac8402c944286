"""The five record tables of the domain, the per-user change counter and the per-client queue mark.

Every record row is keyed by (user_id, record_id), so the same record_id under another user is a
different record. `version` is the change counter value of the push that last changed the row;
`field_hlc` maps each field (and `deleted`) to the hybrid logical clock of its winning write.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ..extensions import db
from ..instants import UTCDateTime, utcnow


class ChangeCounter(db.Model):
    """One row per user: the cursor every push increments first, holding its row lock."""

    __tablename__ = "change_counters"

    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    epoch: Mapped[str] = mapped_column(sa.String(16))


class SyncClient(db.Model):
    """How far a device's mutation queue has been applied."""

    __tablename__ = "sync_clients"

    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    last_mutation_id: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Record:
    """Columns every synced record has."""

    @declared_attr
    def user_id(cls) -> Mapped[str]:
        return mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, sort_order=-20)

    record_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, sort_order=-10)
    version: Mapped[int] = mapped_column(sa.BigInteger)
    deleted: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    field_hlc: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr.directive
    def __table_args__(cls):
        return (sa.Index(f"ix_{cls.__tablename__}_user_version", "user_id", "version"),)


class Twitch(Record, db.Model):
    __tablename__ = "twitches"

    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    body_region: Mapped[str | None] = mapped_column(sa.String(16))
    side: Mapped[str | None] = mapped_column(sa.String(8))
    intensity: Mapped[int | None] = mapped_column(sa.SmallInteger)
    visibility: Mapped[str | None] = mapped_column(sa.String(8))
    pattern: Mapped[str | None] = mapped_column(sa.String(12))
    at_rest: Mapped[bool | None] = mapped_column(sa.Boolean)
    note: Mapped[str | None] = mapped_column(sa.String(500))

    @declared_attr.directive
    def __table_args__(cls):
        return (
            sa.Index("ix_twitches_user_version", "user_id", "version"),
            sa.Index("ix_twitches_user_occurred", "user_id", "occurred_at"),
        )


class Checkin(Record, db.Model):
    __tablename__ = "checkins"

    local_date: Mapped[date | None] = mapped_column(sa.Date)
    sleep_hours: Mapped[float | None] = mapped_column(sa.Float)
    sleep_quality: Mapped[int | None] = mapped_column(sa.SmallInteger)
    stress: Mapped[int | None] = mapped_column(sa.SmallInteger)
    anxiety: Mapped[int | None] = mapped_column(sa.SmallInteger)
    fatigue: Mapped[int | None] = mapped_column(sa.SmallInteger)
    exertion: Mapped[int | None] = mapped_column(sa.SmallInteger)
    twitch_burden: Mapped[int | None] = mapped_column(sa.SmallInteger)
    hydration_l: Mapped[float | None] = mapped_column(sa.Float)
    electrolytes: Mapped[bool | None] = mapped_column(sa.Boolean)
    magnesium_mg: Mapped[float | None] = mapped_column(sa.Float)
    caffeine_mg: Mapped[float | None] = mapped_column(sa.Float)
    crash: Mapped[bool | None] = mapped_column(sa.Boolean)
    note: Mapped[str | None] = mapped_column(sa.String(2000))


class Symptom(Record, db.Model):
    __tablename__ = "symptoms"

    observed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    kind: Mapped[str | None] = mapped_column(sa.String(24))
    body_region: Mapped[str | None] = mapped_column(sa.String(16))
    side: Mapped[str | None] = mapped_column(sa.String(8))
    progressive: Mapped[bool | None] = mapped_column(sa.Boolean)
    note: Mapped[str | None] = mapped_column(sa.String(2000))


class Activity(Record, db.Model):
    __tablename__ = "activities"

    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    level: Mapped[str | None] = mapped_column(sa.String(10))
    label: Mapped[str | None] = mapped_column(sa.String(100))


class Intake(Record, db.Model):
    __tablename__ = "intakes"

    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    kind: Mapped[str | None] = mapped_column(sa.String(16))
    amount: Mapped[float | None] = mapped_column(sa.Float)
    unit: Mapped[str | None] = mapped_column(sa.String(8))
    label: Mapped[str | None] = mapped_column(sa.String(100))
