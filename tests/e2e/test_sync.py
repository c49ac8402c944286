"""Offline-first sync in a real browser against the real server (DESIGN §3)."""
from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import TIMEZONE, Device

# Devices converging through the server: what the database keeps is the point, so CI runs these
# browser journeys on PostgreSQL too (the other browser layers test the PWA, and run once).
pytestmark = pytest.mark.database


def twitches(records: dict) -> list[dict]:
    return [c for (entity, _), c in records.items() if entity == "twitch"]


@pytest.mark.parametrize("interrupted", [False, True], ids=["clean", "503-then-retry"])
def test_fifty_taps_offline_become_exactly_fifty_records(make_device, email, server_view, interrupted):
    device = make_device().open().wait_controlled()
    device.sign_up(email)
    device.screen("")
    device.offline()
    for _ in range(50):
        device.page.get_by_role("button", name="Log a twitch").click()
    device.wait_local("s.outbox.length === 50 && s.records.length === 50")
    device.page.locator("#sync-status", has_text="50 entries not yet backed up").wait_for()

    pushes = []
    if interrupted:
        def flaky(route):
            pushes.append(route.request.post_data_json)
            if len(pushes) == 1:
                route.fulfill(status=503, headers={"Retry-After": "0", "Content-Type": "application/json"},
                              body='{"code": 503, "status": "Service Unavailable", "message": "busy"}')
            else:
                route.continue_()
        device.context.route("**/api/v1/sync/push", flaky)
    device.offline(False)
    device.wait_synced(timeout=30)

    records = twitches(server_view(email))
    assert len(records) == 50
    assert len({r["record_id"] for r in records}) == 50
    local_ids = {r["record_id"] for r in device.live_records()}
    assert local_ids == {r["record_id"] for r in records}
    if interrupted:
        assert len(pushes) >= 2, "the 503 was retried"
        assert [m["id"] for m in pushes[0]["mutations"]] == [m["id"] for m in pushes[1]["mutations"]], \
            "the retry resent the same mutation ids, so the server could dedupe them"


def two_devices_with_one_twitch(make_device, email: str) -> tuple[Device, Device]:
    """A phone that signed up and logged one twitch, and a tablet signed in that has pulled it."""
    phone = make_device().open().wait_controlled()
    phone.sign_up(email)
    phone.screen("")
    phone.log_twitch()
    phone.wait_synced()
    tablet = make_device().open().wait_controlled()
    tablet.sign_in(email)
    tablet.wait_local("s.records.length === 1")
    return phone, tablet


def edit_first_entry(device: Device):
    device.screen("")
    device.page.locator(".entry").first.get_by_role("button", name="Edit").click()
    device.page.locator("#details-sheet").wait_for()


def test_two_devices_edit_different_fields_offline_and_both_survive(make_device, email, server_view):
    phone, tablet = two_devices_with_one_twitch(make_device, email)

    phone.offline()
    tablet.offline()
    edit_first_entry(phone)
    phone.page.locator("#details-sheet").get_by_role("radio", name="4", exact=True).check()
    phone.wait_local("s.outbox.length === 1")
    edit_first_entry(tablet)
    note = tablet.page.locator("#details-sheet").get_by_label("Note")
    note.fill("left calf, after stairs")
    note.blur()
    tablet.wait_local("s.outbox.length === 1")

    phone.offline(False)
    phone.wait_synced()
    tablet.offline(False)
    tablet.wait_synced()
    phone.reload()  # flush and pull on start
    phone.wait_local("s.records[0].view.fields.note === 'left calf, after stairs'")
    tablet.wait_local("s.records[0].view.fields.intensity === 4")

    [record] = twitches(server_view(email))
    assert record["fields"]["intensity"] == 4
    assert record["fields"]["note"] == "left calf, after stairs"


def test_both_devices_create_the_same_days_checkin_and_end_with_one_record(make_device, email, server_view):
    phone = make_device().open().wait_controlled()
    phone.sign_up(email)
    tablet = make_device().open().wait_controlled()
    tablet.sign_in(email)
    phone.offline()
    tablet.offline()
    for device, label, value in ((phone, "Sleep last night (hours)", "7.5"), (tablet, "Caffeine (mg)", "120")):
        device.screen("checkin")
        device.page.get_by_label(label).fill(value)
        device.page.get_by_role("button", name="Save check-in").click()
        device.page.locator("#toast", has_text="saved").wait_for()
    phone.offline(False)
    tablet.offline(False)
    phone.wait_synced()
    tablet.wait_synced()
    phone.reload()
    phone.wait_local("s.records.some(r => r.entity === 'checkin' && r.view.fields.caffeine_mg === 120)")

    today = dt.datetime.now(ZoneInfo(TIMEZONE)).date().isoformat()
    checkins = [c for (entity, _), c in server_view(email).items() if entity == "checkin"]
    assert len(checkins) == 1
    [checkin] = checkins
    assert checkin["record_id"] == str(uuid.uuid5(uuid.NAMESPACE_URL, f"twitchlog:checkin:{today}"))
    assert checkin["fields"]["local_date"] == today
    assert checkin["fields"]["sleep_hours"] == 7.5
    assert checkin["fields"]["caffeine_mg"] == 120


def test_a_deleted_entry_stays_deleted_on_both_devices(make_device, email, server_view):
    phone, tablet = two_devices_with_one_twitch(make_device, email)

    # The tablet edits the entry offline while the phone deletes it: the edit must not revive it.
    tablet.offline()
    edit_first_entry(tablet)
    tablet.page.locator("#details-sheet").get_by_role("radio", name="Burst").check()
    tablet.wait_local("s.outbox.length === 1")
    phone.page.locator(".entry").first.get_by_role("button", name="Delete").click()
    phone.wait_local("s.records[0].view.deleted === true")
    phone.wait_synced()

    tablet.offline(False)
    tablet.wait_synced()
    tablet.wait_local("s.records[0].view.deleted === true")
    tablet.screen("")
    assert tablet.page.locator(".entry").count() == 0
    phone.reload()
    phone.wait_synced()
    assert phone.page.locator(".entry").count() == 0
    [record] = twitches(server_view(email))
    assert record["deleted"] is True
    assert record["fields"]["pattern"] == "burst"


def test_sign_up_uploads_what_was_logged_before_it(make_device, email, server_view):
    device = make_device().open().wait_controlled()
    for _ in range(3):
        device.log_twitch()
    device.screen("pacing")
    device.page.get_by_role("button", name="Start rest break").click()
    device.page.get_by_role("button", name="End rest break").wait_for()
    device.page.locator("#sync-status", has_text="4 entries on this device only").wait_for()
    device.sign_up(email)
    device.wait_synced()
    records = server_view(email)
    assert len(twitches(records)) == 3
    assert [c["fields"]["level"] for (e, _), c in records.items() if e == "activity"] == ["rest"]


def test_signing_out_removes_the_account_and_the_next_account_gets_none_of_it(make_device, email, server_view):
    device = make_device().open().wait_controlled()
    device.sign_up(email)
    device.screen("")
    device.log_twitch()
    device.wait_synced()
    device.screen("more")
    device.page.get_by_role("button", name="Sign out").click()
    device.page.get_by_role("button", name="Create account").wait_for()
    device.wait_local("s.records.length === 0 && s.outbox.length === 0 && s.device.owner === null")

    device.screen("")
    device.log_twitch()  # logged while signed out: belongs to whoever signs in next
    other = f"other-{email}"
    device.sign_up(other)
    device.wait_synced()
    assert len(twitches(server_view(other))) == 1
    assert len(twitches(server_view(email))) == 1


def test_two_tabs_share_one_gapless_mutation_sequence(make_device, email, server_view):
    device = make_device().open().wait_controlled()
    device.sign_up(email)
    second = device.context.new_page()
    second.goto("/")
    second.wait_for_selector("#nav a")
    device.screen("")
    device.offline()
    buttons = [device.page.get_by_role("button", name="Log a twitch"), second.get_by_role("button", name="Log a twitch")]
    # dispatch_event: a background tab runs no animation frames, which click() waits for.
    for i in range(20):
        buttons[i % 2].dispatch_event("click")
    device.wait_local("s.outbox.length === 20")
    ids = sorted(m["id"] for m in device.local()["outbox"])
    assert ids == list(range(ids[0], ids[0] + 20)), "ids from two tabs interleave without gaps or repeats"
    device.offline(False)
    device.wait_synced()
    assert len(twitches(server_view(email))) == 20


def test_background_sync_uploads_after_the_page_is_gone(make_device, email, server_view):
    device = make_device().open().wait_controlled()
    device.sign_up(email)
    device.screen("")
    device.offline()
    for _ in range(3):
        device.log_twitch()
    device.wait_local("s.outbox.length === 3")
    # The failed flush asked for Background Sync; leave the app, then come back online.
    device.wait_until("navigator.serviceWorker.ready.then((r) => r.sync.getTags()).then((t) => t.includes('twitchlog-outbox'))",
                      what="a Background Sync registration")
    server_view(email)  # sign the checker in before the upload, not during it
    device.page.goto("about:blank")
    device.offline(False)
    uploaded = []
    for _ in range(100):
        uploaded = twitches(server_view(email))
        if len(uploaded) == 3:
            break
        device.page.wait_for_timeout(100)
    assert len(uploaded) == 3


def test_another_account_never_sees_or_receives_the_previous_accounts_entries(make_device, email, server_view, live_server):
    from tests.e2e.conftest import PASSWORD
    from tests.support.api import ApiClient

    device = make_device().open().wait_controlled()
    device.sign_up(email)
    device.screen("")
    device.log_twitch()
    device.wait_synced()
    device.offline()
    device.log_twitch()
    device.log_twitch()
    device.wait_local("s.outbox.length === 2")
    # The session ends elsewhere (sign out everywhere) while two entries wait on this device.
    elsewhere = ApiClient(live_server.url)
    assert elsewhere.login(email, PASSWORD).status_code == 200
    assert elsewhere.post("/api/v1/auth/logout-all", json={}).status_code == 204
    device.offline(False)
    device.page.locator("#sync-status", has_text="Signed out").wait_for()

    other = f"second-{email}"
    device.sign_up(other)
    device.wait_synced()
    device.wait_local("s.records.length === 0 && s.outbox.length === 0")
    assert twitches(server_view(other)) == []
    assert len(twitches(server_view(email))) == 1, "the two waiting entries are kept for their own account"

    device.screen("more")
    device.page.get_by_role("button", name="Sign out").click()
    device.page.get_by_role("button", name="Create account").wait_for()
    device.sign_in(email)
    device.wait_synced()
    device.wait_local("s.records.filter((r) => !r.view.deleted).length === 3")
    assert len(twitches(server_view(email))) == 3
    assert twitches(server_view(other)) == []


def test_a_reset_drops_the_local_copy_but_keeps_unsynced_entries(make_device, email, server_view):
    device = make_device().open().wait_controlled()
    device.sign_up(email)
    device.screen("")
    device.log_twitch()
    device.wait_synced()
    device.offline()
    device.log_twitch()
    # A stale copy the server no longer vouches for, and a cookie from another epoch.
    device.page.evaluate("""async () => {
        const db = await new Promise((ok) => { const r = indexedDB.open('twitchlog'); r.onsuccess = () => ok(r.result); });
        const tx = db.transaction(['records', 'meta'], 'readwrite');
        tx.objectStore('records').put({entity: 'twitch', record_id: '00000000-0000-4000-8000-000000000000',
            at: new Date().toISOString(), base: {fields: {occurred_at: new Date().toISOString()}, field_hlc: {}, deleted: false},
            view: {fields: {occurred_at: new Date().toISOString()}, field_hlc: {}, deleted: false}});
        const meta = tx.objectStore('meta');
        meta.get('device').onsuccess = (e) => meta.put({...e.target.result, cookie: 'stale-epoch.1'});
        await new Promise((ok) => { tx.oncomplete = ok; });
        db.close();
    }""")
    device.wait_local("s.records.length === 3")
    device.offline(False)
    device.wait_synced()
    device.wait_local("s.records.length === 2 && !s.records.some((r) => r.record_id.startsWith('00000000'))")
    assert len(twitches(server_view(email))) == 2


def test_a_queue_the_server_cannot_continue_is_renumbered_not_stuck(make_device, email, server_view):
    device = make_device().open().wait_controlled()
    device.sign_up(email)
    device.screen("")
    device.offline()
    device.log_twitch()
    device.log_twitch()
    device.wait_local("s.outbox.length === 2")
    # As if the server had lost the first six mutations of this device (a restore from backup).
    device.page.evaluate("""async () => {
        const db = await new Promise((ok) => { const r = indexedDB.open('twitchlog'); r.onsuccess = () => ok(r.result); });
        const tx = db.transaction(['outbox', 'meta'], 'readwrite');
        const outbox = tx.objectStore('outbox');
        outbox.getAll().onsuccess = (e) => {
            const entries = e.target.result;
            outbox.clear();
            entries.forEach((m, i) => outbox.add({...m, id: 7 + i}));
        };
        const meta = tx.objectStore('meta');
        meta.get('device').onsuccess = (e) => meta.put({...e.target.result, next_mutation_id: 9});
        await new Promise((ok) => { tx.oncomplete = ok; });
        db.close();
    }""")
    device.offline(False)
    device.wait_synced()
    assert device.local()["device"]["next_mutation_id"] == 3, "numbering went on from where the server stood"
    assert len(twitches(server_view(email))) == 2
