"""The person's app (issue 10): the red-flag card and strip, details after a tap, History, the
check-in that stores only what was answered."""
from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from tests.e2e.conftest import PASSWORD, PHONE, TIMEZONE, Device
from tests.support.api import ApiClient

NAV_TOP = "document.getElementById('nav').getBoundingClientRect().top"


def box(device: Device, selector: str) -> dict:
    return device.page.evaluate("(s) => { const r = document.querySelector(s).getBoundingClientRect();"
                                " return {top: r.top, bottom: r.bottom, height: r.height, width: r.width}; }", selector)


def log_symptom(device: Device, name: str):
    device.screen("symptoms")
    device.page.get_by_role("radio", name=name).check()
    device.page.get_by_role("button", name="Log symptom").click()
    device.page.locator("#red-flag").wait_for()


def assert_log_button_above_nav(device: Device):
    device.screen("")
    button = box(device, "#log-button")
    assert button["top"] >= 0 and button["bottom"] <= device.page.evaluate(NAV_TOP), (button, "the Log button is under the nav")


def test_red_flag_card_is_acknowledged_into_a_strip_and_a_new_reason_opens_it_again(device: Device):
    page = device.page
    banner = page.locator("#red-flag-banner")
    log_symptom(device, "Weakness")
    banner.wait_for()
    assert page.evaluate("document.getElementById('red-flag-banner').dataset.mode") == "full"
    text = banner.inner_text()
    assert "Please talk to a doctor" in text and "weakness" in text and "not a diagnosis" in text

    # At home the full card sits below the one-tap button, which stays above the navigation.
    assert_log_button_above_nav(device)
    understand = banner.get_by_role("button", name="I understand")
    assert understand.is_visible()
    assert box(device, "#red-flag-banner")["top"] >= box(device, "#log-button")["bottom"]

    understand.click()
    page.locator("#red-flag-banner[data-mode=strip]").wait_for()
    strip = box(device, "#red-flag-banner")
    assert 0 < strip["height"] < 0.15 * PHONE["height"], strip
    assert "talk to a doctor" in banner.inner_text().lower() and "weakness" in banner.inner_text()
    assert banner.get_by_role("button", name="I understand").count() == 0
    assert_log_button_above_nav(device)
    # The strip cannot be removed, and the acknowledgement is remembered on this device.
    device.reload()
    page.locator("#red-flag-banner[data-mode=strip]").wait_for()
    device.screen("checkin")
    assert page.locator("#red-flag-banner[data-mode=strip]").is_visible()
    # In full on Symptoms and Insights, without asking again.
    device.screen("symptoms")
    page.locator("#red-flag-banner[data-mode=full]").wait_for()
    assert banner.get_by_role("button", name="I understand").count() == 0

    # Opening the strip shows the whole card; "Show less" brings the strip back.
    device.screen("")
    banner.get_by_role("button", name="Why?").click()
    page.locator("#red-flag-banner[data-mode=full]").wait_for()
    banner.get_by_role("button", name="Show less").click()
    page.locator("#red-flag-banner[data-mode=strip]").wait_for()

    # A new reason opens the card in full again.
    log_symptom(device, "Trouble speaking")
    device.screen("")
    page.locator("#red-flag-banner[data-mode=full]").wait_for()
    assert "trouble speaking" in banner.inner_text()
    assert_log_button_above_nav(device)
    banner.get_by_role("button", name="I understand").click()
    page.locator("#red-flag-banner[data-mode=strip]").wait_for()
    assert box(device, "#red-flag-banner")["height"] < 0.15 * PHONE["height"]


def test_log_button_is_above_the_nav_without_any_red_flag(device: Device):
    assert device.page.locator("#red-flag-banner").is_hidden()
    assert_log_button_above_nav(device)


def test_an_untouched_check_in_pushes_only_its_date(make_device, email, server_view):
    device = make_device().open().wait_controlled()
    device.sign_up(email)
    pushed = []
    device.context.route("**/api/v1/sync/push", lambda route: (pushed.append(route.request.post_data_json), route.continue_()))
    device.screen("checkin")
    page = device.page
    page.get_by_role("button", name="Save check-in").click()
    page.locator("#toast", has_text="saved").wait_for()
    device.wait_synced()
    today = dt.datetime.now(ZoneInfo(TIMEZONE)).date().isoformat()
    sent = [m for body in pushed for m in body["mutations"] if m["entity"] == "checkin"]
    assert [m["fields"] for m in sent] == [{"local_date": today}]
    [checkin] = [c for (entity, _), c in server_view(email).items() if entity == "checkin"]
    assert {k: v for k, v in checkin["fields"].items() if v is not None} == {"local_date": today}

    # Answering one question later sends that answer alone; the server keeps `crash` (§13).
    page.get_by_role("group", name="Did you crash today?").get_by_role("radio", name="Yes").check()
    page.evaluate("document.getElementById('toast').replaceChildren()")  # the first save's toast is not this one's
    page.get_by_role("button", name="Save check-in").click()
    page.locator("#toast", has_text="saved").wait_for()
    device.wait_local("s.outbox.length === 0 && s.records.some((r) => r.entity === 'checkin' && r.view.fields.crash === true)")
    device.wait_synced()
    sent = [m for body in pushed for m in body["mutations"] if m["entity"] == "checkin"]
    assert [m["fields"] for m in sent] == [{"local_date": today}, {"crash": True}]
    [checkin] = [c for (entity, _), c in server_view(email).items() if entity == "checkin"]
    assert checkin["fields"]["crash"] is True


def test_check_in_is_not_prefilled_and_same_as_yesterday_copies_only_steady_things(device: Device):
    page = device.page
    today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    device.screen("checkin")
    page.get_by_label("Date").fill(yesterday)
    page.get_by_label("Date").dispatch_event("change")
    page.get_by_label("Stress (0–10)").fill("7")
    page.locator("summary", has_text="More questions").click()
    page.get_by_label("Magnesium (mg)").fill("300")
    page.get_by_role("group", name="Electrolytes today").get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Save check-in").click()
    page.locator("#toast", has_text=f"Check-in for {yesterday} saved").wait_for()

    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("Date").dispatch_event("change")
    page.locator("#checkin-notice:empty").wait_for(state="attached")
    assert page.locator(".scale-value").first.inner_text() == "Not answered", "nothing carried over by itself"
    page.locator("summary", has_text="More questions").click()
    page.get_by_role("button", name="Same as yesterday").click()
    assert page.get_by_label("Magnesium (mg)").input_value() == "300"
    page.get_by_label("Caffeine, in cups").fill("2")
    assert page.get_by_label("Caffeine (mg)").input_value() == "190"
    page.get_by_role("group", name="Did you crash today?").get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Save check-in").click()
    page.locator("#toast", has_text=f"Check-in for {today.isoformat()} saved").wait_for()
    mutation = [m for m in device.local()["outbox"] if m["fields"].get("local_date") == today.isoformat()][-1]
    assert mutation["fields"] == {"local_date": today.isoformat(), "magnesium_mg": 300, "electrolytes": True,
                                  "caffeine_mg": 190, "crash": False}


def test_details_sheet_opens_from_the_toast_stays_open_and_escape_closes_it(device: Device):
    page = device.page
    device.log_twitch()
    device.wait_local("s.records.length === 1")
    assert page.locator("#details-sheet").count() == 0 or page.locator("#details-sheet").is_hidden(), \
        "the tap asks nothing"
    page.locator("#toast").get_by_role("button", name="Add details").click()
    sheet = page.get_by_role("dialog", name="Where was it?")
    sheet.wait_for()
    assert page.evaluate("document.getElementById('details-sheet').contains(document.activeElement)")
    # Face and both eyelids are on the body map, and every place is a big enough target.
    sheet.locator(".place-figure[data-view=front] .region[data-region=eyelid][data-side=left]").click()
    device.wait_local("s.records[0].view.fields.body_region === 'eyelid' && s.records[0].view.fields.side === 'left'")
    sizes = page.evaluate("""() => [...document.querySelectorAll('#details-sheet .region')]
        .map((el) => { const r = el.getBoundingClientRect(); return [el.dataset.region, el.dataset.side, r.width, r.height]; })""")
    assert {"face", "eyelid"} <= {s[0] for s in sizes}
    assert all(w >= 44 and h >= 44 for _, _, w, h in sizes), [s for s in sizes if min(s[2], s[3]) < 44]
    # It stays open while the person is in it (the old sheet closed itself after 8 s).
    page.wait_for_timeout(9000)
    assert sheet.is_visible()
    page.keyboard.press("Escape")
    sheet.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "log-button"

    # The next time, the recent place is one tap away; the back shows the calf.
    device.log_twitch()
    page.locator("#toast").get_by_role("button", name="Add details").click()
    sheet.wait_for()
    assert [c.strip() for c in sheet.locator(".chip").all_inner_texts()] == ["Left eyelid"]
    sheet.get_by_role("radio", name="Back").check()
    back = page.evaluate("""() => [...document.querySelectorAll('#details-sheet .region')]
        .map((el) => { const r = el.getBoundingClientRect(); return Math.min(r.width, r.height); })""")
    assert min(back) >= 44
    sheet.locator(".place-figure[data-view=back] .region[data-region=calf][data-side=left]").click()
    device.wait_local("s.records.some((r) => r.view.fields.body_region === 'calf' && r.view.fields.side === 'left')")
    sheet.get_by_role("button", name="Done").first.click()
    sheet.wait_for(state="hidden")

    device.log_twitch()
    page.locator("#toast").get_by_role("button", name="Add details").click()
    chips = sheet.locator(".chip")
    chips.first.wait_for()
    assert [c.strip() for c in chips.all_inner_texts()] == ["Left calf", "Left eyelid"]
    assert all(b["height"] >= 44 and b["width"] >= 44 for b in [chips.nth(i).bounding_box() for i in range(chips.count())])
    chips.nth(1).click()
    device.wait_local("s.records.filter((r) => r.view.fields.body_region === 'eyelid').length === 2")
    assert chips.nth(1).get_attribute("aria-pressed") == "true"
    sheet.get_by_role("button", name="Done").first.click()
    sheet.wait_for(state="hidden")


def test_an_entry_thirty_days_old_is_edited_from_the_calendar_and_reaches_another_device(make_device, email, server_view, live_server):
    now = dt.datetime.now(ZoneInfo(TIMEZONE))
    old = (now - dt.timedelta(days=30)).replace(hour=15, minute=20, second=0, microsecond=0)
    phone = make_device().open().wait_controlled()
    phone.sign_up(email)
    api = ApiClient(live_server.url)
    assert api.login(email, PASSWORD).status_code == 200
    record_id = str(uuid.uuid4())
    api.push([api.mutation("twitch", record_id, {"occurred_at": old.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z"), "note": "after the long walk"}, hlc=api.hlc("2026-01-01T00:00:00.000Z"))])
    tablet = make_device().open().wait_controlled()
    tablet.sign_in(email)
    tablet.wait_local("s.records.length === 1")
    phone.reload()
    phone.wait_local("s.records.length === 1")

    page = phone.page
    phone.screen("")
    page.get_by_role("link", name="History", exact=True).click()
    page.locator("main[data-ready=month]").wait_for()
    current, month = now.date().isoformat()[:7], old.date().isoformat()[:7]
    page.locator(f"main[data-ready=month][data-month='{current}']").wait_for()
    while current != month:
        year, mon = map(int, current.split("-"))
        current = f"{year - (mon == 1):04d}-{12 if mon == 1 else mon - 1:02d}"
        page.get_by_role("link", name="Previous month").click()
        page.locator(f"main[data-ready=month][data-month='{current}']").wait_for()
    day = page.locator(f".calendar a[data-date='{old.date().isoformat()}']")
    assert day.get_attribute("data-count") == "1"
    assert "1 twitch" in day.get_attribute("aria-label")
    day.click()
    page.locator(f"main[data-ready=day][data-day='{old.date().isoformat()}']").wait_for()
    page.locator(".entry").get_by_role("button", name="Edit").click()
    editor = page.locator("dialog.editor")
    assert editor.get_by_label("Note").input_value() == "after the long walk"
    editor.get_by_label("Note").fill("after the long walk, both calves")
    editor.get_by_label("Intensity").fill("3")
    editor.get_by_role("button", name="Save").click()
    editor.wait_for(state="detached")
    phone.wait_synced()

    tablet.reload()
    tablet.wait_local("s.records[0].view.fields.note === 'after the long walk, both calves' && s.records[0].view.fields.intensity === 3")
    [record] = [c for (entity, _), c in server_view(email).items() if entity == "twitch"]
    assert record["fields"]["intensity"] == 3
    # Older than six days: the home list shows the full date, not a weekday.
    tablet.screen("")
    time_text = tablet.page.locator(".entry .entry-time").first.inner_text()
    assert str(old.day) in time_text and str(old.year) in time_text, time_text


def test_history_adds_and_deletes_after_the_fact_and_searches_notes(device: Device):
    page = device.page
    today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
    past = today - dt.timedelta(days=9)
    device.page.evaluate("(d) => { location.hash = '#/history/' + d; }", past.isoformat())
    page.locator(f"main[data-ready=day][data-day='{past.isoformat()}']").wait_for()
    page.get_by_role("button", name="Add a symptom").click()
    editor = page.locator("dialog.editor")
    editor.get_by_label("Kind").select_option("cramp")
    editor.get_by_label("Note").fill("Cramp in the left foot at night")
    editor.get_by_role("button", name="Save").click()
    editor.wait_for(state="detached")
    page.locator(".entry", has_text="cramp").wait_for()
    [symptom] = device.live_records("symptom")
    local = dt.datetime.fromisoformat(symptom["view"]["fields"]["observed_at"].replace("Z", "+00:00")).astimezone(ZoneInfo(TIMEZONE))
    assert local.date() == past
    # The day's check-in opens on that date.
    page.get_by_role("link", name="Open the check-in").click()
    device.wait_until("(d) => document.querySelector('.checkin input[type=date]')?.value === d", past.isoformat(),
                      what="the check-in of that day")
    page.get_by_label("Stress (0–10)").fill("4")
    page.get_by_role("button", name="Save check-in").click()
    page.locator("#toast", has_text=f"Check-in for {past.isoformat()} saved").wait_for()
    page.go_back()
    page.locator(f"main[data-ready=day][data-day='{past.isoformat()}']").wait_for()
    page.get_by_text("Stress 4").wait_for()

    page.get_by_role("link", name="Back to the month").click()
    page.locator("main[data-ready=month]").wait_for()
    page.get_by_label("Words in a note").fill("LEFT FOOT")
    page.get_by_role("button", name="Search").click()
    result = page.locator(".note-result")
    result.wait_for()
    assert "Cramp in the left foot" in result.inner_text()
    result.get_by_role("link").click()
    page.locator(f"main[data-ready=day][data-day='{past.isoformat()}']").wait_for()
    page.locator(".entry").get_by_role("button", name="Delete").click()
    page.get_by_text("Nothing logged on this day.").wait_for()
    assert device.live_records("symptom") == []


def test_account_settings_name_calm_mode_day_start_export_and_delete(make_device, email, live_server):
    device = make_device().open().wait_controlled()
    device.sign_up(email)
    page = device.page
    device.screen("")
    device.log_twitch()
    page.locator("#today-count", has_text="Today: 1 twitch").wait_for()

    device.screen("more")
    settings = page.locator("#account-settings, section.settings").first
    page.get_by_label("Your name on reports").fill("Maya Keller")
    page.get_by_role("button", name="Save name").click()
    settings.get_by_text("Name saved.").wait_for()
    page.get_by_label("Calm mode").check()
    device.wait_local("s.device.user.calm_mode === true")
    page.get_by_label("My day ends at").select_option("04:00")
    device.wait_local("s.device.user.day_starts_at === '04:00'")
    api = ApiClient(live_server.url)
    assert api.login(email, PASSWORD).status_code == 200
    me = api.get("/api/v1/me").json()
    assert (me["display_name"], me["calm_mode"], me["day_starts_at"]) == ("Maya Keller", True, "04:00")

    hrefs = page.locator("section[aria-labelledby=export-title] a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    assert "/api/v1/export?format=json" in hrefs and "/api/v1/export?format=fhir" in hrefs
    assert {f"/api/v1/export?format=csv&entity={e}" for e in ("twitch", "checkin", "symptom", "activity", "intake")} <= set(hrefs)
    with page.expect_download() as download:
        page.get_by_role("link", name="Twitch (CSV)").click()
    assert download.value.suggested_filename == "twitchlog-twitch.csv"

    # Calm mode: today's line has words, no number.
    device.screen("")
    count = page.locator("#today-count")
    count.get_by_text("Logged today").wait_for()
    assert not any(ch.isdigit() for ch in count.inner_text())
    device.screen("history")
    today = page.locator(".calendar a.today")
    today.wait_for()
    assert today.get_attribute("data-count") is None
    assert "a usual day" in today.get_attribute("aria-label") and "twitch" not in today.get_attribute("aria-label")

    device.screen("more")
    page.get_by_text("Delete my account…").click()
    page.get_by_label("Your password, to confirm").fill("not my password 123")
    page.get_by_role("button", name="Delete everything now").click()
    page.get_by_text("That password is not right.").wait_for()
    page.get_by_label("Your password, to confirm").fill(PASSWORD)
    page.get_by_role("button", name="Delete everything now").click()
    page.get_by_role("heading", name="Create an account").wait_for()
    assert ApiClient(live_server.url).login(email, PASSWORD).status_code == 401
    device.wait_local("s.records.length === 0")


# The schema of db.js version 1, with one record as version 1 stored it (no `noted`).
V1_DATABASE = """
async () => {
  await new Promise((ok, fail) => {
    const req = indexedDB.open('twitchlog', 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      const records = db.createObjectStore('records', { keyPath: ['entity', 'record_id'] });
      records.createIndex('by_time', ['entity', 'at']);
      db.createObjectStore('outbox', { keyPath: 'id' }).createIndex('by_record', ['entity', 'record_id']);
      db.createObjectStore('meta', { keyPath: 'key' }).add({ key: 'device', client_id: crypto.randomUUID(),
        next_mutation_id: 1, clock: { wall: 0, counter: 0 }, cookie: null, owner: null, signed_in: false, user: null, rejected: [] });
      db.createObjectStore('parked', { keyPath: 'client_id' });
      const at = new Date(Date.now() - 3 * 86400000).toISOString();
      records.put({ entity: 'twitch', record_id: crypto.randomUUID(), base: null,
        view: { fields: { occurred_at: at, note: 'Kept from the old version' }, field_hlc: {}, deleted: false }, at });
    };
    req.onsuccess = () => { req.result.close(); ok(); };
    req.onerror = () => fail(req.error);
  });
}
"""


def test_a_version_1_database_is_upgraded_and_its_notes_can_be_searched(make_device):
    device = make_device()
    device.page.goto("/manifest.webmanifest")  # same origin, before the app has opened its database
    device.page.evaluate(V1_DATABASE)
    device.open()
    device.screen("history")
    page = device.page
    page.locator("main[data-ready=month]").wait_for()
    page.get_by_label("Words in a note").fill("old version")
    page.get_by_role("button", name="Search").click()
    page.locator(".note-result", has_text="Kept from the old version").wait_for()
    assert page.evaluate("""() => new Promise((ok) => { const r = indexedDB.open('twitchlog');
        r.onsuccess = () => { const db = r.result; ok([db.version, [...db.transaction('records').objectStore('records').indexNames]]); db.close(); }; })""") \
        == [2, ["by_noted", "by_time"]]


def test_the_check_in_date_follows_the_day_start(make_device, email):
    # 02:30 in Berlin on 3 December: with the day starting at 04:00 it is still 2 December.
    device = make_device()
    device.context.clock.install(time=dt.datetime(2026, 12, 3, 2, 30, tzinfo=ZoneInfo(TIMEZONE)))
    device.open().wait_controlled()
    device.sign_up(email)
    device.screen("checkin")
    # The date is filled once the screen has read the device's settings: wait for it, not read it at once.
    device.wait_until("() => document.querySelector('.checkin input[type=date]')?.value === '2026-12-03'",
                      what="the check-in to default to today")
    device.screen("more")
    device.page.get_by_label("My day ends at").select_option("04:00")
    device.wait_local("s.device.user.day_starts_at === '04:00'")
    device.screen("checkin")
    device.wait_until("() => document.querySelector('.checkin input[type=date]')?.value === '2026-12-02'",
                      what="the check-in to default to the evening before")
    # A twitch at 02:30 counts for 2 December in History too.
    device.screen("")
    device.log_twitch()
    device.page.evaluate("location.hash = '#/history/2026-12'")
    device.page.locator("main[data-ready=month][data-month='2026-12']").wait_for()
    assert device.page.locator(".calendar a[data-date='2026-12-02']").get_attribute("data-count") == "1"
