"""The clinician report (§7, §16): at most two A4 pages for a neurology or EMG visit.

Every number is taken from insights() for the same period, unchanged (through
picture.clinician_picture, which the clinician page uses too), so the PDF, the page and the API
agree. The layout lives in pdf.py. The report heads with the person's display name, never with a
share's label, which is private to its owner.
"""
from __future__ import annotations

from datetime import date


from ..sharing.schemas import SCOPES
from . import pdf
from .picture import clinician_picture

ALL_SCOPES = tuple(SCOPES)


def clinician_report(person, first: date, last: date, scopes=ALL_SCOPES) -> bytes:
    """The PDF for `person` over local dates first..last, showing only what `scopes` open."""
    picture = clinician_picture(person, first, last, scopes)
    return pdf.render(picture, person.timezone, notes="notes" in scopes)
