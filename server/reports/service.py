"""The clinician report (§7, §16): at most two A4 pages for a neurology or EMG visit.

Every number is taken from insights() for the same period, unchanged (through
picture.clinician_picture, which the clinician page uses too), so the PDF, the page and the API
agree. The layout lives in pdf.py. The report heads with the person's display name, never with a
share's label, which is private to its owner.
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..sharing.schemas import SCOPES
from ..sync.models import Checkin
from . import pdf
from .picture import clinician_picture

ALL_SCOPES = tuple(SCOPES)


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


def clinician_report(person, first: date, last: date, scopes=ALL_SCOPES) -> bytes:
    """The PDF for `person` over local dates first..last, showing only what `scopes` open."""
    picture = clinician_picture(person, first, last, scopes)
    return pdf.render(picture, person.timezone, notes="notes" in scopes)
