"""Tables of reminders and Web Push: subscriptions, settings, planned prompts and the send queue.

A prompt (`ReminderOccurrence`) is planned once per dedupe key; it fans out into one
`PushDelivery` per subscription of its user, which the senders claim, send and record.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..instants import UTCDateTime, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def new_id() -> str:
    return str(uuid.uuid4())


class PushSubscription(db.Model):
    """One browser (device) that accepts pushes for a user, and the VAPID key it was made for."""

    __tablename__ = "push_subscriptions"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The sign-in that saved it: signing out (anywhere) ends pushes to that browser with it.
    session_id: Mapped[str | None] = mapped_column(sa.ForeignKey("login_sessions.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(sa.String(2048))
    endpoint_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # long URLs index badly
    p256dh: Mapped[str] = mapped_column(sa.String(100))
    auth: Mapped[str] = mapped_column(sa.String(32))
    vapid_key: Mapped[str] = mapped_column(sa.String(100))
    expiration_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    consecutive_failures: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReminderSettings(db.Model):
    """A user's reminder choices (§5), plus when the planner should look at them next."""

    __tablename__ = "reminder_settings"

    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    evening_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    evening_time: Mapped[str] = mapped_column(sa.String(5))
    pacing_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    pacing_every_minutes: Mapped[int] = mapped_column(sa.Integer)
    pacing_active_from: Mapped[str] = mapped_column(sa.String(5))
    pacing_active_to: Mapped[str] = mapped_column(sa.String(5))
    pacing_days: Mapped[str] = mapped_column(sa.String(13))  # "0,1,2,3,4"
    quiet_from: Mapped[str | None] = mapped_column(sa.String(5))
    quiet_to: Mapped[str | None] = mapped_column(sa.String(5))
    rested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last "I rested" from a notification
    burst_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    burst_count: Mapped[int] = mapped_column(sa.Integer, default=5, server_default="5")
    burst_minutes: Mapped[int] = mapped_column(sa.Integer, default=15, server_default="15")
    max_per_day: Mapped[int] = mapped_column(sa.Integer, default=12, server_default="12")  # pacing + burst prompts
    next_plan_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderOccurrence(db.Model):
    """One prompt: planned (waiting for send_at), sent, done, cancelled or expired."""

    __tablename__ = "reminder_occurrences"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "dedupe_key"),
        sa.Index("ix_reminder_occurrences_status_send_at", "status", "send_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    dedupe_key: Mapped[str] = mapped_column(sa.String(64))
    local_date: Mapped[date] = mapped_column(sa.Date)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    send_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    anchor_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # pacing: the rest (or window start) it counts from
    status: Mapped[str] = mapped_column(sa.String(10), default="planned")
    snoozes: Mapped[int] = mapped_column(sa.Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PushDelivery(db.Model):
    """One message to one subscription: queued -> claimed -> sent | failed | expired | cancelled."""

    __tablename__ = "push_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("occurrence_id", "subscription_id"),
        sa.Index("ix_push_deliveries_state_not_before", "state", "not_before"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(sa.ForeignKey("push_subscriptions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[str | None] = mapped_column(sa.ForeignKey("reminder_occurrences.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    payload: Mapped[str] = mapped_column(sa.Text)
    topic: Mapped[str | None] = mapped_column(sa.String(32))
    urgency: Mapped[str] = mapped_column(sa.String(8))
    state: Mapped[str] = mapped_column(sa.String(10), default="queued")
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(sa.Integer)
    last_error: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
