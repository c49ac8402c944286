"""People, sharing and the clinician page in Chromium (issue 10, items 5-7): an invitation opened
signed out survives sign-up and is accepted; a follower-only account opens on People with only
People and More in its navigation until it logs something; the person is spoken of in the third
person, day by day; the share sheet, the QR code and the remembered share form; axe-core finds
nothing in light or dark, and screenshots at 390x844 are written for a reviewer."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import PASSWORD, TIMEZONE, Device, browser, email, make_device  # noqa: F401 (fixtures)
from tests.insights.records import Planter, at_local, days
from tests.sharing.helpers import make_share
from tests.support.api import ApiClient

pytestmark = pytest.mark.browser
axe = Axe()
NAME = "Maya"
INVITATION_KEY = "twitchlog:invitation"
# The screenshots folder the README names (git-ignored), as tests/e2e writes its own.
SCREENSHOTS = Path(os.environ.get("TWITCHLOG_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "screenshots")


def shoot(device, name: str, scheme: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name)}-{scheme}.png"
    device.page.wait_for_timeout(80)
    device.page.screenshot(path=str(path), animations="disabled", caret="initial")
    return path


def assert_no_violations(device: Device, where: str):
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:4]}"
        for v in axe.run(device.page).response["violations"]
    ]
    assert violations == [], f"axe on {where}: {violations}"


def nav_labels(device: Device) -> list[str]:
    return [label.strip() for label in device.page.locator("#nav a .nav-label").all_inner_texts()]


def maya(live_server) -> tuple[ApiClient, str, str]:
    """A person with a display name, three weeks of log and a red flag; (api, the weakness day, today)."""
    person = ApiClient(live_server.url)
    person.register(timezone=TIMEZONE)
    assert person.patch("/api/v1/me", json={"display_name": NAME}).status_code == 200
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    plant = Planter(person)
    for i, day in enumerate(days(today - timedelta(days=20), 21)):
        for k in range(3 + i % 4):
            plant.twitch(at_local(day, 8 + 2 * k, zone=TIMEZONE), body_region=("calf", "eyelid")[k % 2], side="left",
                         note="after the stairs" if k == 0 else None)
        plant.checkin(day, stress=i % 8, sleep_hours=5 + i % 4)
    weak_day = today - timedelta(days=2)
    plant.symptom(at_local(weak_day, 19, zone=TIMEZONE), "weakness", body_region="calf", side="left", progressive=True)
    plant.push()
    return person, weak_day.isoformat(), today.isoformat()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_invitation_opened_signed_out_survives_sign_up_and_the_follower_sees_people(make_device, email, live_server, scheme):  # noqa: F811
    person, weak_day, today = maya(live_server)
    share = make_share(person, "caregiver", ["summary", "events", "checkins", "symptoms", "alerts"], label="my sister")

    device = make_device(color_scheme=scheme).open().wait_controlled()
    page = device.page
    page.evaluate("(code) => { location.hash = '#/caregiver?accept=' + encodeURIComponent(code); }", share["token"])
    page.locator("#invitation-waiting").wait_for()
    assert page.evaluate("(key) => localStorage.getItem(key)", INVITATION_KEY) == share["token"]
    assert share["token"] not in page.evaluate("location.href")  # the code leaves the address bar at once
    assert_no_violations(device, f"invitation waiting, signed out ({scheme})")
    shoot(device, "people-invitation-waiting", scheme)
    device.reload()  # kept across a reload (and a closed tab): it is in this browser's storage
    device.screen("caregiver")
    page.locator("#invitation-waiting").wait_for()

    device.sign_up(email)  # on the account screen, as anyone signs up
    page.locator("#toast", has_text=f"you now follow {NAME}").wait_for()
    caregiver = ApiClient(live_server.url)
    assert caregiver.login(email, PASSWORD).status_code == 200
    deadline = datetime.now() + timedelta(seconds=15)
    while not caregiver.get("/api/v1/people").json() and datetime.now() < deadline:
        page.wait_for_timeout(100)
    followed = caregiver.get("/api/v1/people").json()
    assert [p["id"] for p in followed] == [person.user["id"]] and followed[0]["display_name"] == NAME
    device.wait_until(f"() => localStorage.getItem('{INVITATION_KEY}') === null", what="the kept invitation to be dropped")

    # Only follows, logs nothing: People and More, no Log, Check-in or Pacing; opens on People.
    device.wait_until("() => document.querySelectorAll('#nav a').length === 2", what="the follower-only navigation")
    assert nav_labels(device) == ["People", "More"]
    device.open("/")  # the app started from the home screen
    page.locator("body[data-screen='caregiver'] #people-title").wait_for()
    assert nav_labels(device) == ["People", "More"]
    assert page.locator("#nav a[aria-current=page] .nav-label").inner_text().strip() == "People"
    item = page.locator(".person-item", has_text=NAME)
    item.wait_for()
    assert "my sister" not in page.content()  # the share's label is Maya's own
    assert_no_violations(device, f"people, follower-only ({scheme})")
    shoot(device, "people-list", scheme)

    page.get_by_role("link", name=f"See {NAME}").click()
    shared = page.locator("#shared-person")
    shared.wait_for()
    text = shared.inner_text()
    assert f"{NAME} logged weakness on" in text and f"{NAME} should talk to a doctor" in text
    assert re.findall(r"\byou(?:r|rs)?\b", text, flags=re.IGNORECASE) == []  # the person in the third person
    assert "Patterns over 4 weeks" in text and f"of {NAME}'s twitches came in the evening" in text
    summaries = shared.locator("li.day-summary")
    assert summaries.count() == 14
    weak = shared.locator(f"li.day-summary[data-date='{weak_day}']")
    assert f"{NAME} logged weakness (left calf, getting worse)" in weak.inner_text()
    assert "twitches" in weak.inner_text() and "mostly left calf" in weak.inner_text()
    assert shared.locator(".shared-entries li").count() == 0  # no list of single twitches
    assert_no_violations(device, f"a followed person, day by day ({scheme})")
    shoot(device, "people-person", scheme)
    page.screenshot(path=str(SCREENSHOTS / f"people-person-full-{scheme}.png"), full_page=True)

    weak.get_by_role("link").click()
    day = page.locator("#shared-day")
    day.wait_for()
    assert f"{NAME} on" in day.locator("#day-title").inner_text()
    assert day.locator("table.day-hours tbody tr").count() >= 3
    assert "weakness, left calf, getting worse" in day.locator("section[aria-labelledby=day-symptoms]").inner_text()
    assert "after the stairs" not in page.content()  # no `notes` scope
    assert_no_violations(device, f"a followed person's day ({scheme})")
    shoot(device, "people-day", scheme)

    # Logging something of one's own brings the full navigation back at once.
    device.screen("")
    device.log_twitch()
    device.wait_until("() => document.querySelectorAll('#nav a').length === 5", what="the full navigation")
    assert nav_labels(device)[:3] != ["People", "More"] and "More" in nav_labels(device)


def decode_qr(png: bytes) -> str | None:
    """The text of the QR code in a PNG, read by zbarimg (zbar-tools), or None without it."""
    if not shutil.which("zbarimg"):
        return None
    result = subprocess.run(["zbarimg", "--raw", "-q", "-"], input=png, capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode().strip()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_sharing_offers_the_share_sheet_a_qr_code_and_remembers_the_last_choice(make_device, email, live_server, scheme):  # noqa: F811
    device = make_device(color_scheme=scheme)
    device.context.add_init_script("navigator.share = async (data) => { window.__shared = data; };")
    device.open().wait_controlled()
    device.sign_up(email)
    owner = ApiClient(live_server.url)
    assert owner.login(email, PASSWORD).status_code == 200
    assert owner.patch("/api/v1/me", json={"display_name": NAME}).status_code == 200
    plant = Planter(owner)
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    for i, day in enumerate(days(today - timedelta(days=30), 31)):
        for k in range(1 + i % 6):
            plant.twitch(at_local(day, 9 + 2 * k, zone=TIMEZONE), body_region="calf", side="left")
        plant.checkin(day, stress=i % 9, sleep_hours=5 + i % 4, fatigue=(i * 3) % 10, crash=i % 9 == 4)
    plant.symptom(at_local(today - timedelta(days=3), 19, zone=TIMEZONE), "weakness", body_region="calf", side="left",
                  progressive=True)
    plant.push()

    page = device.page
    device.screen("sharing")
    assert page.locator(".remembered").count() == 0
    page.get_by_role("radio", name="A doctor or clinic (a link, no account needed)").check()
    page.get_by_label("Check-ins").check()
    page.get_by_label("Symptoms", exact=True).check()
    page.get_by_label("Ends after").select_option("90") if page.get_by_label("Ends after").count() else None
    page.get_by_label("Name (only you see it)").fill("Dr Rivera")
    page.get_by_role("button", name="Create share").click()
    created = page.locator("#share-created")
    created.wait_for()
    link = created.get_by_label("Link").input_value()
    created.get_by_role("button", name="Share… Link").click()
    device.wait_until("() => window.__shared !== undefined", what="the share sheet")
    shared = page.evaluate("window.__shared")
    assert shared["url"] == link and "doctor" in shared["text"]

    created.get_by_text("Show as a QR code").click()
    code = created.locator(".qr-code svg")
    code.wait_for()
    assert code.get_attribute("aria-label") == "QR code of the clinician link"
    decoded = decode_qr(created.locator(".qr-code").screenshot())
    if decoded is not None:
        assert decoded == link
    assert_no_violations(device, f"sharing, a new link with its QR code ({scheme})")
    shoot(device, "sharing-link-qr", scheme)

    device.reload()
    device.screen("sharing")
    page.locator(".remembered").wait_for()
    assert page.get_by_role("radio", name="A doctor or clinic (a link, no account needed)").is_checked()
    assert page.get_by_label("Check-ins").is_checked() and page.get_by_label("Symptoms", exact=True).is_checked()
    assert page.get_by_label("Alerts").is_hidden()
    assert page.get_by_label("Name (only you see it)").input_value() == ""  # the label is never carried over
    assert_no_violations(device, f"sharing, the form as chosen last time ({scheme})")
    shoot(device, "sharing-form-remembered", scheme)

    # The clinician's page at phone size: the person's name, never the label; nothing for axe.
    clinician = Device.__new__(Device)
    clinician.page, clinician.context = device.context.new_page(), device.context
    clinician.page.goto(link)
    assert clinician.page.locator("h1").inner_text() == NAME
    assert "Dr Rivera" not in clinician.page.content()
    assert "getting worse" in clinician.page.locator(".red-flags").inner_text()
    assert clinician.page.locator("link[rel=icon]").get_attribute("href") == "/icons/icon.svg"
    assert clinician.page.evaluate("fetch('/icons/icon.svg').then((r) => r.status)") == 200
    assert_no_violations(clinician, f"the clinician page ({scheme})")
    shoot(clinician, "clinician-page", scheme)
    clinician.page.screenshot(path=str(SCREENSHOTS / f"clinician-page-full-{scheme}.png"), full_page=True)
    clinician.page.close()
