"""Reminders and Web Push as the API and other capabilities see them. Flushes, never commits.

For other capabilities: `notify_user(user_id, payload, ...)` queues one push to every device of
a user through the same pipeline as reminders (caregiver alerts use it).
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..accounts.models import LoginSession, User
from ..accounts import models as account_models
from ..accounts.service import account_deleters
from ..errors import NotFound
from ..export.service import export_sections
from ..extensions import db
from ..fields import canonical_uuid
from ..instants import EARLIEST, format_instant, utcnow
from ..local_dates import day_start, local_date_of, local_day_start
from ..sync.models import Activity, Checkin, Twitch
from ..sync.service import after_push_hooks, push_flag, push_flags
from . import planning
from .models import PushDelivery, PushSubscription, ReminderOccurrence, ReminderSettings
from .sender import origin_of

DEFAULTS = {
    "evening": {"enabled": False, "time": "21:00"},
    "pacing": {"enabled": False, "every_minutes": 90, "active_from": "09:00", "active_to": "21:00", "days": [0, 1, 2, 3, 4]},
    "quiet_hours": {"from": "22:00", "to": "07:00"},
    "burst": {"enabled": False, "count": 5, "minutes": 15},
    "max_per_day": 12,
}
URGENCIES = ("very-low", "low", "normal", "high")
TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}", re.ASCII)  # fullmatch: `$` would let a newline through
MAX_PAYLOAD = 1024
MAX_TTL = 28 * 86400
OPEN_DELIVERY = ("queued", "claimed")
MAX_SUBSCRIPTIONS = 10  # per user (§12); a new one replaces the least recently seen
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
PLAN_AT_ONCE = EARLIEST  # next_plan_at meaning "look at these settings on the next pass"

SNOOZE_ACTION = {"action": "snooze", "title": "Snooze 15 min"}
PROMPTS = {
    "evening": {
        "title": "Evening check-in",
        "body": "When you are ready: 30 seconds on today's sleep, stress and twitching.",
        "url": "/#/checkin",
        "actions": [SNOOZE_ACTION, {"action": "done", "title": "Done"}],
    },
    "pacing": {
        "title": "Time for a rest break",
        "body": "You have been active for a while. A few quiet minutes now helps pacing.",
        "url": "/#/pacing",
        "actions": [SNOOZE_ACTION, {"action": "done", "title": "I rested"}],
    },
    "burst": {
        "title": "A burst of twitches",
        "body": "Many twitches in a short time. A few quiet minutes of rest may help; this is common and not a danger sign.",
        "url": "/#/pacing",
        "actions": [SNOOZE_ACTION, {"action": "done", "title": "I rested"}],
    },
}
TEST_MESSAGE = {"title": "Twitchlog", "body": "Notifications work on this device.", "url": "/#/reminders"}


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode("utf-8", "surrogatepass")).hexdigest()


def _clear(query) -> None:
    db.session.execute(query.execution_options(synchronize_session=False))


# --- subscriptions ---------------------------------------------------------------------------

def save_subscription(user_id: str, endpoint: str, p256dh: str, auth: str, expiration_ms: float | None,
                      vapid_key: str, user_agent: str | None = None, now: datetime | None = None,
                      session_id: str | None = None) -> tuple[PushSubscription, bool]:
    """Upsert by endpoint; True when it is new to this user.

    An endpoint belongs to one browser. Known under another account, that account signed out of
    this browser: the old row goes (with its queued messages, which must not reach the new
    person) and a new row with a new id is made, so a sender still holding the old id cannot
    delete the new one (404/410 handling matches id and endpoint).
    """
    now = now or utcnow()
    expires = EPOCH + timedelta(milliseconds=expiration_ms) if expiration_ms else None  # exact to the ms; no float overflow
    digest = endpoint_hash(endpoint)
    row = db.session.scalar(sa.select(PushSubscription).where(PushSubscription.endpoint_hash == digest))
    if row is not None and row.user_id != user_id:
        db.session.delete(row)
        db.session.flush()
        row = None
    created = row is None
    if created:
        _make_room(user_id)
        row = PushSubscription(user_id=user_id, endpoint=endpoint, endpoint_hash=digest, created_at=now, consecutive_failures=0)
        db.session.add(row)
    if not created and (row.p256dh != p256dh or row.auth != auth):
        row.consecutive_failures = 0  # new keys: a fresh start for this browser
    row.p256dh, row.auth, row.vapid_key = p256dh, auth, vapid_key
    row.expiration_time = expires
    row.session_id = session_id  # None for a bearer token: such a subscription lasts until deleted
    row.last_seen_at = now
    row.user_agent = (user_agent or "")[:200] or None
    db.session.flush()
    return row, created


def _make_room(user_id: str) -> None:
    """Keep the user below MAX_SUBSCRIPTIONS before one more is added: the least recently seen
    go (with their queued messages), so no one can fan a message out to endless endpoints.
    On PostgreSQL the user's row is locked first, so two browsers subscribing at once cannot
    both see room for one; on SQLite the write lock already orders them."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.select(User.id).where(User.id == user_id).with_for_update())
    keep = MAX_SUBSCRIPTIONS - 1
    stale = list(db.session.scalars(
        sa.select(PushSubscription.id).where(PushSubscription.user_id == user_id)
        .order_by(PushSubscription.last_seen_at.desc(), PushSubscription.created_at.desc(), PushSubscription.id)
        .offset(keep)
    ))
    if stale:
        _clear(sa.delete(PushDelivery).where(PushDelivery.subscription_id.in_(stale)))
        _clear(sa.delete(PushSubscription).where(PushSubscription.id.in_(stale)))
        db.session.flush()


def remove_subscription(user_id: str, endpoint: str) -> None:
    """Forget this browser for this user; nothing happens for an endpoint that is not theirs."""
    _clear(sa.delete(PushSubscription).where(PushSubscription.endpoint_hash == endpoint_hash(endpoint),
                                             PushSubscription.user_id == user_id))


def active_subscriptions(user_ids, now: datetime) -> dict[str, list[PushSubscription]]:
    found: dict[str, list[PushSubscription]] = {uid: [] for uid in user_ids}
    if not found:
        return found
    rows = db.session.scalars(
        sa.select(PushSubscription)
        .outerjoin(LoginSession, LoginSession.id == PushSubscription.session_id)
        .where(PushSubscription.user_id.in_(list(found)),
               sa.or_(PushSubscription.expiration_time.is_(None), PushSubscription.expiration_time > now),
               sa.or_(PushSubscription.session_id.is_(None), LoginSession.expires_at > now))  # signed out by expiry: quiet
        .order_by(PushSubscription.created_at)
    )
    for row in rows:
        found[row.user_id].append(row)
    return found


# --- notifications of any kind ---------------------------------------------------------------

def encode_payload(payload: dict) -> str:
    """:raise ValueError: when the payload is over 1 KB as JSON (push services cap ~4 KB encrypted)."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    if len(text.encode("utf-8")) > MAX_PAYLOAD:
        raise ValueError(f"A push payload is at most {MAX_PAYLOAD} bytes of JSON; this one is {len(text.encode())}.")
    return text


def queue_deliveries(subscriptions, payload: str, *, kind: str, urgency: str, topic: str | None,
                     not_before: datetime, expires_at: datetime, occurrence_id: str | None = None) -> int:
    """One queued delivery per subscription; for a prompt sent again (snooze) the row is reset."""
    rows = [
        {"subscription_id": s.id, "user_id": s.user_id, "occurrence_id": occurrence_id, "kind": kind, "payload": payload,
         "topic": topic, "urgency": urgency, "state": "queued", "not_before": not_before, "expires_at": expires_at,
         "attempts": 0, "created_at": not_before}
        for s in subscriptions
    ]
    if not rows:
        return 0
    statement = dialect_insert(PushDelivery).values(rows)
    if occurrence_id is not None:
        statement = statement.on_conflict_do_update(
            index_elements=["occurrence_id", "subscription_id"],
            set_={"state": "queued", "payload": statement.excluded.payload, "not_before": statement.excluded.not_before,
                  "expires_at": statement.excluded.expires_at, "attempts": 0, "claim_token": None, "claimed_at": None,
                  "last_status": None, "last_error": None},
        )
    db.session.execute(statement)
    return len(rows)


def notify_user(user_id: str, payload: dict, *, topic: str | None = None, ttl: int = 86400, urgency: str = "high",
                now: datetime | None = None) -> int:
    """Queue `payload` (a notification: {title, body, tag, url, kind, ...}, at most 1 KB as JSON)
    for every device of the user; the dispatcher sends it within a second or two, retrying
    within `ttl` seconds. Returns how many deliveries were queued (0 without subscriptions).
    Runs in the caller's transaction: nothing is queued unless the caller commits.
    :raise ValueError: for a payload over 1 KB, a bad topic (≤ 32 base64url characters),
    urgency or ttl.
    """
    if topic is not None and not TOPIC.fullmatch(topic):
        raise ValueError("A topic is 1 to 32 base64url characters.")
    if urgency not in URGENCIES:
        raise ValueError("urgency is one of " + ", ".join(URGENCIES))
    if not (0 < ttl <= MAX_TTL):
        raise ValueError(f"ttl is 1 to {MAX_TTL} seconds.")
    now = now or utcnow()
    text = encode_payload(payload)
    subscriptions = active_subscriptions([user_id], now)[user_id]
    return queue_deliveries(subscriptions, text, kind=str(payload.get("kind") or "alert")[:16], urgency=urgency, topic=topic,
                            not_before=now, expires_at=now + timedelta(seconds=ttl))


def send_test(user_id: str, now: datetime | None = None) -> int:
    """A test notification to each of the user's devices, through the same pipeline."""
    now = now or utcnow()
    payload = {**TEST_MESSAGE, "tag": "twitchlog-test", "kind": "test", "occurrence_id": None, "actions": []}
    return notify_user(user_id, payload, topic="test", ttl=600, urgency="normal", now=now)


def prompt_payload(occurrence: ReminderOccurrence) -> str:
    text = PROMPTS[occurrence.kind]
    return encode_payload({
        "title": text["title"], "body": text["body"], "tag": f"twitchlog-{occurrence.kind}", "url": text["url"],
        "kind": occurrence.kind, "occurrence_id": occurrence.id, "actions": text["actions"],
    })


# --- reminder settings -----------------------------------------------------------------------

def settings_json(row: ReminderSettings | None) -> dict:
    if row is None:
        return json.loads(json.dumps(DEFAULTS))
    quiet = {"from": row.quiet_from, "to": row.quiet_to} if row.quiet_from and row.quiet_to else None
    return {
        "evening": {"enabled": row.evening_enabled, "time": row.evening_time},
        "pacing": {
            "enabled": row.pacing_enabled, "every_minutes": row.pacing_every_minutes,
            "active_from": row.pacing_active_from, "active_to": row.pacing_active_to,
            "days": [int(d) for d in row.pacing_days.split(",") if d],
        },
        "quiet_hours": quiet,
        "burst": {"enabled": bool(row.burst_enabled), "count": row.burst_count, "minutes": row.burst_minutes},
        "max_per_day": row.max_per_day,
    }


def schedule_of(row: ReminderSettings, day_starts_at: str | None = None) -> planning.Schedule:
    """The settings as the planner reads them; `day_starts_at` is the user's (§13), for local dates."""
    data = settings_json(row)
    pacing, quiet, burst = data["pacing"], data["quiet_hours"], data["burst"]
    return planning.Schedule(
        evening=planning.Evening(row.evening_enabled, planning.clock(row.evening_time)),
        pacing=planning.Pacing(pacing["enabled"], pacing["every_minutes"], planning.clock(pacing["active_from"]),
                               planning.clock(pacing["active_to"]), frozenset(pacing["days"])),
        quiet=planning.Quiet(planning.clock(quiet["from"]), planning.clock(quiet["to"])) if quiet else None,
        burst=planning.Burst(burst["enabled"], burst["count"], burst["minutes"]),
        max_per_day=data["max_per_day"],
        day_start=day_start(day_starts_at),
    )


def get_settings(user_id: str) -> dict:
    return settings_json(db.session.get(ReminderSettings, user_id))


def replace_settings(user_id: str, data: dict, now: datetime | None = None) -> dict:
    """Replace the whole settings. Prompts planned but not yet sent are dropped and planned
    again from the new settings (a sent prompt stays: one evening prompt per date)."""
    now = now or utcnow()
    row = db.session.get(ReminderSettings, user_id)
    if row is None:
        row = ReminderSettings(user_id=user_id)
        db.session.add(row)
    evening, pacing, quiet = data["evening"], data["pacing"], data["quiet_hours"]
    row.evening_enabled, row.evening_time = evening["enabled"], evening["time"]
    row.pacing_enabled, row.pacing_every_minutes = pacing["enabled"], pacing["every_minutes"]
    row.pacing_active_from, row.pacing_active_to = pacing["active_from"], pacing["active_to"]
    row.pacing_days = ",".join(str(d) for d in sorted(pacing["days"]))
    row.quiet_from, row.quiet_to = (quiet["from"], quiet["to"]) if quiet else (None, None)
    burst = data.get("burst") or DEFAULTS["burst"]  # bodies from before §13 have none: defaults apply
    row.burst_enabled, row.burst_count, row.burst_minutes = burst["enabled"], burst["count"], burst["minutes"]
    row.max_per_day = data.get("max_per_day", DEFAULTS["max_per_day"])
    row.next_plan_at = PLAN_AT_ONCE
    row.updated_at = now
    _clear(sa.delete(ReminderOccurrence).where(ReminderOccurrence.user_id == user_id, ReminderOccurrence.status == "planned"))
    db.session.flush()
    return settings_json(row)


def last_rest(user_id: str, now: datetime) -> datetime | None:
    """When the user last rested: the end (else start) of a rest activity, or "I rested"."""
    rest_end = sa.func.coalesce(Activity.ended_at, Activity.started_at)
    logged = db.session.scalar(
        sa.select(sa.func.max(rest_end)).where(
            Activity.user_id == user_id, Activity.level == "rest", Activity.deleted.is_(False), Activity.started_at <= now)
    )
    rested = db.session.scalar(sa.select(ReminderSettings.rested_at).where(ReminderSettings.user_id == user_id))
    candidates = [t for t in (logged, rested) if t is not None and t <= now]
    return max(candidates) if candidates else None


def has_checkin(user_id: str, day: date) -> bool:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Checkin)
        .where(Checkin.user_id == user_id, Checkin.local_date == day, Checkin.deleted.is_(False))
    ) > 0


# --- snooze and done -------------------------------------------------------------------------

def _occurrence(user_id: str, occurrence_id: str) -> ReminderOccurrence:
    """:raise 404: unless it is the caller's."""
    occurrence_id = canonical_uuid(occurrence_id)
    row = db.session.get(ReminderOccurrence, occurrence_id) if occurrence_id else None
    if row is None or row.user_id != user_id:
        raise NotFound("No such reminder.")
    return row


def _cancel_open_deliveries(occurrence_ids) -> None:
    _clear(sa.update(PushDelivery)
           .where(PushDelivery.occurrence_id.in_(list(occurrence_ids)), PushDelivery.state.in_(OPEN_DELIVERY))
           .values(state="cancelled", claim_token=None))


def snooze(user_id: str, occurrence_id: str, minutes: int, now: datetime | None = None) -> ReminderOccurrence:
    """Hold the prompt back on every device, then send it again. A prompt already done or
    cancelled stays so (a stale notification on another device cannot bring it back).
    :raise 404: unless it is the caller's."""
    now = now or utcnow()
    row = _occurrence(user_id, occurrence_id)
    if row.status in ("done", "cancelled"):
        return row
    row.send_at = now + timedelta(minutes=minutes)
    lifetime = planning.EVENING_LIFETIME if row.kind == "evening" else planning.PACING_LIFETIME  # burst: as pacing
    row.expires_at = max(row.expires_at, row.send_at + lifetime)  # asked for: not dropped as late
    row.status = "planned"
    row.snoozes += 1
    row.updated_at = now
    _cancel_open_deliveries([row.id])
    db.session.flush()
    return row


def mark_done(user_id: str, occurrence_id: str, now: datetime | None = None) -> ReminderOccurrence:
    """Stop the prompt everywhere. "I rested" on a pacing prompt counts as a rest from now.
    :raise 404: unless it is the caller's."""
    now = now or utcnow()
    row = _occurrence(user_id, occurrence_id)
    if row.status == "done":
        return row
    row.status, row.done_at, row.updated_at = "done", now, now
    _cancel_open_deliveries([row.id])
    if row.kind == "pacing":
        settings = db.session.get(ReminderSettings, user_id)
        if settings is not None:
            settings.rested_at = now
            settings.next_plan_at = PLAN_AT_ONCE
        _cancel_pacing_before(user_id, now, now)
    db.session.flush()
    return row


def _cancel_pacing_before(user_id: str, rested: datetime, now: datetime) -> None:
    """Pacing prompts that count from before a rest are void: the rest reset the clock."""
    stale = sa.select(ReminderOccurrence.id).where(
        ReminderOccurrence.user_id == user_id, ReminderOccurrence.kind == "pacing",
        ReminderOccurrence.anchor_at < rested, ReminderOccurrence.status.in_(("planned", "sent")),
        ReminderOccurrence.due_at > rested,
    )
    ids = list(db.session.scalars(stale))
    if ids:
        _clear(sa.update(ReminderOccurrence).where(ReminderOccurrence.id.in_(ids), ReminderOccurrence.status == "planned")
               .values(status="cancelled", updated_at=now))
        _cancel_open_deliveries(ids)


# --- reacting to synced records ----------------------------------------------------------------

def on_records_synced(user_id: str, changes: list) -> None:
    """A check-in cancels that date's evening prompt; a rest resets the pacing clock; new
    twitches may make a burst (§13)."""
    now = utcnow()
    burst = push_flag("burst_enabled")  # read by the push's counter claim; None when not known
    if (burst is None or burst) and any(entity == "twitch" and not row.deleted for entity, row in changes):
        plan_burst(user_id, now)
    days = {row.local_date for entity, row in changes if entity == "checkin" and not row.deleted and row.local_date}
    rests = [row.ended_at or row.started_at for entity, row in changes
             if entity == "activity" and row.level == "rest" and not row.deleted and row.started_at is not None]
    if days:
        keys = [f"evening:{day.isoformat()}" for day in days]
        ids = list(db.session.scalars(sa.select(ReminderOccurrence.id).where(
            ReminderOccurrence.user_id == user_id, ReminderOccurrence.dedupe_key.in_(keys),
            ReminderOccurrence.status.in_(("planned", "sent")))))
        if ids:
            _clear(sa.update(ReminderOccurrence).where(ReminderOccurrence.id.in_(ids))
                   .values(status="cancelled", updated_at=now))
            _cancel_open_deliveries(ids)
    rests = [r for r in rests if r <= now]
    if rests:
        _cancel_pacing_before(user_id, max(rests), now)
        _clear(sa.update(ReminderSettings).where(ReminderSettings.user_id == user_id).values(next_plan_at=PLAN_AT_ONCE))


# --- bursts and the daily cap (§13) -----------------------------------------------------------------

def plan_burst(user_id: str, now: datetime | None = None) -> ReminderOccurrence | None:
    """Plan one `burst` prompt, due now, when the user's last `minutes` hold `count` twitches and
    no burst prompt came within `minutes`. The dispatcher sends it like any prompt: quiet hours
    hold it (until it expires), the daily cap counts it."""
    now = now or utcnow()
    row = db.session.get(ReminderSettings, user_id)
    if row is None or not row.burst_enabled:
        return None
    span = timedelta(minutes=row.burst_minutes)
    last_burst = db.session.scalar(sa.select(sa.func.max(ReminderOccurrence.due_at)).where(
        ReminderOccurrence.user_id == user_id, ReminderOccurrence.kind == "burst"))
    if last_burst is not None and now - last_burst < span:
        return None
    twitches = list(db.session.scalars(
        sa.select(Twitch.occurred_at).where(Twitch.user_id == user_id, Twitch.deleted.is_(False),
                                            Twitch.occurred_at > now - span, Twitch.occurred_at <= now)
        .order_by(Twitch.occurred_at)))
    user = db.session.get(account_models.User, user_id)
    schedule = schedule_of(row, user.day_starts_at)
    prompt = planning.burst_prompt(schedule.burst, time_zone(user.timezone), twitches, now, last_burst, schedule.day_start)
    if prompt is None:
        return None
    occurrence = ReminderOccurrence(
        user_id=user_id, kind=prompt.kind, dedupe_key=prompt.dedupe_key, local_date=prompt.local_date,
        due_at=prompt.due_at, send_at=prompt.due_at, expires_at=prompt.expires_at, status="planned", snoozes=0,
        created_at=now, updated_at=now)
    db.session.add(occurrence)
    db.session.flush()
    return occurrence


def daily_cap(user_ids, now: datetime) -> "PromptCap":
    """The daily cap for one pass of the dispatcher over these users' prompts."""
    return PromptCap(user_ids, now)


class PromptCap:
    """`max_per_day` (§13): pacing and burst prompts sent per local date of the sending moment
    (by the user's zone and day start), counted from the prompts already sent that date."""

    def __init__(self, user_ids, now: datetime):
        self.now = now
        users = db.session.execute(
            sa.select(account_models.User.id, account_models.User.timezone, account_models.User.day_starts_at,
                      ReminderSettings.max_per_day)
            .join(ReminderSettings, ReminderSettings.user_id == account_models.User.id)
            .where(account_models.User.id.in_(list(user_ids)))).all()
        self.users = {uid: (time_zone(tz), day_start(starts), cap) for uid, tz, starts, cap in users}
        self.cap = planning.DailyCap(self._sent_on)

    def _sent_on(self, user_id: str, day: date) -> int:
        zone, shift, _ = self.users[user_id]
        start, end = local_day_start(day, zone, shift), local_day_start(day + timedelta(days=1), zone, shift)
        return db.session.scalar(sa.select(sa.func.count()).select_from(ReminderOccurrence).where(
            ReminderOccurrence.user_id == user_id, ReminderOccurrence.kind.in_(planning.CAPPED_KINDS),
            ReminderOccurrence.status.in_(("sent", "done")),
            ReminderOccurrence.send_at >= start, ReminderOccurrence.send_at < end))

    def allows(self, occurrence: ReminderOccurrence) -> bool:
        """True (and counted) when this prompt may be sent now; False when the date's cap is reached."""
        if occurrence.kind not in planning.CAPPED_KINDS or occurrence.user_id not in self.users:
            return True
        zone, shift, cap = self.users[occurrence.user_id]
        return self.cap.allows(occurrence.user_id, occurrence.kind, local_date_of(self.now, zone, shift), cap)


# --- the user's data -------------------------------------------------------------------------

def export_reminders(user_id: str) -> dict:
    """Settings and devices; a device's keys and endpoint path stay out (they are secrets)."""
    subscriptions = db.session.scalars(
        sa.select(PushSubscription).where(PushSubscription.user_id == user_id).order_by(PushSubscription.created_at))
    return {
        "settings": get_settings(user_id),
        "devices": [
            {"id": s.id, "push_service": origin_of(s.endpoint), "created_at": format_instant(s.created_at),
             "last_seen_at": format_instant(s.last_seen_at), "expiration_time": format_instant(s.expiration_time)}
            for s in subscriptions
        ],
    }


def delete_user_rows(user_id: str) -> None:
    """Explicit, though the foreign keys cascade too: no database is trusted to have them on."""
    for model in (PushDelivery, ReminderOccurrence, PushSubscription, ReminderSettings):
        _clear(sa.delete(model).where(model.user_id == user_id))


def dialect_insert(model):
    """INSERT with ON CONFLICT for the engine in use (SQLite or PostgreSQL)."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        return ZoneInfo("UTC")


if on_records_synced not in after_push_hooks:
    after_push_hooks.append(on_records_synced)
# are burst prompts on (for on_records_synced; no settings row: off)?
push_flags["burst_enabled"] = lambda user_id: sa.func.coalesce(
    sa.select(ReminderSettings.burst_enabled).where(ReminderSettings.user_id == user_id).scalar_subquery(), sa.false())
if delete_user_rows not in account_deleters:
    account_deleters.append(delete_user_rows)
export_sections.setdefault("reminders", export_reminders)
