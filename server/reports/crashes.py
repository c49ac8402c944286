"""Crash days (§13): how many of the recent check-ins said "crash", against the two weeks before.

Read by the clinician picture, and so by the clinician page and the PDF."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..sync.models import Checkin

CRASH_HALF = 14  # days, as the trend's halves (§13)


def crash_days(user_id: str, last: date) -> dict:
    """Crash days (§13), trend-like: the 14 local dates ending at `last` and the 14 before.

    Each half is {"from", "to", "crash_days", "answered"}: dates whose check-in says `crash`
    true, and check-ins that answered the question at all (true or false).
    """
    first = last - timedelta(days=2 * CRASH_HALF - 1)
    rows = db.session.execute(
        sa.select(Checkin.local_date, Checkin.crash).where(
            Checkin.user_id == user_id, Checkin.deleted.is_(False), Checkin.crash.is_not(None),
            Checkin.local_date >= first, Checkin.local_date <= last)
    ).all()

    def half(start: date) -> dict:
        end = start + timedelta(days=CRASH_HALF - 1)
        answers = [crash for day, crash in rows if start <= day <= end]
        return {"from": start.isoformat(), "to": end.isoformat(), "crash_days": sum(answers), "answered": len(answers)}

    return {"recent": half(last - timedelta(days=CRASH_HALF - 1)), "before": half(first)}
