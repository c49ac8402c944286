"""The send queue in the database: plan prompts, fan them out, claim, record, reap.

Any number of dispatchers may run on any number of machines. On PostgreSQL each step takes its
rows with FOR UPDATE SKIP LOCKED, so two never take the same row; on SQLite every step runs in a
BEGIN IMMEDIATE transaction, which makes the claiming process the only one at a time. Sending
happens outside any transaction: a claim is committed first, and a sender that dies leaves
rows `claimed` that the reaper returns to the queue after STALE_CLAIM (the crash window, whose
duplicates the Topic header and the notification tag hide).

Functions here flush, never commit; the worker commits each step.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import random
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ..accounts.models import User
from ..extensions import db
from ..sync.models import Checkin
from . import planning, service
from .models import PushDelivery, PushSubscription, ReminderOccurrence, ReminderSettings, new_id
from .sender import Message, Outcome

log = logging.getLogger(__name__)
HORIZON = timedelta(minutes=10)  # prompts are planned this far ahead of their time
STALE_CLAIM = timedelta(minutes=4)  # longer than a batch can take: 200 / 16 in flight x (5 s + 10 s) = 188 s
KEEP_FINISHED = timedelta(days=7)
KEEP_OCCURRENCES = timedelta(days=35)
MAX_ATTEMPTS = 12
BACKOFF_FIRST = 10.0  # seconds; doubles per attempt
BACKOFF_MOST = 900.0
TOPICS = {"evening": "evening", "pacing": "pacing", "burst": "burst"}  # one pending prompt of a kind per device
# Claiming order (§12: alerts and prompts never wait behind a flood): a caregiver's red-flag
# alert first, then reminder prompts, then everything else (tests, other notifications); within
# a lane, oldest first. A batch takes at most PER_SUBSCRIPTION_CLAIM deliveries of any one
# subscription, so one device (or a user's ten) with a backlog that never answers holds a few
# send slots, not the batch.
LANES = {"alert": 0, "evening": 1, "pacing": 1, "burst": 1}
OTHER_LANE = 2
PER_SUBSCRIPTION_CLAIM = 2
CANDIDATE_TURNS = 64  # how deep into each subscription's queue a claim looks (others may hold the first turns)
CANDIDATES_PER_CLAIM = 4  # candidates locked per delivery claimed

deliveries = PushDelivery.__table__
subscriptions = PushSubscription.__table__


def _skip_locked(query, of=None):
    """FOR UPDATE SKIP LOCKED on PostgreSQL (of the given table only); SQLite's BEGIN IMMEDIATE
    already makes the caller the only writer."""
    return query.with_for_update(skip_locked=True, of=of) if db.engine.dialect.name == "postgresql" else query


# --- planning --------------------------------------------------------------------------------

def plan_reminders(now: datetime, horizon: timedelta = HORIZON, limit: int = 500) -> int:
    """Insert the prompts that fall due within `horizon` for users whose turn has come;
    idempotent by (user, dedupe key). Returns how many new prompts were planned."""
    rows = db.session.execute(
        _skip_locked(
            sa.select(ReminderSettings, User.timezone, User.day_starts_at)
            .join(User, User.id == ReminderSettings.user_id)
            .where(ReminderSettings.next_plan_at <= now,
                   sa.or_(ReminderSettings.evening_enabled.is_(True), ReminderSettings.pacing_enabled.is_(True)))
            .order_by(ReminderSettings.next_plan_at)
            .limit(limit),
            of=ReminderSettings,  # never the users' rows
        )
    ).all()
    planned = []
    for settings, tz_name, day_starts_at in rows:
        tz = service.time_zone(tz_name)
        schedule = service.schedule_of(settings, day_starts_at)
        rest = service.last_rest(settings.user_id, now) if settings.pacing_enabled else None
        for prompt in planning.due_prompts(schedule, tz, now, horizon, rest, since=settings.updated_at):
            planned.append({
                "id": new_id(), "user_id": settings.user_id, "kind": prompt.kind, "dedupe_key": prompt.dedupe_key,
                "local_date": prompt.local_date, "due_at": prompt.due_at, "send_at": prompt.due_at,
                "expires_at": prompt.expires_at, "anchor_at": prompt.anchor_at, "status": "planned", "snoozes": 0,
                "created_at": now, "updated_at": now,
            })
        settings.next_plan_at = planning.next_check(schedule, tz, now, horizon, rest, since=settings.updated_at)
    inserted = 0
    for start in range(0, len(planned), 200):
        statement = service.dialect_insert(ReminderOccurrence).values(planned[start:start + 200])
        result = db.session.execute(statement.on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"]))
        inserted += max(result.rowcount, 0)
    db.session.flush()
    return inserted


def fan_out(now: datetime, limit: int = 500) -> int:
    """Turn prompts whose time has come into one delivery per subscription, after checking they
    are still wanted (no check-in yet, no rest since) and not inside quiet hours."""
    occurrences = list(db.session.scalars(
        _skip_locked(
            sa.select(ReminderOccurrence)
            .where(ReminderOccurrence.status == "planned", ReminderOccurrence.send_at <= now)
            .order_by(ReminderOccurrence.send_at)
            .limit(limit)
        )
    ))
    if not occurrences:
        return 0
    user_ids = {o.user_id for o in occurrences}
    settings = {s.user_id: s for s in db.session.scalars(sa.select(ReminderSettings).where(ReminderSettings.user_id.in_(user_ids)))}
    zones = dict(db.session.execute(sa.select(User.id, User.timezone).where(User.id.in_(user_ids))).all())
    checked_in = _checked_in({(o.user_id, o.local_date) for o in occurrences if o.kind == "evening"})
    rests = {uid: service.last_rest(uid, now) for uid in {o.user_id for o in occurrences if o.kind == "pacing"}}
    devices = service.active_subscriptions(user_ids, now)
    cap = service.daily_cap(user_ids, now)  # max_per_day pacing and burst prompts (§13)
    queued = 0
    for occurrence in occurrences:
        occurrence.updated_at = now
        row = settings.get(occurrence.user_id)
        if occurrence.expires_at <= now:
            occurrence.status = "expired"
            continue
        if not _still_wanted(occurrence, row, checked_in, rests):
            occurrence.status = "cancelled"
            continue
        held_until = planning.quiet_until(service.schedule_of(row).quiet, service.time_zone(zones[occurrence.user_id]), now)
        if held_until is not None:
            if held_until >= occurrence.expires_at:
                occurrence.status = "expired"  # dropped, never sent late
            else:
                occurrence.send_at = held_until
            continue
        if not cap.allows(occurrence):
            occurrence.status = "cancelled"  # the date's cap is reached: dropped, not delayed
            continue
        occurrence.status = "sent"
        queued += service.queue_deliveries(
            devices[occurrence.user_id], service.prompt_payload(occurrence), kind=occurrence.kind, urgency="normal",
            topic=TOPICS[occurrence.kind], not_before=now, expires_at=occurrence.expires_at, occurrence_id=occurrence.id,
        )
    db.session.flush()
    return queued


def _checked_in(pairs) -> set:
    if not pairs:
        return set()
    found = set()
    by_user = defaultdict(set)
    for user_id, day in pairs:
        by_user[user_id].add(day)
    for user_id, days in by_user.items():
        found.update((row.user_id, row.local_date) for row in db.session.execute(
            sa.select(Checkin.user_id, Checkin.local_date)
            .where(Checkin.user_id == user_id, Checkin.local_date.in_(days), Checkin.deleted.is_(False))
        ))
    return found


def _still_wanted(occurrence: ReminderOccurrence, settings: ReminderSettings | None, checked_in: set, rests: dict) -> bool:
    if settings is None:
        return False
    if occurrence.kind == "evening":
        return settings.evening_enabled and (occurrence.user_id, occurrence.local_date) not in checked_in
    if occurrence.kind == "pacing":
        rest = rests.get(occurrence.user_id)
        return settings.pacing_enabled and (rest is None or occurrence.anchor_at is None or rest <= occurrence.anchor_at
                                            or rest > occurrence.due_at)
    if occurrence.kind == "burst":
        return bool(settings.burst_enabled)
    return False


# --- the send queue ---------------------------------------------------------------------------

def claim_deliveries(now: datetime, limit: int) -> list[Message]:
    """Take up to `limit` due deliveries for this process: they are `claimed` once the caller
    commits. Nobody else takes them until they are recorded or reaped.

    Fair and urgent first: each subscription's deliveries are numbered (its alerts, then its
    prompts, then the rest, oldest first) and taken in turns: every subscription's first, by
    lane, then every second... and a batch takes at most PER_SUBSCRIPTION_CLAIM of any one. So
    a prompt to one person's phone is among the first sends of the batch, however many messages
    another person's devices have waiting, and a device that never answers holds a few send
    slots, not the batch. Candidates are locked (SKIP LOCKED) before the cap is applied, so
    other senders go on to the next turns instead of all waiting for the first ones."""
    token = secrets.token_hex(8)
    lane = sa.case(LANES, value=deliveries.c.kind, else_=OTHER_LANE)
    ready = sa.and_(deliveries.c.state == "queued", deliveries.c.not_before <= now, deliveries.c.expires_at > now)
    ranked = (
        sa.select(deliveries.c.id, lane.label("lane"), sa.func.row_number().over(
            partition_by=deliveries.c.subscription_id, order_by=(lane, deliveries.c.not_before, deliveries.c.id)).label("turn"))
        .where(ready)
        .subquery()
    )
    # The turns are numbered without locks (FOR UPDATE cannot take a window function); the
    # candidates are then locked, skipping those another sender holds, and the cap applied here.
    candidates = db.session.execute(_skip_locked(
        sa.select(deliveries.c.id, deliveries.c.subscription_id)
        .join(ranked, ranked.c.id == deliveries.c.id)
        .where(ready, ranked.c.turn <= CANDIDATE_TURNS)
        .order_by(ranked.c.turn, ranked.c.lane, deliveries.c.not_before, deliveries.c.id)
        .limit(limit * CANDIDATES_PER_CLAIM),
        of=deliveries,
    )).all()
    taken: Counter = Counter()
    chosen = []
    for delivery_id, subscription_id in candidates:
        if taken[subscription_id] < PER_SUBSCRIPTION_CLAIM:
            taken[subscription_id] += 1
            chosen.append(delivery_id)
            if len(chosen) >= limit:
                break
    if not chosen:
        return []
    order = {delivery_id: n for n, delivery_id in enumerate(chosen)}
    db.session.execute(
        sa.update(deliveries).where(_id_in(deliveries.c.id, "ids", db.engine.dialect.name))
        .values(state="claimed", claim_token=token, claimed_at=now, attempts=deliveries.c.attempts + 1),
        {"ids": list(chosen)},
    )
    rows = db.session.execute(
        sa.select(deliveries.c.id, deliveries.c.subscription_id, deliveries.c.payload, deliveries.c.expires_at,
                  deliveries.c.attempts, deliveries.c.urgency, deliveries.c.topic, subscriptions.c.endpoint, subscriptions.c.p256dh, subscriptions.c.auth)
        .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
        .where(_id_in(deliveries.c.id, "ids", db.engine.dialect.name)),
        {"ids": list(chosen)},
    ).all()
    rows.sort(key=lambda r: order[r.id])
    return [
        Message(r.id, token, r.subscription_id, r.endpoint, r.p256dh, r.auth, r.payload.encode("utf-8"),
                r.expires_at, r.attempts, r.urgency, r.topic)
        for r in rows
    ]


@dataclass(frozen=True)
class Tally:
    sent: int = 0
    retried: int = 0
    gone: int = 0
    failed: int = 0
    expired: int = 0
    refused: int = 0  # never sent: the endpoint or its address is not one we send to (§12)


def backoff_seconds(attempts: int) -> float:
    """Exponential with jitter, so a push service that failed is not hit by everyone at once."""
    return min(BACKOFF_MOST, BACKOFF_FIRST * 2 ** max(0, attempts - 1)) * random.uniform(0.8, 1.2)  # noqa: S311 (jitter, not a secret)


def _id_in(column, name: str, dialect: str):
    """`column` is one of the list bound as `name`. On PostgreSQL `= ANY(array)`: one SQL text
    whatever the list's length, so the driver prepares it once (an IN list of n is new SQL per n)."""
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(column.type)))
    return column.in_(sa.bindparam(name, expanding=True))


@functools.cache
def _record_statements(dialect: str) -> dict:
    """record_outcomes' statements, built once per dialect (it runs for every 50 deliveries).
    Every update of a delivery carries the claim token: a row the reaper gave to another sender
    is left to it."""
    mine = sa.and_(deliveries.c.id == sa.bindparam("b_id"), deliveries.c.claim_token == sa.bindparam("b_token"))
    outcome = {"claim_token": None, "last_status": sa.bindparam("b_status"), "last_error": sa.bindparam("b_error")}
    subscription_in = _id_in(subscriptions.c.id, "ids", dialect)
    return {
        "sent": sa.update(deliveries).where(_id_in(deliveries.c.id, "ids", dialect), deliveries.c.claim_token == sa.bindparam("b_token"))
                  .values(state="sent", sent_at=sa.bindparam("b_now"), **outcome),
        "retry": sa.update(deliveries).where(mine).values(state="queued", not_before=sa.bindparam("b_at"), **outcome),
        "expired": sa.update(deliveries).where(mine).values(state="expired", **outcome),
        "failed": sa.update(deliveries).where(mine).values(state="failed", **outcome),
        # A healthy subscription's row is rewritten at most once per SUCCESS_RESOLUTION, not per
        # message: with many messages to one device, that write cost as much as the deliveries'.
        "healthy": sa.update(subscriptions)
                     .where(subscription_in, sa.or_(subscriptions.c.consecutive_failures != 0, subscriptions.c.last_success_at.is_(None),
                                                    subscriptions.c.last_success_at < sa.bindparam("b_stale")))
                     .values(consecutive_failures=0, last_success_at=sa.bindparam("b_now")),
        "failing": sa.update(subscriptions).where(subscription_in)
                     .values(consecutive_failures=subscriptions.c.consecutive_failures + 1, last_failure_at=sa.bindparam("b_now")),
    }


SUCCESS_RESOLUTION = timedelta(hours=1)


def record_outcomes(outcomes: list[Outcome], now: datetime) -> Tally:
    """Apply §5's response table. Updates carry the claim token, so a row the reaper gave to
    another sender meanwhile is left to that sender."""
    if not outcomes:
        return Tally()
    sent, retry, expired, failed, gone, refused = [], [], [], [], [], []
    for outcome in outcomes:
        status, message = outcome.status, outcome.message
        key = {"b_id": message.delivery_id, "b_token": message.claim_token, "b_status": status, "b_error": outcome.error}
        if outcome.refused:
            # The subscription stays (its endpoint may be fine again, or an operator must look):
            # this message fails for good, is logged (by the sender) and counted.
            failed.append(key)
            refused.append(message)
        elif status is not None and 200 <= status < 300:
            sent.append(key)
        elif status in (404, 410):
            gone.append(message)
        elif status is None or status == 429 or status >= 500:
            wait = outcome.retry_after if outcome.retry_after is not None else backoff_seconds(message.attempts)
            at = now + timedelta(seconds=max(1.0, wait))
            if at >= message.expires_at or message.attempts >= MAX_ATTEMPTS:
                (expired if at >= message.expires_at else failed).append(key)  # never sent late
            else:
                retry.append({**key, "b_at": at})
        else:
            failed.append(key)
            if status in (401, 403):
                log.error("push service %s refused our VAPID signature (%s): check TWITCHLOG_VAPID_* (subscription kept): %s",
                          _origin(message), status, outcome.error)
            elif status in (400, 413):
                log.error("push service %s says our request is wrong (%s), a bug on our side: %s", _origin(message), status, outcome.error)
            else:
                log.warning("push service %s answered %s; not retried: %s", _origin(message), status, outcome.error)
    statements = _record_statements(db.engine.dialect.name)
    if sent:
        # usually one statement: a batch's successes share their claim token and status
        groups = defaultdict(list)
        for key in sent:
            groups[(key["b_token"], key["b_status"], key["b_error"])].append(key["b_id"])
        for (token, status, error), ids in groups.items():
            db.session.execute(statements["sent"], {"ids": ids, "b_token": token, "b_status": status, "b_error": error, "b_now": now})
    for name, keys in (("retry", retry), ("expired", expired), ("failed", failed)):
        if keys:
            db.session.execute(statements[name], keys)
    for message in gone:  # id AND endpoint: a re-made subscription under the same id is not touched
        db.session.execute(sa.delete(subscriptions).where(
            subscriptions.c.id == message.subscription_id, subscriptions.c.endpoint_hash == _hash(message.endpoint)))
    ok = {o.message.subscription_id for o in outcomes if o.status is not None and 200 <= o.status < 300}
    bad = {o.message.subscription_id for o in outcomes if o.status is None or o.status == 429 or o.status >= 500} - ok
    if ok:
        db.session.execute(statements["healthy"], {"ids": sorted(ok), "b_now": now, "b_stale": now - SUCCESS_RESOLUTION})
    if bad:
        db.session.execute(statements["failing"], {"ids": sorted(bad), "b_now": now})
    return Tally(sent=len(sent), retried=len(retry), gone=len(gone), failed=len(failed) - len(refused), expired=len(expired),
                 refused=len(refused))


def _origin(message: Message) -> str:
    return message.endpoint.split("/", 3)[2] if "://" in message.endpoint else "?"


def _hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode("utf-8", "surrogatepass")).hexdigest()


def reap(now: datetime, stale_after: timedelta = STALE_CLAIM) -> int:
    """Return claims older than `stale_after` to the queue (their sender died or hung), drop
    what expired, and clear old finished rows. Returns how many claims were returned."""
    returned = db.session.execute(
        sa.update(deliveries)
        .where(deliveries.c.state == "claimed", deliveries.c.claimed_at < now - stale_after, deliveries.c.expires_at > now)
        .values(state="queued", claim_token=None)
    ).rowcount
    db.session.execute(
        sa.update(deliveries)
        .where(deliveries.c.state.in_(("queued", "claimed")), deliveries.c.expires_at <= now,
               sa.or_(deliveries.c.state == "queued", deliveries.c.claimed_at < now - stale_after))
        .values(state="expired", claim_token=None)
    )
    occurrences = ReminderOccurrence.__table__
    db.session.execute(
        sa.update(occurrences).where(occurrences.c.status == "planned", occurrences.c.expires_at <= now)
        .values(status="expired", updated_at=now)
    )
    db.session.execute(
        sa.delete(deliveries).where(deliveries.c.state.in_(("sent", "failed", "expired", "cancelled")),
                                    deliveries.c.created_at < now - KEEP_FINISHED)
    )
    db.session.execute(sa.delete(occurrences).where(occurrences.c.due_at < now - KEEP_OCCURRENCES))
    if returned:
        log.warning("returned %d stale push claims to the queue", returned)
    return returned
