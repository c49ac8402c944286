"""Caregiver alerts (§5, §6, §13): a push to each caregiver with `alerts` when a red-flag symptom
syncs, and the missed-days alert when the person has logged nothing for a while.

The red-flag alert is queued in the sync push's own transaction through the reminders pipeline
(`server.push.service.notify_user`), so it is sent only if the symptom is really stored. The
missed-days alert is looked for by the dispatcher (`missed_days_alerts`, every reap pass).
"""
from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..accounts.models import User
from ..extensions import db
from ..instants import utcnow
from ..local_dates import day_start_of, local_date_of, local_day_start
from ..reports.figures import SYMPTOM_LABELS
from ..sync.entities import ENTITIES
from ..sync.schemas import RED_FLAG_KINDS
from ..sync.service import after_push_hooks, push_flag, push_flags
from .models import Share
from .service import caregivers_to_alert

log = logging.getLogger(__name__)
# A symptom older than the red-flag window is history being synced, not news to alert about.
ALERT_WINDOW = timedelta(days=28)
ALERT_TTL = 3 * 86400


def is_new_red_flag(row, now: datetime) -> bool:
    """A red-flag symptom first stored by this push (sync stamps created_at = updated_at = now)."""
    return (
        not row.deleted and row.kind in RED_FLAG_KINDS and row.observed_at is not None
        and row.created_at == row.updated_at
        and now - ALERT_WINDOW <= row.observed_at <= now + timedelta(days=1)
    )


def red_flag_alert(person: User, kinds: list[str] | None) -> dict:
    """The notification; the symptom itself is named only to caregivers with the `symptoms` scope."""
    if kinds:
        what = " and ".join(SYMPTOM_LABELS[k].lower() for k in kinds)
        body = f"{person.email} logged {what}. It is a reason to talk to a doctor soon, not a diagnosis."
    else:
        body = f"{person.email} logged a symptom that is a reason to talk to a doctor soon. It is not a diagnosis."
    return {"kind": "red_flag", "title": "Twitchlog: a red flag was logged", "body": body,
            "tag": f"red-flag-{person.id}", "url": f"/#/caregiver/{person.id}", "person_id": person.id}


def alert_topic(person_id: str) -> str:
    """A push-service Topic (≤ 32 base64url chars): a newer alert about one person replaces an unsent one."""
    return "rf-" + hashlib.sha256(person_id.encode()).hexdigest()[:24]


def alert_caregivers(user_id: str, changes: list) -> None:
    """after_push hook: queue an alert for each caregiver with `alerts` when a new red flag arrives."""
    now = utcnow()
    kinds = {row.kind for entity, row in changes if entity == "symptom" and is_new_red_flag(row, now)}
    if not kinds:
        return
    caregivers = caregivers_to_alert(user_id, now)
    if not caregivers:
        return
    person = db.session.get(User, user_id)
    ordered = [kind for kind in RED_FLAG_KINDS if kind in kinds]
    for caregiver_id, scopes in caregivers:
        send_red_flag_alert(caregiver_id, person.id, red_flag_alert(person, ordered if "symptoms" in scopes else None), now)


def send_red_flag_alert(caregiver_id: str, person_id: str, payload: dict, now: datetime) -> int:
    """Queue the alert for every device of the caregiver; how many deliveries were queued.

    A fault here must never fail the person's sync push, so it is logged and swallowed.
    """
    from ..push.service import notify_user

    try:
        return notify_user(caregiver_id, payload, topic=alert_topic(person_id), ttl=ALERT_TTL, urgency="high", now=now)
    except ValueError:
        log.exception("caregiver alert for %s could not be queued", caregiver_id)
        return 0


# --- the missed-days alert (§13) ------------------------------------------------------------------

QUIET_TTL = 86400


def last_entry(user_id: str, zone: ZoneInfo, shift: timedelta) -> tuple[date | None, datetime | None]:
    """The latest local date with any live record (a check-in by its date) and when the latest
    record was written, or None for either when there is none."""
    latest_day, latest_written = None, None
    for name, entity in ENTITIES.items():
        model = entity.model
        when, written = db.session.execute(
            sa.select(sa.func.max(getattr(model, entity.time_field)), sa.func.max(model.created_at))
            .where(model.user_id == user_id, model.deleted.is_(False))
        ).one()
        if when is not None:
            day = when if name == "checkin" else local_date_of(when, zone, shift)
            latest_day = day if latest_day is None else max(latest_day, day)
        if written is not None:
            latest_written = written if latest_written is None else max(latest_written, written)
    return latest_day, latest_written


def missed_days_alert(person: User, days: int) -> dict:
    return {"kind": "quiet_days", "title": "Twitchlog: no entries for a few days",
            "body": f"{person.email} has logged nothing for {days} days. It may mean nothing; a short call may help.",
            "tag": f"quiet-{person.id}", "url": f"/#/caregiver/{person.id}", "person_id": person.id}


def missed_days_alerts(now: datetime | None = None) -> int:
    """One push to each caregiver whose live, accepted `alerts` share sets `quiet_alert_days` = n,
    when the person has no entry dated on the last n local dates before today (nor today) and
    wrote none since the first of them; then none again until the person logs again. The share
    must have been live since that first date. Returns how many caregivers were alerted.
    `quiet_alerted_at` is cleared by any new entry (`logged_again`)."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(Share, User).join(User, User.id == Share.owner_id).where(
            Share.quiet_alert_days.is_not(None), Share.kind == "caregiver", Share.caregiver_id.is_not(None),
            Share.revoked_at.is_(None), Share.expires_at > now)
    ).all()
    by_person: dict = defaultdict(list)
    for share, person in rows:
        if "alerts" in share.scopes:
            by_person[person].append(share)
    alerted = 0
    for person, shares in by_person.items():
        zone, shift = ZoneInfo(person.timezone), day_start_of(person)
        today = local_date_of(now, zone, shift)
        latest_day, latest_written = last_entry(person.id, zone, shift)
        told = set()
        for share in shares:
            first_quiet = today - timedelta(days=share.quiet_alert_days)
            since = local_day_start(first_quiet, zone, shift)
            if share.created_at > since:
                continue  # not shared for the whole quiet stretch yet
            if (latest_day is not None and latest_day >= first_quiet) or (latest_written is not None and latest_written >= since):
                continue  # logged on one of those dates, or wrote something since
            if share.quiet_alerted_at is not None:
                continue  # told already; nothing logged since
            share.quiet_alerted_at = now
            if share.caregiver_id in told:
                continue  # one push per caregiver, however many shares
            told.add(share.caregiver_id)
            alerted += 1
            _notify(share.caregiver_id, missed_days_alert(person, share.quiet_alert_days), person.id, now)
    db.session.flush()
    return alerted


def _notify(caregiver_id: str, payload: dict, person_id: str, now: datetime) -> None:
    from ..push.service import notify_user

    try:
        notify_user(caregiver_id, payload, topic="qd-" + hashlib.sha256(person_id.encode()).hexdigest()[:24],
                    ttl=QUIET_TTL, urgency="normal", now=now)
    except ValueError:
        log.exception("missed-days alert for %s could not be queued", caregiver_id)


def logged_again(user_id: str, changes: list) -> None:
    """after_push hook: the person logged again, so a later quiet stretch may alert once more."""
    told = push_flag("quiet_alerted")  # read by the push's counter claim; None when not known
    if told is not None and not told:
        return  # no share holds an alert back: nothing to clear (the common case costs no statement)
    if any(not row.deleted for _, row in changes):
        db.session.execute(sa.update(Share).where(Share.owner_id == user_id, Share.quiet_alerted_at.is_not(None))
                           .values(quiet_alerted_at=None).execution_options(synchronize_session=False))


after_push_hooks.append(alert_caregivers)
after_push_hooks.append(logged_again)
# does any share of the person hold a missed-days alert back (for logged_again)?
push_flags["quiet_alerted"] = lambda user_id: sa.exists().where(Share.owner_id == user_id, Share.quiet_alerted_at.is_not(None))
