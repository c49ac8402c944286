"""The core journeys in Chromium, WebKit and Firefox (DESIGN §10, §11, §16), each written once over
tests/engines/drivers.py. Written against contract hooks only: the "Log…" button's accessible
name, the "I understand" button, labels, DESIGN ids and API paths.

No journey reads the machine's clock or zone: "today" is asked of the page itself.
"""
from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from tests.e2e.conftest import READ_LOCAL
from tests.engines.conftest import PASSWORD
from tests.engines.drivers import Tab, button, labelled
from tests.support.api import ApiClient

TWITCHES = f"""async () => {{ const s = await ({READ_LOCAL.strip()})();
  return s.records.filter((r) => r.entity === "twitch" && !r.view.deleted).length; }}"""
OUTBOX = f"""async () => {{ const s = await ({READ_LOCAL.strip()})(); return s.outbox.length; }}"""
CONTROLLED = """async () => { const r = await navigator.serviceWorker.getRegistration();
  return !!(navigator.serviceWorker.controller && r && r.active) && r.scope; }"""
SYNCED = f"""async () => {{ const s = await ({READ_LOCAL.strip()})();
  const status = document.getElementById("sync-status");
  return s.outbox.length === 0 && !!status && status.dataset.pending === "0" && status.dataset.tone === "ok"; }}"""
# The page's own local date (the phone's zone, not the machine running the tests).
TODAY = """() => { const d = new Date(); const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`; }"""


def twitches(tab: Tab) -> int:
    return tab.js(TWITCHES)


def tap(tab: Tab, expect: int) -> None:
    """One tap on the "Log…" button; waits until the twitch is stored on the device."""
    tab.click(button("Log"))
    tab.wait(f"async () => ({TWITCHES.strip()})().then((n) => n >= {expect} && n)", what=f"{expect} twitches stored")
    assert twitches(tab) == expect


def open_installed(tab: Tab) -> str:
    tab.open()
    return tab.wait(CONTROLLED, what="the service worker to control the page")


def sign_up_in_the_form(tab: Tab, email: str) -> None:
    tab.route("more")
    if tab.js("() => ![...document.querySelectorAll('h1,h2')].some((h) => h.textContent.trim() === 'Create an account')"):
        tab.click(button("New here?"))
    tab.wait("() => [...document.querySelectorAll('h1,h2')].some((h) => h.textContent.trim() === 'Create an account')",
             what="the sign-up form")
    tab.fill(labelled("Email"), email)
    tab.fill(labelled("Password"), PASSWORD)
    tab.click(button("Create account"))
    tab.wait(f"() => {{ const f = {button('Sign out')[0]}; return !!f('Sign out'); }}", what="signed in")


def sign_in_through_the_api(tab: Tab, email: str) -> None:
    """Sign in with the contract's API from inside the page; the app learns it from GET /me."""
    status = tab.js("""async (a) => (await fetch("/api/v1/auth/login", {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json"}, body: JSON.stringify(a)})).status""",
                    {"email": email, "password": PASSWORD})
    assert status == 200


def server_twitches(base_url: str, email: str) -> int:
    api = ApiClient(base_url)
    assert api.login(email, PASSWORD).status_code == 200
    records, _ = api.pull_all()
    return sum(1 for (entity, _), r in records.items() if entity == "twitch" and not r.get("deleted"))


def wait_for(check, what: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
    return value


def test_first_load_installs_and_one_tap_logs_online_offline_and_after_reopening_offline(phones):
    tab, relay = phones()
    scope = open_installed(tab)
    assert scope == tab.base_url + "/"
    manifest = tab.js("""async () => { const link = document.querySelector('link[rel="manifest"]');
        const m = await (await fetch(link.href)).json(); return {display: m.display, icons: m.icons.length}; }""")
    assert manifest["display"] == "standalone" and manifest["icons"] >= 2
    assert tab.js(f"() => ({button('Log')[0]})('Log').tagName") == "BUTTON"

    tap(tab, 1)
    relay.cut()  # no network: the relay refuses every connection
    tap(tab, 2)
    tab.open()  # reopened with no network: the service worker serves the app from its cache
    assert twitches(tab) == 2
    tap(tab, 3)
    assert tab.js(OUTBOX) == 3, "nothing signed in: the three wait to upload"
    relay.restore()


def test_sign_up_uploads_and_two_phones_converge_without_background_sync(phones, email, live_server):
    a, _ = phones("127.0.0.1")
    open_installed(a)
    tap(a, 1)  # before any account
    sign_up_in_the_form(a, email)
    a.wait(SYNCED, what="the twitch logged before signing up to upload")
    assert server_twitches(live_server.url, email) == 1

    b, relay_b = phones("localhost")  # another phone: another host, so no shared cookie
    open_installed(b)
    sign_in_through_the_api(b, email)
    b.open()  # on start the app asks GET /api/v1/me and syncs without being asked
    b.wait(f"async () => (await ({TWITCHES.strip()})()) === 1", what="the other phone's twitch to arrive")
    relay_b.cut()
    tap(b, 2)
    time.sleep(1.5)  # a try or two fails meanwhile
    relay_b.restore()
    # No `online` event fires (only the relay was cut) and there is no Background Sync in WebKit or
    # Gecko: the retry timer sends the waiting twitch (at most 60 s between tries, DESIGN §11).
    b.wait(SYNCED, timeout=65, what="the retry timer to upload the twitch logged offline")
    wait_for(lambda: server_twitches(live_server.url, email) == 2, "the server to hold both twitches")
    a.open()
    a.wait(f"async () => (await ({TWITCHES.strip()})()) === 2", what="the first phone to converge")


def test_a_checkin_is_stored_for_the_phones_today_and_a_red_flag_shows_until_understood(phones, email):
    tab, relay = phones()
    open_installed(tab)
    today = tab.js(TODAY)
    tab.route("checkin")
    tab.click(button("Save"))
    tab.wait(f"""async (day) => {{ const s = await ({READ_LOCAL.strip()})();
        return s.records.some((r) => r.entity === "checkin" && r.view.fields.local_date === day); }}""", today,
             what="a check-in for the phone's own date")

    relay.cut()  # red flags are judged on the device too: offline is enough
    tab.route("symptoms")
    tab.click(("""(name) => { const i = [...document.querySelectorAll("input[type=radio]")]
        .find((i) => (i.labels[0]?.textContent || "").trim().startsWith(name)); return i || null; }""",
               "Trouble swallowing"))
    tab.click(button("Log symptom"))
    shown = tab.wait("""() => { const card = document.getElementById("red-flag-banner");
        return card && (card.offsetWidth || card.offsetHeight) && card.textContent.replace(/\\s+/g, " "); }""",
                     what="the red-flag card")
    assert "doctor" in shown
    tab.route("more")  # on every screen
    assert tab.js("() => { const c = document.getElementById('red-flag-banner'); return !!(c && c.offsetHeight); }")
    if tab.js(f"() => !!({button('I understand')[0]})('I understand')"):  # DESIGN §16
        tab.click(button("I understand"))
        tab.wait("() => { const c = document.getElementById('red-flag-banner'); return !!(c && c.offsetHeight); }",
                 what="the slim strip that stays")
    relay.restore()


def test_the_clinician_page_opens_with_its_numbers(phones, live_server):
    owner = ApiClient(live_server.url)
    owner.register()
    assert owner.patch("/api/v1/me", json={"timezone": "Europe/Berlin"}).status_code == 200
    # within the page's default 90 days whatever today is (dates relative to now, not an hour)
    days = [(datetime.now(UTC) - timedelta(days=i)).strftime("%Y-%m-%dT%H:%M:%SZ") for i in (2, 3, 4)]
    mutations = [owner.mutation("twitch", str(uuid.uuid4()), {"occurred_at": day, "body_region": "calf", "side": "left"})
                 for day in days]
    owner.push(mutations)
    response = owner.post("/api/v1/shares", json={"kind": "link", "scopes": ["summary", "events"]})
    assert response.status_code == 201, response.text
    path = response.json()["url"]  # "/s/<token>"
    tab, _ = phones()
    tab._open(tab.base_url + path)
    text = tab.wait("() => document.readyState === 'complete' && document.querySelector('h1') && document.body.innerText",
                    what="the clinician page")
    assert "Name not given" in text or owner.user["email"] not in text, "never the email"
    assert days[0][:10] in text or "calf" in text.lower(), text[:400]
    assert tab.js("() => document.documentElement.lang") != ""


def sign_up_through_the_api(tab: Tab, email: str) -> str:
    user = tab.js("""async (a) => { const r = await fetch("/api/v1/auth/register", {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json"}, body: JSON.stringify(a)}); return r.status === 201 && (await r.json()).id; }""",
                  {"email": email, "password": PASSWORD, "timezone": "Europe/Berlin"})
    assert user, "registered"
    return user


def test_a_reminder_opened_from_its_notification_offers_done_in_the_app(phones, email, live_server):
    """Safari shows no notification buttons: the notification opens #/prompt/<id> (sw/push.js),
    where the same choice goes through the same API for every device (DESIGN §11)."""
    from server.extensions import db
    from server.instants import utcnow
    from server.push.models import ReminderOccurrence
    from tests.push.conftest import rows

    tab, _ = phones()
    open_installed(tab)
    user_id = sign_up_through_the_api(tab, email)
    with live_server.app.app_context():
        now = utcnow()
        row = ReminderOccurrence(user_id=user_id, kind="evening", dedupe_key="evening:2026-05-01", local_date=datetime(2026, 5, 1).date(),
                                 due_at=now, send_at=now, expires_at=now + timedelta(hours=3), status="sent")
        db.session.add(row)
        db.session.commit()
        occurrence_id = row.id
    tab.open(f"/#/prompt/{occurrence_id}?kind=evening")
    tab.wait("() => document.body.dataset.screen === 'prompt'", what="the prompt screen")
    assert tab.js(f"() => !!({button('Snooze 15 min')[0]})('Snooze 15 min')"), "the same snooze choice"
    tab.click(button("Done"))
    tab.wait("() => /done/i.test(document.getElementById('prompt-status').textContent)", what="done confirmed")
    wait_for(lambda: rows(live_server.app, ReminderOccurrence, id=occurrence_id)[0].status == "done", "done to reach the server")


def test_settings_say_whether_this_devices_copy_is_kept_and_how_to_install(phones, email):
    tab, _ = phones()
    open_installed(tab)
    sign_up_through_the_api(tab, email)
    tab.open()
    tap(tab, 1)  # the first entry: the app asks navigator.storage.persist() where there is one
    tab.route("more")
    state = tab.wait("() => document.getElementById('device-storage-status')?.dataset.state", what="the device copy's status")
    has_persisted = tab.js("() => !!(navigator.storage && navigator.storage.persisted)")
    assert (state == "unknown") == (not has_persisted), (tab.engine, state)
    if has_persisted:
        truth = tab.js("async () => (await navigator.storage.persisted()) ? 'kept' : 'may-be-cleared'")
        assert state == truth
    guide = tab.js("() => { const c = document.getElementById('install-guide'); return c && {kind: c.dataset.kind, hidden: c.hidden}; }")
    prompts = tab.js("() => 'onbeforeinstallprompt' in window")
    if tab.engine == "firefox":  # no beforeinstallprompt: the guide for Firefox on a computer
        assert not prompts and guide == {"kind": "firefox-desktop", "hidden": False}
    elif tab.engine == "chromium":  # the browser's own offer (none fired here, headless): no guide
        assert prompts and guide["hidden"]
    else:  # WebKitGTK on Linux is not Safari on a phone: nothing honest to say (iPhone: tests/pwa/engines.test.mjs)
        assert not prompts and guide["hidden"]
