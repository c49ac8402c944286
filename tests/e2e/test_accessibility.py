"""Every screen: zero axe-core violations (light and dark), and the keyboard paths that matter."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import Device
from tests.e2e.screens import shoot

axe = Axe()


def assert_no_violations(device: Device, where: str):
    results = axe.run(device.page)
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:4]}"
        for v in results.response["violations"]
    ]
    assert violations == [], f"axe on {where}: {violations}"


def states(device: Device, email: str):
    """Yield (name) after putting the app in each state a person can see."""
    page = device.page
    device.screen("")
    yield "home, empty"
    device.log_twitch()
    yield "home with the confirmation"
    page.locator("#toast").get_by_role("button", name="Add details").click()
    page.locator("#details-sheet").wait_for()
    yield "details sheet"
    page.keyboard.press("Escape")
    page.locator(".entry").first.get_by_role("button", name="Edit").click()
    page.locator("#details-sheet").wait_for()
    yield "details sheet opened for editing"
    page.keyboard.press("Escape")
    device.screen("checkin")
    yield "check-in"
    page.locator("summary", has_text="More questions").click()
    yield "check-in, more questions"
    device.screen("pacing")
    page.get_by_role("button", name="Start rest break").click()
    page.get_by_role("button", name="End rest break").wait_for()
    yield "pacing with a running rest break"
    page.locator(".entry").first.get_by_role("button", name="Edit").click()
    page.locator("dialog.editor").wait_for()
    yield "entry editor dialog"
    page.keyboard.press("Escape")
    device.screen("symptoms")
    page.get_by_role("radio", name="Weakness").check()
    page.get_by_role("button", name="Log symptom").click()
    page.locator("#red-flag").wait_for()
    yield "symptoms with the red-flag advice"
    device.screen("")
    page.locator("#red-flag-home-slot #red-flag-banner").wait_for()
    yield "home with the red-flag card"
    page.get_by_role("button", name="I understand").click()
    page.locator("#red-flag-banner[data-mode=strip]").wait_for()
    yield "home with the red-flag strip"
    device.screen("history")
    page.locator("main[data-ready=month]").wait_for()
    yield "history, this month"
    page.locator(".calendar a.today").click()
    page.locator("main[data-ready=day]").wait_for()
    yield "history, a day"
    device.screen("more")
    page.locator("#account-title").wait_for()
    yield "more, signed out"
    for route in ("reminders", "insights", "sharing", "caregiver"):
        device.screen(route)
        yield route
    device.sign_up(email)
    yield "more, signed in"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_screen_has_zero_axe_violations(make_device, email, scheme):
    device = make_device(color_scheme=scheme).open().wait_controlled()
    seen = []
    for where in states(device, email):
        shoot(device, where, scheme)
        assert_no_violations(device, f"{where} ({scheme})")
        seen.append(where)
    assert len(seen) == 19


def test_details_never_block_logging_and_escape_closes_them(device: Device):
    page = device.page
    device.log_twitch()
    page.locator("#toast").get_by_role("button", name="Add details").click()
    sheet = page.locator("#details-sheet")
    sheet.wait_for()
    # The tap asked nothing: the twitch was stored before the sheet opened; Done or Escape
    # leads straight back to the big button, which logs again at once.
    device.wait_local("s.records.length === 1")
    sheet.get_by_label("Body region").select_option("calf")
    sheet.get_by_role("radio", name="Left").check()
    device.wait_local("s.records.some((r) => r.view.fields.body_region === 'calf' && r.view.fields.side === 'left')")
    sheet.get_by_label("Note").fill("typed, then Escape")
    page.keyboard.press("Escape")
    sheet.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "log-button"
    device.wait_local("s.records.some((r) => r.view.fields.note === 'typed, then Escape')")
    device.log_twitch()
    device.wait_local("s.records.length === 2")


def test_the_body_map_sets_region_and_side(device: Device):
    page = device.page
    device.log_twitch()
    page.locator("#toast").get_by_role("button", name="Add details").click()
    sheet = page.locator("#details-sheet")
    sheet.wait_for()
    # On the back figure the person's left is on the viewer's left.
    sheet.get_by_role("radio", name="Back").check()
    sheet.locator(".place-figure[data-view=back] .region[data-region=calf][data-side=left]").click()
    device.wait_local("s.records[0].view.fields.body_region === 'calf' && s.records[0].view.fields.side === 'left'")
    assert sheet.get_by_label("Body region").input_value() == "calf"
    assert sheet.get_by_role("radio", name="Left").is_checked()


def test_undo_removes_the_twitch(device: Device):
    device.log_twitch()
    device.page.locator("#toast").get_by_role("button", name="Undo").click()
    device.page.locator("#toast", has_text="Nothing was logged").wait_for()
    device.wait_local("s.records.length === 1 && s.records[0].view.deleted === true")
    device.page.locator("#today-count", has_text="No twitches").wait_for()


def test_touch_targets_are_at_least_48px(device: Device):
    device.log_twitch()
    device.page.locator("#toast").get_by_role("button", name="Add details").click()
    device.page.locator("#details-sheet").wait_for()
    small = device.page.evaluate("""() => [...document.querySelectorAll(
        'button, a[href], select, input:not([type=radio]):not([type=checkbox]), textarea, .choice label')]
        .filter((el) => el.offsetParent !== null)
        .map((el) => ({el: el.outerHTML.slice(0, 80), box: el.getBoundingClientRect()}))
        .filter(({box}) => box.height < 48 || box.width < 48).map(({el}) => el)""")
    assert small == []
