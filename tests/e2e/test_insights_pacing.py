"""Insights and pacing in Chromium (issue 12): the better-or-worse headline, findings in plain
numbers, calm mode hiding numbers (never red flags), the energy bar, the in-app burst suggestion;
axe in light and dark, with screenshots."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from zoneinfo import ZoneInfo

import pytest

from server.sync.entities import checkin_record_id
from tests.e2e.conftest import PASSWORD, TIMEZONE, Device
from tests.e2e.screens import shoot
from tests.e2e.test_accessibility import assert_no_violations
from tests.support.api import ApiClient

BERLIN = ZoneInfo(TIMEZONE)


def utc(local: dt.datetime) -> str:
    return local.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def plant_four_weeks(api: ApiClient, *, red_flag: bool = False) -> dict:
    """28 days ending today in Berlin: busy weeks before, calmer last two; exertion two days
    before a day goes with its count; two crash days. Returns what was planted."""
    today = dt.datetime.now(BERLIN).date()
    counts = {}
    mutations = []
    for back in range(27, -1, -1):
        day = today - dt.timedelta(days=back)
        base = 9 if back >= 14 else 2
        counts[day] = base + (back * 7) % 4
    for day, count in counts.items():
        for k in range(count):
            at = dt.datetime.combine(day, dt.time(8 + k % 12, (k * 7) % 60), tzinfo=BERLIN)
            if at > dt.datetime.now(BERLIN):
                at = dt.datetime.combine(day, dt.time(0, 5 + k), tzinfo=BERLIN)
            mutations.append(api.mutation("twitch", str(uuid.uuid4()), {"occurred_at": utc(at)}))
    crash_days = {today - dt.timedelta(days=20), today - dt.timedelta(days=5)}
    for back in range(29, -1, -1):
        day = today - dt.timedelta(days=back)
        later = counts.get(day + dt.timedelta(days=2))
        fields = {"local_date": day.isoformat(), "sleep_hours": 7.0 - (counts.get(day, 5) % 3) * 0.5}
        if later is not None:
            fields["exertion"] = min(10, later)
        if day in crash_days:
            fields["crash"] = True
        mutations.append(api.mutation("checkin", checkin_record_id(day), fields))
    if red_flag:
        mutations.append(api.mutation("symptom", str(uuid.uuid4()), {"observed_at": utc(dt.datetime.now(BERLIN) - dt.timedelta(hours=1)),
                                                                       "kind": "weakness"}))
    result = api.push(mutations)
    assert result["rejected"] == [], result["rejected"]
    return {"counts": counts, "crash_days": crash_days}


def signed_up_with_data(make_device, live_server, scheme="light", **plant) -> tuple[Device, ApiClient]:
    email = f"insights-{uuid.uuid4().hex[:8]}@example.org"
    device = make_device(color_scheme=scheme).open().wait_controlled()
    device.sign_up(email)
    api = ApiClient(live_server.url)
    assert api.login(email, PASSWORD).status_code == 200
    planted = plant_four_weeks(api, **plant)
    device.reload()
    device.wait_local("s.records.filter((r) => r.entity === 'checkin').length === 30", timeout=30)
    return device, api, planted


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_headline_answers_better_or_worse_and_findings_use_plain_numbers(make_device, live_server, scheme):
    device, api, planted = signed_up_with_data(make_device, live_server, scheme)
    page = device.page
    device.screen("insights")
    headline = page.locator("#insights-headline")
    headline.wait_for()
    assert headline.inner_text() == "Fewer twitches than the two weeks before"
    assert re.search(r"middle day: [\d.]+ twitches in the last two weeks, [\d.]+ in the two weeks before",
                     page.locator(".headline-numbers").inner_text())
    findings = page.locator(".finding")
    assert findings.count() >= 1
    first = findings.first.inner_text()
    assert re.search(r"On your \d+ days with the most twitches", first), first
    assert page.locator(".association").first.inner_text().startswith("Association, not cause.")
    assert page.locator("details.findings-all summary").inner_text().startswith("Show all comparisons")
    # axes: dates under the daily chart, hours under the time-of-day chart, a top value on the y axis
    assert page.locator(".chart").first.locator(".chart-x span").count() >= 3
    assert page.locator(".chart").nth(1).locator(".chart-x span").all_inner_texts()[:2] == ["00:00", "06:00"]
    assert page.locator(".chart-y").first.inner_text().split("\n")[0].strip().isdigit()
    assert page.locator(".chart").first.locator(".chart-mark").count() == len(planted["crash_days"])
    shoot(device, "insights headline", scheme)
    page.locator("#insights-daily").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('insights-daily').scrollIntoView()")
    shoot(device, "insights daily chart", scheme)
    page.evaluate("document.getElementById('insights-factors').scrollIntoView()")
    shoot(device, "insights findings", scheme)
    assert_no_violations(device, f"insights ({scheme})")
    page.locator("details.findings-all summary").click()
    assert_no_violations(device, f"insights, all comparisons ({scheme})")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_calm_mode_hides_numbers_keeps_words_and_red_flags(make_device, live_server, scheme):
    device, api, _ = signed_up_with_data(make_device, live_server, scheme, red_flag=True)
    assert api.patch("/api/v1/me", json={"calm_mode": True}).json()["calm_mode"] is True
    device.reload()
    page = device.page
    device.screen("insights")
    page.locator("#insights-headline").wait_for()
    assert page.locator("#insights-headline").inner_text() == "Fewer twitches than the two weeks before"
    page.locator(".calm-note").wait_for()  # drawn again once the app has learned the session
    for hidden in (".headline-numbers", ".finding-stats", ".chart-y", ".chart-table", "#insights-daily ~ p:not(.hint)"):
        assert page.locator(hidden).count() == 0, hidden
    finding = page.locator(".finding").first.inner_text()
    assert not re.search(r"\d", finding), finding  # words only
    assert page.locator("#red-flag-banner").is_visible()  # red flags always show
    assert "talk to a doctor" in page.locator("#red-flag-banner").inner_text().lower()
    shoot(device, "insights in calm mode", scheme)
    page.evaluate("document.getElementById('insights-daily').scrollIntoView()")
    shoot(device, "insights in calm mode, chart", scheme)
    assert_no_violations(device, f"insights in calm mode ({scheme})")
    device.screen("pacing")
    page.locator("#energy-bar").wait_for()
    assert page.locator(".energy-numbers").is_hidden()


def test_not_enough_days_says_so(device: Device, email):
    device.open().wait_controlled()
    device.sign_up(email)
    device.screen("insights")
    device.page.locator("#insights-headline").wait_for()
    assert device.page.locator("#insights-headline").inner_text() == "Not enough days logged yet to tell"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_energy_bar_fills_with_logged_activity(make_device, scheme):
    device = make_device(color_scheme=scheme).open().wait_controlled()
    page = device.page
    device.screen("pacing")
    bar = page.locator("#energy-bar")
    # The bar is drawn first and filled once the day's activity is read: wait for the fill, not the bar.
    device.wait_until("document.getElementById('energy-bar')?.dataset.state", what="the energy bar to be filled")
    assert bar.get_attribute("data-state") == "plenty" and bar.get_attribute("aria-valuenow") == "0"
    assert "Still learning" in page.locator("#energy-title ~ p.hint").nth(1).inner_text()

    def log(level: str, minutes: str):
        form = page.locator("form[aria-labelledby=activity-title]")
        form.get_by_role("radio", name=level).check()
        form.get_by_role("radio", name=minutes).check()
        form.get_by_role("button", name="Log activity").click()

    log("Moderate", "60 min")  # 12 of the default 30 points
    device.wait_until("document.getElementById('energy-bar').getAttribute('aria-valuenow') === '12'")
    assert bar.get_attribute("data-state") == "plenty"
    assert page.locator(".energy-numbers").inner_text() == "12 of about 30 points"
    log("Vigorous", "30 min")  # +9: 21 of 30
    device.wait_until("document.getElementById('energy-bar').dataset.state === 'close'")
    log("Vigorous", "60 min")  # +18: 39 of 30
    device.wait_until("document.getElementById('energy-bar').dataset.state === 'over'")
    assert "Past what you usually manage" in page.locator(".energy-words").inner_text()
    device.wait_until("document.querySelectorAll('.timeline-block').length === 3"
                      " && document.querySelectorAll('.timeline-list li').length === 3", what="the timeline to show all three")
    box = page.evaluate("(() => { const r = document.querySelector('[name=activity-minutes] + label').getBoundingClientRect();"
                        " return r.height; })()")
    assert box >= 44
    page.evaluate("window.scrollTo(0, 0)")
    shoot(device, "pacing energy bar", scheme)
    assert_no_violations(device, f"pacing with the energy bar ({scheme})")


def test_a_burst_suggests_rest_at_once_even_offline(make_device, live_server):
    email = f"burst-{uuid.uuid4().hex[:8]}@example.org"
    device = make_device().open().wait_controlled()
    device.sign_up(email)
    page = device.page
    device.screen("pacing")
    form = page.locator("section[aria-labelledby=burst-title] form")
    form.wait_for()
    form.get_by_label("Suggest a rest after a burst of twitches").check()
    form.get_by_role("radio", name="3", exact=True).check()
    form.get_by_role("button", name="Save").click()
    page.locator("section[aria-labelledby=burst-title] [role=status]", has_text="Saved.").wait_for()
    api = ApiClient(live_server.url)
    assert api.login(email, PASSWORD).status_code == 200
    assert api.get("/api/v1/reminders").json()["burst"] == {"enabled": True, "count": 3, "minutes": 15}

    device.offline(True)
    device.screen("")
    device.log_twitch()
    device.log_twitch()
    assert page.locator("#burst-suggestion").count() == 0
    device.log_twitch()
    suggestion = page.locator("#burst-suggestion")
    suggestion.wait_for()
    assert "A burst of twitches" in suggestion.inner_text()
    assert_no_violations(device, "home with the burst suggestion")
    shoot(device, "burst suggestion", "light")
    suggestion.get_by_role("button", name="Start a rest break").click()
    suggestion.wait_for(state="detached")
    device.wait_local("s.records.some((r) => r.entity === 'activity' && r.view.fields.level === 'rest')")
    device.log_twitch()  # within the same minutes: no second suggestion
    page.wait_for_timeout(300)
    assert page.locator("#burst-suggestion").count() == 0
    device.offline(False)
