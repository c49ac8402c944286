"""Every scope against every read path: the caregiver's insights and events, the clinician's page
and PDF show exactly what the scopes open, and notes never appear without `notes` (§6)."""
from __future__ import annotations

import io
import uuid

import pypdf
import pytest

from tests.insights.records import Planter, at_local, days
from tests.sharing.helpers import follow, make_share
from tests.support.api import ApiClient

FIRST, LAST = "2026-10-01", "2026-10-28"
PERIOD = {"from": FIRST, "to": LAST}
RUN = uuid.uuid4().hex[:8]
MARK = {name: f"ZQ{name.upper()}{RUN}" for name in ("twitch", "checkin", "symptom")}
LABEL = {"activity": f"ZQACTIVITY{RUN}", "intake": f"ZQINTAKE{RUN}"}
SCOPE_SETS = [
    ("summary",), ("events",), ("checkins",), ("symptoms",),
    ("summary", "notes"), ("events", "notes"), ("checkins", "notes"), ("symptoms", "notes"),
    ("summary", "events", "checkins", "symptoms", "notes"),
    ("summary", "events", "checkins", "symptoms"),
]


@pytest.fixture(scope="module")
def person(live_server):
    """An account with every kind of record in October 2026, each note carrying a unique marker."""
    api = ApiClient(live_server.url)
    api.register()
    plant = Planter(api)
    for i, day in enumerate(days(FIRST, 28)):
        for k in range(1 + i % 4):
            plant.twitch(at_local(day, 9 + k), body_region="calf", side="left", note=MARK["twitch"])
        plant.checkin(day, stress=i % 7, sleep_hours=6 + i % 3, note=MARK["checkin"])
    plant.symptom(at_local("2026-10-20", 10), "weakness", body_region="hand", side="right", note=MARK["symptom"])
    plant.symptom(at_local("2026-10-21", 10), "cramp", note=MARK["symptom"])
    plant.activity(at_local("2026-10-05", 18), "rest", label=LABEL["activity"])
    plant.intake(at_local("2026-10-05", 8), "magnesium", amount=300, unit="mg", label=LABEL["intake"])
    plant.push()
    return api


def markers_in(text: str) -> set[str]:
    return {name for name, mark in {**MARK, **LABEL}.items() if mark in text}


def expected_markers(scopes) -> set[str]:
    """Notes of whatever else is open, only with `notes`; labels of activity and intake with `events`."""
    found = set()
    if "events" in scopes:
        found |= {"activity", "intake"} | ({"twitch"} if "notes" in scopes else set())
    if "notes" in scopes and "checkins" in scopes:
        found.add("checkin")
    if "notes" in scopes and "symptoms" in scopes:
        found.add("symptom")
    return found


@pytest.mark.parametrize("scopes", SCOPE_SETS, ids="+".join)
def test_caregiver_views_show_exactly_what_the_scopes_open(person, make_user, scopes):
    caregiver = make_user()
    follow(person, caregiver, scopes)
    own = person.get("/api/v1/insights", params=PERIOD).json()
    response = caregiver.get(f"/api/v1/people/{person.user['id']}/insights", params=PERIOD)
    assert response.status_code == 200
    shared = response.json()
    assert set(shared) == set(own)
    assert (shared["from"], shared["to"], shared["timezone"]) == (own["from"], own["to"], own["timezone"])
    for key in ("daily", "by_hour", "by_region"):
        assert shared[key] == (own[key] if "summary" in scopes else None)
    assert shared["factors"] == (own["factors"] if "checkins" in scopes else None)
    if "summary" in scopes or "symptoms" in scopes:
        assert shared["red_flags"]["status"] == own["red_flags"]["status"] == "see_doctor"
        assert shared["red_flags"]["reasons"] == (own["red_flags"]["reasons"] if "symptoms" in scopes else None)
    else:
        assert shared["red_flags"] is None
    assert markers_in(response.text) == set()

    response = caregiver.get(f"/api/v1/people/{person.user['id']}/events", params=PERIOD)
    assert response.status_code == 200
    records = response.json()["records"]
    opens = {"twitch": "events", "activity": "events", "intake": "events", "checkin": "checkins", "symptom": "symptoms"}
    for entity, scope in opens.items():
        if scope not in scopes:
            assert records[entity] is None, entity
            continue
        assert records[entity], entity
        for record in records[entity]:
            assert ("note" in record) == ("notes" in scopes and entity in ("twitch", "checkin", "symptom"))
    assert len(records["twitch"] or []) == (70 if "events" in scopes else 0)
    assert markers_in(response.text) == expected_markers(scopes)


@pytest.mark.parametrize("scopes", SCOPE_SETS, ids="+".join)
def test_the_clinician_page_and_pdf_show_exactly_what_the_scopes_open(person, client, scopes):
    share = make_share(person, "link", scopes)
    response = client.get(share["url"], params=PERIOD)
    assert response.status_code == 200
    html = response.text
    sections = {"summary": 'id="summary-title"', "factors": 'id="factors-title"', "symptoms": 'id="symptoms-title"',
                "checkins": 'id="checkins-title"', "events": 'id="events-title"', "red_flags": 'id="red-flags-title"'}
    shown = {name for name, marker in sections.items() if marker in html}
    expected = set()
    if "summary" in scopes:
        expected |= {"summary", "red_flags"}
    if "checkins" in scopes:
        expected |= {"factors", "checkins"}
    if "symptoms" in scopes:
        expected |= {"symptoms", "red_flags"}
    if "events" in scopes:
        expected.add("events")
    assert shown == expected
    assert ("First logged <strong>2026-10-20</strong>" in html) == ("symptoms" in scopes)
    assert ("report.pdf" in html) == ("summary" in scopes)
    assert markers_in(html) == expected_markers(scopes)

    pdf = client.get(share["url"] + "/report.pdf", params=PERIOD)
    if "summary" not in scopes:
        assert pdf.status_code == 404
        return
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) <= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Twitches logged: 70" in text
    assert ("Check-in factors" in text) == ("checkins" in scopes)
    assert ("Weakness (red flag)" in text) == ("symptoms" in scopes)
    assert ("First logged 2026-10-20" in text.replace("\n", " ")) == ("symptoms" in scopes)
    assert markers_in(text) == ({"symptom"} if {"symptoms", "notes"} <= set(scopes) else set())
    assert person.user["email"] not in text
