"""The first screen's "today" line counts the twitches of the local day from the by_time index
(issue 13: a tap must cost the same with 10 or 10,000 entries on the device). The count must
match what reading every record and comparing local dates gave: the day's bounds in the device's
time zone, instants in either of the forms stored (the app's ".sssZ", the server's whole
seconds "Z"), deleted records left out."""
from __future__ import annotations

SEED_AROUND_TODAY = """
async () => {
  const now = new Date();
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const next = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  const iso = (ms) => new Date(ms).toISOString();
  const rows = [
    [iso(start.getTime() - 1), false],                       // yesterday's last millisecond
    [iso(start.getTime()).replace('.000Z', 'Z'), false],      // midnight, as the server writes it
    [iso(start.getTime() + 1000).replace('.000Z', 'Z'), false],
    [iso(next.getTime() - 1), false],                        // today's last millisecond
    [iso(next.getTime()), false],                            // tomorrow's midnight
    [iso(next.getTime()).replace('.000Z', 'Z'), false],
    [iso(start.getTime() + 3600000), true],                  // deleted today
  ];
  const db = await new Promise((ok, fail) => { const r = indexedDB.open('twitchlog'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  const tx = db.transaction('records', 'readwrite');
  for (const [at, deleted] of rows) {
    const row = { entity: 'twitch', record_id: crypto.randomUUID(), base: null, view: { fields: { occurred_at: at }, field_hlc: {}, deleted } };
    if (!deleted) row.at = at;  // as db.js stores them: a deleted record has no time in the index
    tx.objectStore('records').put(row);
  }
  // A symptom today is not a twitch.
  tx.objectStore('records').put({ entity: 'symptom', record_id: crypto.randomUUID(), base: null,
    view: { fields: { observed_at: iso(start.getTime() + 60000), kind: 'cramp' }, field_hlc: {}, deleted: false }, at: iso(start.getTime() + 60000) });
  await new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
  db.close();
}
"""


def test_today_count_uses_the_local_day_bounds(device):
    device.open().wait_controlled()
    device.page.evaluate(SEED_AROUND_TODAY)
    device.reload()
    # Midnight and a second later (as the server writes them) and the day's last millisecond.
    device.page.locator("#today-count", has_text="Today: 3 twitches").wait_for()
    device.log_twitch()
    device.page.locator("#today-count", has_text="Today: 4 twitches").wait_for()
    assert device.errors == []
