"""GET /api/v1/reports/clinician.pdf: a real PDF, at most two pages, whose numbers are the insights'."""
from __future__ import annotations

import io
import re

import pypdf
import pytest

from server.reports import figures
from tests.insights.records import Planter, at_local, days
from tests.sharing.helpers import make_share

REGIONS = ["calf", "thigh", "eyelid", "foot", "hand", "upper_arm", "shoulder", "neck", "toe", "lip", "jaw", "forearm"]


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def report(api, first: str, last: str, expect: int = 200):
    response = api.get("/api/v1/reports/clinician.pdf", params={"from": first, "to": last})
    assert response.status_code == expect, response.text[:300]
    return response


def test_the_pdf_numbers_are_the_insights_numbers(make_user):
    api = make_user(timezone="America/New_York")
    plant = Planter(api)
    for i, day in enumerate(days("2026-09-01", 45)):
        stress = (i * 5) % 9
        for k in range(stress + i % 2):
            region = REGIONS[k % 4]
            plant.twitch(at_local(day, (7 + 3 * k) % 24, k, zone="America/New_York"), body_region=region,
                         **({"side": "left"} if k % 3 else {}))
        plant.checkin(day, stress=stress, sleep_hours=8 - stress / 2, caffeine_mg=(i % 4) * 100, electrolytes=i % 3 == 0)
    plant.symptom(at_local("2026-10-10", 20, zone="America/New_York"), "speech_difficulty", note="slurred after a long call")
    plant.symptom(at_local("2026-10-11", 20, zone="America/New_York"), "cramp")
    plant.push()

    insights = api.get("/api/v1/insights", params={"from": "2026-09-01", "to": "2026-10-15"}).json()
    response = report(api, "2026-09-01", "2026-10-15")
    assert response.headers["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")
    pages, text = pdf_text(response.content)
    assert 1 <= pages <= 2

    total = sum(d["count"] for d in insights["daily"])
    assert f"Twitches logged: {total}" in text
    assert "Period 2026-09-01 to 2026-10-15 (45 days), local dates in America/New_York" in text
    hours_header = " ".join(f"{h:02d}" for h in range(24))
    after_header = text.split(hours_header, 1)[1].strip().splitlines()[0]
    assert [int(n) for n in after_header.split()] == insights["by_hour"]
    for row in insights["by_region"][:10]:
        assert f"{figures.region_name(row['body_region'], None)} {row['side'] or '-'} {row['count']}" in text
    per_week = re.search(r"Twitches per week \(labelled by its first day\):\n(.+)\n(.+)\n", text)
    week_counts = [int(n) for n in per_week.group(2).split()]
    assert week_counts == [sum(d["count"] for d in insights["daily"][i:i + 7]) for i in range(0, 45, 7)]
    shown = 0
    for name, result in insights["factors"].items():
        for side in ("same_day", "previous_day"):
            if result[side] is not None:
                assert f"{result[side]['rho']:.3f} (n={result[side]['n']})" in text, (name, side)
                shown += 1
    assert shown >= 6
    assert insights["factors"]["stress"]["same_day"]["rho"] > 0.5
    flat = text.replace("\n", " ")
    for reason in insights["red_flags"]["reasons"]:
        assert reason["kind"] == "red_flag_symptom"
        assert f"First logged {reason['dates'][0]}" in flat
    assert "Difficulty speaking (place not given), not said whether getting worse. First logged 2026-10-10" in flat
    assert "slurred after a long call" in text  # the owner's own report carries their symptom notes
    assert "Status: see a doctor." in text and "Talk to a doctor" in text.replace("\n", " ")
    flat = text.replace("\n", " ")
    assert "association, not cause" in flat and "does not diagnose" in flat
    assert "Name not given" in text and api.user["email"] not in text


def test_the_longest_period_and_many_rows_still_fit_two_pages(make_user):
    api = make_user()
    plant = Planter(api)
    for i, day in enumerate(days("2026-08-01", 60)):
        for k, region in enumerate(REGIONS):
            plant.twitch(at_local(day, 6 + k, i % 60), body_region=region, side=("left", "right", "both")[k % 3])
        plant.symptom(at_local(day, 21), ("weakness", "cramp", "numbness", "reflex_change")[i % 4], note="n" * 300)
        plant.checkin(day, stress=i % 10, fatigue=(i * 3) % 10, anxiety=i % 5, exertion=i % 6, sleep_quality=1 + i % 5,
                      hydration_l=1 + (i % 3) / 2, magnesium_mg=(i % 2) * 200, caffeine_mg=(i % 5) * 50, sleep_hours=5 + i % 4,
                      electrolytes=bool(i % 2))
    plant.push()
    for first, last in (("2016-10-03", "2026-09-29"), ("2026-08-01", "2026-09-29"), ("2026-09-29", "2026-09-29")):
        pages, text = pdf_text(report(api, first, last).content)
        assert pages <= 2, (first, last)
        insights = api.get("/api/v1/insights", params={"from": first, "to": last}).json()
        assert f"Twitches logged: {sum(d['count'] for d in insights['daily'])}" in text
    assert "more rows not shown" in text or pages <= 2


def test_an_empty_period_gives_a_calm_report(user):
    pages, text = pdf_text(report(user, "2026-01-01", "2026-01-28").content)
    assert pages == 1
    assert "Twitches logged: 0" in text and "Status: no red flags." in text
    assert "No symptoms were logged in this period." in text


@pytest.mark.parametrize("params", [{"from": "2026-02-02", "to": "2026-02-01"}, {"from": "2016-01-01", "to": "2026-12-31"},
                                    {"from": "nope"}])
def test_bad_periods_are_400(user, params):
    response = user.get("/api/v1/reports/clinician.pdf", params=params)
    assert response.status_code == 400 and response.json()["code"] == 400


def test_the_report_needs_a_signed_in_caller(client):
    assert client.get("/api/v1/reports/clinician.pdf").status_code == 401


def test_text_outside_latin1_does_not_break_the_pdf(user, client):
    user.log_twitch(at_local("2026-03-03", 10), body_region="calf")
    assert user.patch("/api/v1/me", json={"display_name": "Maya Müller – 麻耶"}).status_code == 200
    share = make_share(user, "link", ["summary", "symptoms", "notes"], label="Dr. Müller – 医生")
    page = client.get(share["url"], params={"from": "2026-03-01", "to": "2026-03-05"})
    assert "Maya Müller – 麻耶" in page.text and "Dr. Müller" not in page.text
    pdf = client.get(share["url"] + "/report.pdf", params={"from": "2026-03-01", "to": "2026-03-05"})
    assert pdf.status_code == 200
    pages, text = pdf_text(pdf.content)
    assert ("Maya Müller – ??" in text or "Maya Müller - ??" in text) and "Twitches logged: 1" in text and "Dr. M" not in text


def test_a_name_beyond_latin1_prints_as_written_where_the_unicode_font_is_installed(user, client):
    from server.reports.pdf import UNICODE_FONT

    if not UNICODE_FONT:
        pytest.skip("DejaVu Sans is not installed (apt-get install fonts-dejavu-core): the report falls back to Latin-1")
    user.log_twitch(at_local("2026-03-03", 10), body_region="calf")
    assert user.patch("/api/v1/me", json={"display_name": "Małgorzata Żółć-Ørsted"}).status_code == 200
    share = make_share(user, "link", ["summary"], label="Dr R")
    pdf = client.get(share["url"] + "/report.pdf", params={"from": "2026-03-01", "to": "2026-03-05"})
    pages, text = pdf_text(pdf.content)
    assert "Małgorzata Żółć-Ørsted" in text and pages <= 2
