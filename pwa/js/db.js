// The only module that opens IndexedDB and knows its schema. Every function here is one
// transaction and resolves when that transaction has completed (not merely when a request did).

import { applyMutation, emptyState, mergeRecord } from "./sync/merge.js";
import { formatHlc, observe, tick } from "./sync/hlc.js";
import { makeMutation, recordKey, renumber, unsyncedEntryCount } from "./sync/outbox.js";
import { recordsFromChanges, recordsFromPendingOnly } from "./sync/pull.js";
import { recordTime } from "./records.js";
import { uuid4 } from "./uuid.js";

const DB_NAME = "twitchlog";
// 2: records gain `noted` (their time, when they carry a note) and the by_noted index over it,
// so searching notes reads only records that have one.
const DB_VERSION = 2;
const DEVICE = "device";

let opening = null;

function newDevice(previous = {}) {
  return {
    key: DEVICE,
    client_id: uuid4(),
    next_mutation_id: 1,
    clock: previous.clock || { wall: 0, counter: 0 },
    cookie: null,
    owner: null,
    signed_in: false,
    user: null,
    rejected: [],
  };
}

function upgrade(db, oldVersion, tx) {
  if (oldVersion < 1) {
    const records = db.createObjectStore("records", { keyPath: ["entity", "record_id"] });
    records.createIndex("by_time", ["entity", "at"]);
    const outbox = db.createObjectStore("outbox", { keyPath: "id" });
    outbox.createIndex("by_record", ["entity", "record_id"]);
    db.createObjectStore("meta", { keyPath: "key" }).add(newDevice());
    // Unsynced mutations of an account that is not signed in here now, kept with their own client id.
    db.createObjectStore("parked", { keyPath: "client_id" });
  }
  if (oldVersion < 2) {
    const records = tx.objectStore("records");
    records.createIndex("by_noted", "noted");
    // Records stored by version 1 get their `noted` in the same upgrade transaction.
    records.openCursor().onsuccess = (event) => {
      const cursor = event.target.result;
      if (!cursor) return;
      const row = withAt(cursor.value);
      if (row.noted) cursor.update(row);
      cursor.continue();
    };
  }
}

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = (event) => upgrade(req.result, event.oldVersion, req.transaction);
      req.onsuccess = () => {
        const db = req.result;
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      req.onerror = () => { opening = null; reject(req.error); };
      req.onblocked = () => reject(new Error("IndexedDB upgrade blocked by another tab"));
    });
  }
  return opening;
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(storeNames, mode, work) {
  const db = await openDb();
  const tx = db.transaction(storeNames, mode, { durability: "strict" });
  const done = new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new DOMException("transaction aborted", "AbortError"));
  });
  let result;
  try {
    result = await work(tx);
  } catch (error) {
    try { tx.abort(); } catch { /* already finished */ }
    await done.catch(() => {});
    throw error;
  }
  await done;
  return result;
}

function withAt(row) {
  const at = row.view.deleted ? null : recordTime(row.entity, row.view.fields);
  const stored = { ...row };
  if (at != null) stored.at = at;
  else delete stored.at;
  // Only records with a note are in the by_noted index (a missing key leaves a record out).
  if (at != null && typeof row.view.fields.note === "string" && row.view.fields.note) stored.noted = at;
  else delete stored.noted;
  return stored;
}

export function readDevice() {
  return run(["meta"], "readonly", (tx) => request(tx.objectStore("meta").get(DEVICE)));
}

export function updateDevice(changes) {
  return run(["meta"], "readwrite", async (tx) => {
    const meta = tx.objectStore("meta");
    const device = { ...(await request(meta.get(DEVICE))), ...changes };
    meta.put(device);
    return device;
  });
}

// A local write: the record and its outbox entry, numbered and clocked, in one transaction.
// IndexedDB serialises overlapping readwrite transactions across tabs and the service worker,
// so ids taken here have no gaps and are never handed out twice.
export function writeLocal(entity, recordId, op, fields = {}, nowMs = Date.now()) {
  return run(["records", "outbox", "meta"], "readwrite", async (tx) => {
    const meta = tx.objectStore("meta");
    const records = tx.objectStore("records");
    // Both reads in flight at once: one round trip less on the one-tap path.
    const [device, existing] = await Promise.all([
      request(meta.get(DEVICE)),
      request(records.get([entity, recordId])),
    ]);
    const clock = tick(device.clock, nowMs);
    const mutation = makeMutation({
      id: device.next_mutation_id,
      hlc: formatHlc(clock, device.client_id),
      entity, recordId, op, fields,
    });
    const row = existing || { entity, record_id: recordId, base: null, view: emptyState() };
    const stored = withAt({ ...row, view: applyMutation(row.view, mutation) });
    records.put(stored);
    tx.objectStore("outbox").add(mutation);
    meta.put({ ...device, clock, next_mutation_id: device.next_mutation_id + 1 });
    return { mutation, record: stored };
  });
}

export function getRecord(entity, recordId) {
  return run(["records"], "readonly", (tx) => request(tx.objectStore("records").get([entity, recordId])));
}

// Records of one entity whose time is at or after `since`, newest first, deleted ones left out.
export function recentRecords(entity, { since = "", until = "\uffff", limit = 50 } = {}) {
  return run(["records"], "readonly", (tx) => new Promise((resolve, reject) => {
    const rows = [];
    const range = IDBKeyRange.bound([entity, since], [entity, until]);
    const cursor = tx.objectStore("records").index("by_time").openCursor(range, "prev");
    cursor.onerror = () => reject(cursor.error);
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c || rows.length >= limit) return resolve(rows);
      if (!c.value.view.deleted) rows.push(c.value);
      c.continue();
    };
  }));
}

// How many live records of one entity have their time in [since, until): counted by the by_time
// index itself, no record loaded. Deleted records have no time, so the index leaves them out.
// (WebKit pays a round trip to its storage process for every cursor step: reading each of today's
// records to count them made a tap slower with every twitch logged, issue 13.)
export function countRecords(entity, { since = "", until = "\uffff" } = {}) {
  return run(["records"], "readonly", (tx) => request(tx.objectStore("records").index("by_time")
    .count(IDBKeyRange.bound([entity, since], [entity, until], false, true))));
}

// The times of one entity's live records between `since` and `until`, read from the by_time
// index's keys alone (no record is loaded): what a month of the calendar needs.
export function recordTimes(entity, { since = "", until = "\uffff" } = {}) {
  return run(["records"], "readonly", (tx) => new Promise((resolve, reject) => {
    const times = [];
    const range = IDBKeyRange.bound([entity, since], [entity, until]);
    const cursor = tx.objectStore("records").index("by_time").openKeyCursor(range);
    cursor.onerror = () => reject(cursor.error);
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c) return resolve(times);
      times.push(c.key[1]);
      c.continue();
    };
  }));
}

// Records (any entity) whose note contains `words` (case-insensitive), newest first.
export function searchNotes(words, { limit = 50 } = {}) {
  const needle = words.trim().toLocaleLowerCase();
  return run(["records"], "readonly", (tx) => new Promise((resolve, reject) => {
    const rows = [];
    const cursor = tx.objectStore("records").index("by_noted").openCursor(null, "prev");
    cursor.onerror = () => reject(cursor.error);
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c || rows.length >= limit || !needle) return resolve(rows);
      const { view } = c.value;
      if (!view.deleted && view.fields.note?.toLocaleLowerCase().includes(needle)) rows.push(c.value);
      c.continue();
    };
  }));
}

export function outboxEntries(limit = 1000) {
  return run(["outbox"], "readonly", (tx) => request(tx.objectStore("outbox").getAll(null, limit)));
}

export function pendingSummary() {
  return run(["outbox"], "readonly", async (tx) => {
    const entries = await request(tx.objectStore("outbox").getAll());
    return { mutations: entries.length, entries: unsyncedEntryCount(entries) };
  });
}

async function pendingFor(outbox, entity, recordId) {
  const entries = await request(outbox.index("by_record").getAll([entity, recordId]));
  return entries.sort((a, b) => a.id - b.id);
}

// After a push: acknowledged mutations leave the outbox; records with a rejected mutation are
// recomputed from the server copy and what is still pending, so the refused value disappears.
export function settleOutbox(clientId, doneIds, rejected = []) {
  return run(["records", "outbox", "meta"], "readwrite", async (tx) => {
    const meta = tx.objectStore("meta");
    const device = await request(meta.get(DEVICE));
    // Signed out (new client id) while the push was on the wire: these ids are not ours any more.
    if (device.client_id !== clientId) return;
    const outbox = tx.objectStore("outbox");
    const records = tx.objectStore("records");
    for (const id of doneIds) outbox.delete(id);
    for (const mutation of rejected) {
      const row = await request(records.get([mutation.entity, mutation.record_id]));
      if (!row) continue;
      const pending = await pendingFor(outbox, mutation.entity, mutation.record_id);
      const view = mergeRecord(row.base, pending);
      if (!row.base && pending.length === 0) records.delete([row.entity, row.record_id]);
      else records.put(withAt({ ...row, view }));
    }
    if (rejected.length) {
      const log = rejected.map(({ id, entity, record_id, code, message }) => ({ id, entity, record_id, code, message }));
      meta.put({ ...device, rejected: [...(device.rejected || []), ...log].slice(-20) });
    }
  });
}

// Renumber what is pending so it starts at `firstId`, keeping order and leaving no gap.
export function renumberOutbox(clientId, firstId) {
  return run(["outbox", "meta"], "readwrite", async (tx) => {
    const meta = tx.objectStore("meta");
    const outbox = tx.objectStore("outbox");
    const device = await request(meta.get(DEVICE));
    if (device.client_id !== clientId) return;
    const entries = renumber(await request(outbox.getAll()), firstId);
    outbox.clear();
    for (const entry of entries) outbox.add(entry);
    meta.put({ ...device, next_mutation_id: firstId + entries.length });
  });
}

// One pull page and its cookie in one transaction. `reset` drops the local copy first but keeps
// every unsynced local mutation (and the records it makes).
export function applyPullPage(answer, { clientId } = {}) {
  return run(["records", "outbox", "meta"], "readwrite", async (tx) => {
    const meta = tx.objectStore("meta");
    const records = tx.objectStore("records");
    const outbox = tx.objectStore("outbox");
    const device = await request(meta.get(DEVICE));
    if (clientId && device.client_id !== clientId) {
      throw new Error("device identity changed during pull");
    }
    const all = await request(outbox.getAll());
    const pending = new Map();
    for (const entry of all.sort((a, b) => a.id - b.id)) {
      const key = recordKey(entry.entity, entry.record_id);
      if (!pending.has(key)) pending.set(key, []);
      pending.get(key).push(entry);
    }
    if (answer.reset) {
      records.clear();
      for (const row of recordsFromPendingOnly(pending)) records.put(withAt(row));
    }
    let clock = device.clock;
    for (const row of recordsFromChanges(answer.changes, pending)) {
      records.put(withAt(row));
      for (const hlc of Object.values(row.base.field_hlc)) clock = observe(clock, hlc);
    }
    meta.put({ ...device, clock, cookie: answer.cookie ?? null });
    return { applied: answer.changes.length };
  });
}

function parkPending(tx, device, entries, nowMs = Date.now()) {
  if (!device.owner || entries.length === 0) return;
  tx.objectStore("parked").put({
    client_id: device.client_id,
    owner: device.owner,
    mutations: entries.sort((a, b) => a.id - b.id),
    parked_at: nowMs,
  });
}

// Who the local data belongs to. Anonymous data is adopted by the first account; data of another
// account is never shown to or uploaded into this one: its unsynced part is parked for it.
export function bindOwner(user) {
  return run(["records", "outbox", "meta", "parked"], "readwrite", async (tx) => {
    const meta = tx.objectStore("meta");
    const device = await request(meta.get(DEVICE));
    if (device.owner === user.id) {
      meta.put({ ...device, signed_in: true, user });
      return { adopted: false, switched: false };
    }
    if (device.owner === null) {
      meta.put({ ...device, owner: user.id, signed_in: true, user, cookie: null });
      return { adopted: true, switched: false };
    }
    const entries = await request(tx.objectStore("outbox").getAll());
    parkPending(tx, device, entries);
    tx.objectStore("outbox").clear();
    tx.objectStore("records").clear();
    meta.put({ ...newDevice(device), owner: user.id, signed_in: true, user });
    return { adopted: false, switched: true, parked: entries.length };
  });
}

// Signing out leaves nothing of the account visible here: records go, unsynced work is parked for
// the account, and the device starts again as a new, anonymous client. `notice` tells the next
// screen why (the server answered 401: signed out elsewhere, expired or revoked).
export function forgetAccount({ notice = null } = {}) {
  return run(["records", "outbox", "meta", "parked"], "readwrite", async (tx) => {
    const meta = tx.objectStore("meta");
    const device = await request(meta.get(DEVICE));
    const entries = await request(tx.objectStore("outbox").getAll());
    parkPending(tx, device, entries);
    tx.objectStore("outbox").clear();
    tx.objectStore("records").clear();
    meta.put({ ...newDevice(device), notice });
    return { parked: device.owner ? entries.length : 0 };
  });
}

export function parkedFor(owner) {
  return run(["parked"], "readonly", async (tx) => {
    const all = await request(tx.objectStore("parked").getAll());
    return all.filter((row) => row.owner === owner);
  });
}

// Like renumberOutbox, for an account's parked mutations the server stopped short of.
export function renumberParked(clientId, firstId) {
  return run(["parked"], "readwrite", async (tx) => {
    const store = tx.objectStore("parked");
    const row = await request(store.get(clientId));
    if (row) store.put({ ...row, mutations: renumber(row.mutations, firstId) });
  });
}

export function settleParked(clientId, lastMutationId) {
  return run(["parked"], "readwrite", async (tx) => {
    const store = tx.objectStore("parked");
    const row = await request(store.get(clientId));
    if (!row) return;
    const mutations = row.mutations.filter((m) => m.id > lastMutationId);
    if (mutations.length) store.put({ ...row, mutations });
    else store.delete(clientId);
  });
}

// Work parked at sign-out waits for its account to sign in here again, for PARKED_DAYS at most:
// the server's session lifetime (TWITCHLOG_SESSION_DAYS, 30). Health notes of someone who has not
// come back in that time should not stay on what may be a shared or handed-on device for ever.
export const PARKED_DAYS = 30;
const DAY_MS = 86_400_000;

export function parkedExpiry(row) {
  return (row.parked_at ?? Date.now()) + PARKED_DAYS * DAY_MS;
}

// Drop parked work older than PARKED_DAYS; rows from before parked_at existed start counting now.
export function dropExpiredParked(nowMs = Date.now()) {
  return run(["parked"], "readwrite", async (tx) => {
    const store = tx.objectStore("parked");
    let dropped = 0;
    for (const row of await request(store.getAll())) {
      if (row.parked_at == null) store.put({ ...row, parked_at: nowMs });
      else if (nowMs >= row.parked_at + PARKED_DAYS * DAY_MS) {
        store.delete(row.client_id);
        dropped += row.mutations.length;
      }
    }
    return dropped;
  });
}

// Every parked row, for "waiting entries" in settings: [{client_id, owner, mutations, parked_at}].
export function parkedRows() {
  return run(["parked"], "readonly", (tx) => request(tx.objectStore("parked").getAll()));
}

// "Remove this account's data from this device": its records, its unsynced work, its parked work;
// the device starts again as a new, anonymous client. With owner null, only parked work goes.
export function removeAccountData(owner) {
  return run(["records", "outbox", "meta", "parked"], "readwrite", async (tx) => {
    const meta = tx.objectStore("meta");
    const device = await request(meta.get(DEVICE));
    const parked = tx.objectStore("parked");
    for (const row of await request(parked.getAll())) {
      if (owner === null || row.owner === owner) parked.delete(row.client_id);
    }
    if (owner !== null && device.owner === owner) {
      tx.objectStore("outbox").clear();
      tx.objectStore("records").clear();
      meta.put(newDevice(device));
    }
  });
}
