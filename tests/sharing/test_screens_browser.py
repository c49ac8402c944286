"""The insights, red-flag, sharing and caregiver screens in Chromium: axe-core finds nothing, and a
caregiver's browser shows the shared view and loses it when the person stops sharing."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import PASSWORD, TIMEZONE, Device, browser, email, make_device  # noqa: F401 (fixtures)
from tests.insights.records import Planter, at_local, days
from tests.sharing.helpers import make_share
from tests.support.api import ApiClient

pytestmark = pytest.mark.browser
axe = Axe()


def assert_no_violations(device: Device, where: str):
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:4]}"
        for v in axe.run(device.page).response["violations"]
    ]
    assert violations == [], f"axe on {where}: {violations}"


def plant_month(api: ApiClient, red_flag: bool = True) -> None:
    """Four weeks ending today: twitches with regions, a check-in each day, and maybe a red flag."""
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    plant = Planter(api)
    for i, day in enumerate(days(today - timedelta(days=27), 28)):
        for k in range(1 + i % 5):
            plant.twitch(at_local(day, (9 + 3 * k) % 24, zone=TIMEZONE), body_region=("calf", "eyelid", "thigh")[k % 3],
                         side=("left", "right")[i % 2], note="a private note")
        plant.checkin(day, stress=i % 8, sleep_hours=5 + i % 4)
    if red_flag:
        plant.symptom(at_local(today - timedelta(days=1), 20, zone=TIMEZONE), "weakness")
    plant.push()


def api_for(base_url: str, address: str) -> ApiClient:
    api = ApiClient(base_url)
    assert api.login(address, PASSWORD).status_code == 200
    return api


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_persons_screens_have_zero_axe_violations(make_device, email, scheme, live_server):  # noqa: F811
    device = make_device(color_scheme=scheme).open().wait_controlled()
    device.sign_up(email)
    plant_month(api_for(live_server.url, email))
    page = device.page

    device.screen("insights")
    page.locator("#insights-daily").wait_for()
    banner = page.locator("#red-flag-banner")
    banner.wait_for()
    assert "weakness" in banner.inner_text() and "EMG" in banner.inner_text()
    factors = page.locator("section[aria-labelledby=insights-factors]")
    assert factors.locator(".association").inner_text().startswith("Association, not cause")
    # every comparison is a finding (q < 0.1) or behind "Show all", with its numbers (issue 12)
    assert factors.locator("li", has_text="Stress").or_(factors.locator("li[data-factor=stress]")).get_by_text("28 days").count() >= 1
    assert page.locator(".heat-map .region.heat-4").count() >= 1
    assert_no_violations(device, f"insights with a red flag ({scheme})")
    daily = page.locator("section[aria-labelledby=insights-daily]")
    daily.locator("summary").click()
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    assert daily.locator("table tbody tr").count() == 28
    assert daily.locator("table tbody tr th").first.inner_text() == (today - timedelta(days=27)).isoformat()
    page.get_by_role("radio", name="3 months").check()
    page.locator("section[aria-labelledby=insights-daily]", has_text="From your first entry").wait_for()
    assert page.locator("section[aria-labelledby=insights-daily] table tbody tr").count() == 28  # from the first entry
    assert_no_violations(device, f"insights, 3 months, table open ({scheme})")

    device.screen("sharing")
    page.get_by_role("radio", name="A doctor or clinic (a link, no account needed)").check()
    assert page.get_by_label("Alerts").is_hidden()
    page.get_by_label("Check-ins").check()
    page.get_by_label("Name (only you see it)").fill("Dr Rivera")
    page.get_by_role("button", name="Create share").click()
    created = page.locator("#share-created")
    created.wait_for()
    link = created.get_by_label("Link").input_value()
    assert "/s/" in link
    page.locator(".share-item", has_text="Dr Rivera").wait_for()
    assert_no_violations(device, f"sharing with a new link ({scheme})")
    clinician = device.context.new_page()
    clinician.goto(link)
    assert clinician.locator("#summary-title").count() == 1 and clinician.locator("#factors-title").count() == 1
    assert "a private note" not in clinician.content()
    clinician.close()
    device.screen("sharing")
    page.locator(".share-item", has_text="Dr Rivera").locator("summary").click()
    page.locator(".access-log li", has_text="Page opened").wait_for()
    assert_no_violations(device, f"sharing with an access log open ({scheme})")

    device.screen("caregiver")
    page.locator("#accept-title").wait_for()
    assert_no_violations(device, f"caregiver view with nobody yet ({scheme})")


def test_a_caregivers_browser_shows_the_shared_view_and_loses_it_on_revocation(make_device, email, live_server):  # noqa: F811
    person = ApiClient(live_server.url)
    person.register(timezone=TIMEZONE)
    plant_month(person)
    share = make_share(person, "caregiver", ["summary", "symptoms", "events", "alerts"])

    device = make_device().open().wait_controlled()
    device.sign_up(email)
    page = device.page
    device.page.evaluate("(code) => { location.hash = '#/caregiver?accept=' + encodeURIComponent(code); }", share["token"])
    page.locator("#accept-title").wait_for()
    assert page.get_by_label("Invitation code").input_value() == share["token"]
    page.get_by_role("button", name="Accept").click()
    page.get_by_role("link", name=f"See {person.user['email'].split('@')[0]}").click()  # no display name: the email's first part
    shared = page.locator("#shared-person")
    shared.wait_for()
    assert shared.locator("#patterns-title").count() == 1 and shared.locator("figure.chart").count() == 1
    assert "weakness" in shared.locator(".red-flag").inner_text()
    assert shared.locator("#shared-entries-title").count() == 1
    assert "a private note" not in page.content()  # no `notes` scope
    assert_no_violations(device, "caregiver's view of a person")

    assert person.delete(f"/api/v1/shares/{share['id']}").status_code == 204
    page.reload()
    page.locator("#person-gone").wait_for()
    device.screen("caregiver")
    page.get_by_text("Nobody shares with you yet.").wait_for()


def test_a_red_flag_symptom_logged_offline_shows_the_banner_at_once(make_device):  # noqa: F811
    device = make_device().open().wait_controlled()
    page = device.page
    assert page.locator("#red-flag-banner").is_hidden()
    device.offline()
    device.screen("symptoms")
    page.get_by_role("radio", name="Trouble swallowing").check()
    page.get_by_role("button", name="Log symptom").click()
    banner = page.locator("#red-flag-banner")
    banner.wait_for()
    text = banner.inner_text()
    assert "Please talk to a doctor" in text and "trouble swallowing" in text and "not a diagnosis" in text
    device.screen("more")  # on every screen, with nothing to switch it off
    assert banner.is_visible()
    assert_no_violations(device, "the red-flag banner, offline")
    device.offline(False)


def test_a_caregiver_share_can_ask_for_the_missed_days_alert(make_device, email, live_server):  # noqa: F811
    """§13 quiet_alert_days from the sharing screen: offered only with alerts, sent as chosen."""
    from server.extensions import db
    from server.sharing.models import Share

    device = make_device()
    device.open("/")
    device.sign_up(email)
    device.screen("sharing")
    page = device.page
    page.get_by_role("radio", name="A doctor or clinic (a link, no account needed)").check()
    assert page.get_by_label("Also tell them if I log nothing").is_hidden()
    page.get_by_role("radio", name="A caregiver with their own Twitchlog account").check()
    assert page.get_by_label("Also tell them if I log nothing").is_hidden()  # not without alerts
    page.get_by_label("Alerts").check()
    page.get_by_label("Also tell them if I log nothing").select_option("3")
    assert_no_violations(device, "sharing with the missed-days alert offered")
    page.get_by_role("button", name="Create share").click()
    page.get_by_label("Invitation link").wait_for()
    from server.accounts.models import User

    with live_server.app.app_context():
        owner = db.session.scalar(db.select(User.id).where(User.email == email))
        chosen = db.session.scalars(db.select(Share.quiet_alert_days).where(Share.owner_id == owner)).all()
        db.session.rollback()
    assert chosen == [3]


def test_sharing_drawn_before_the_session_is_learned_shows_the_form_once_it_is(make_device, email):  # noqa: F811
    # Signed in by the cookie alone (as after signing in on this browser's other tab): the screen is
    # first drawn for a signed-out device, then GET /me tells the truth and Sharing draws its form.
    device = make_device().open().wait_controlled()
    answer = device.context.request.post("/api/v1/auth/register", data={"email": email, "password": PASSWORD, "timezone": TIMEZONE})
    assert answer.status == 201, answer.text()
    device.screen("sharing")
    device.page.get_by_role("link", name="Go to sign in").wait_for()  # this device does not know yet
    device.page.reload()  # a fresh start straight onto Sharing: drawn first, the session learned after
    device.page.locator("body[data-screen='sharing'] main h1").wait_for()
    device.page.get_by_role("button", name="Create share").wait_for()
    device.page.get_by_role("link", name="Go to sign in").wait_for(state="detached")
    device.page.get_by_text("You are not sharing anything.").wait_for()  # the list, loaded for the account
