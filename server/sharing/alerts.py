"""Caregiver alerts (§5, §6): a push to each caregiver with `alerts` when a red-flag symptom syncs.

The alert is queued in the sync push's own transaction through the reminders pipeline
(`server.push.service.notify_user`), so it is sent only if the symptom is really stored.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from ..accounts.models import User
from ..extensions import db
from ..instants import utcnow
from ..reports.figures import SYMPTOM_LABELS
from ..sync.schemas import RED_FLAG_KINDS
from ..sync.service import after_push_hooks
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


after_push_hooks.append(alert_caregivers)
