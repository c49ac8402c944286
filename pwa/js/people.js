// The people this account follows, as the rest of the app needs them (DESIGN §6, issue 10):
// - an invitation opened while signed out is kept on this device until it is accepted, and is
//   accepted as soon as the account signs in or up, wherever that happens;
// - an account that only follows someone (no records of its own) is "follower-only": the app
//   opens on People and its navigation leaves out Log, Check-in and Pacing until it logs something.
// The invitation code is a secret: it stays in this browser's storage, is never logged, and is
// dropped once used or refused.

import { api, ApiError } from "./api.js";
import { onChange } from "./changes.js";
import { readDevice, recentRecords } from "./db.js";

const INVITATION = "twitchlog:invitation";
const FOLLOWER_ONLY = "twitchlog:follower-only";
const FOLLOWS = "twitchlog:follows";
const OWN_ENTITIES = ["twitch", "checkin", "symptom", "activity", "intake"];
export const MODE_EVENT = "twitchlog:follower-mode";
export const ACCEPTED_EVENT = "twitchlog:invitation-accepted";

function read(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage blocked: nothing kept
  }
}

function write(key, value) {
  try {
    if (value == null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage blocked (private mode): the app still works, it just cannot remember.
  }
}

// A pasted invitation link or a bare code: the code either way.
export function codeFrom(text) {
  const value = String(text || "").trim();
  const match = /[?&]accept=([^&\s]+)/.exec(value);
  return match ? decodeURIComponent(match[1]) : value;
}

export function keepInvitation(code) {
  const token = codeFrom(code);
  if (token) write(INVITATION, token);
}

export function keptInvitation() {
  return read(INVITATION);
}

export function dropInvitation() {
  write(INVITATION, null);
}

let accepting = null;

// Accept the kept invitation (the person followed, or null when none is kept). A code the server
// refuses (404 used/ended, 400 own) is dropped and the ApiError thrown; offline or signed out it
// stays kept for the next try. One request at a time, however many callers ask.
export function acceptKeptInvitation() {
  const token = keptInvitation();
  if (!token) return Promise.resolve(null);
  if (!accepting) {
    accepting = api("POST", "/shares/accept", { token })
      .then((person) => {
        if (keptInvitation() === token) dropInvitation();
        write(FOLLOWS, "1");
        dispatchEvent(new CustomEvent(ACCEPTED_EVENT, { detail: { person } }));
        return person;
      })
      .catch((error) => {
        if (error instanceof ApiError && (error.status === 404 || error.status === 400)) dropInvitation();
        throw error;
      })
      .finally(() => { accepting = null; });
  }
  return accepting;
}

// What to call a person: their display name, else the part of their email before the @.
export function personName(person) {
  const name = (person?.display_name || "").trim();
  if (name) return name;
  return String(person?.email || "").split("@")[0] || "This person";
}

export function isFollowerOnly() {
  return read(FOLLOWER_ONLY) === "1";
}

async function hasOwnRecords() {
  for (const entity of OWN_ENTITIES) {
    if ((await recentRecords(entity, { limit: 1 })).length) return true;
  }
  return false;
}

function setFollowerOnly(value) {
  const before = isFollowerOnly();
  write(FOLLOWER_ONLY, value ? "1" : null);
  if (before !== value) dispatchEvent(new CustomEvent(MODE_EVENT, { detail: { followerOnly: value } }));
  return value;
}

// Work out whether this account only follows. `people` (a fresh GET /people answer) or
// `network: true` refreshes whom it follows; otherwise the last known answer is used, so a
// tap that logs something switches the full navigation back on at once, offline too.
export async function refreshFollowerMode({ people = null, network = false } = {}) {
  const device = await readDevice();
  if (!device?.signed_in) {
    write(FOLLOWS, null);
    return setFollowerOnly(false);
  }
  if (people) write(FOLLOWS, people.length ? "1" : null);
  if (await hasOwnRecords()) return setFollowerOnly(false);
  if (!people && network) {
    try {
      const answer = await api("GET", "/people");
      write(FOLLOWS, answer.length ? "1" : null);
    } catch {
      // Offline or failing: keep what was known.
    }
  }
  return setFollowerOnly(read(FOLLOWS) === "1");
}

// Signed in somewhere else than People (the account screen): say so, with the way there.
async function tellFollowing(person) {
  const [{ toast }, { P }] = await Promise.all([import("./ui/toast.js"), import("./strings-people.js")]);
  if (location.hash.startsWith("#/caregiver")) return; // People shows it itself
  toast(P.people.acceptedKept(personName(person)), [{ label: P.people.seePeople, run: () => { location.hash = "#/caregiver"; } }]);
}

// Called once at start-up: accept a kept invitation whenever the account signs in or up, and keep
// the follower-only mode in step with sign-in and with what is logged.
export function watchPeople() {
  onChange(async (detail) => {
    if (detail?.reason === "session") {
      const device = await readDevice();
      if (device?.signed_in && keptInvitation()) {
        const person = await acceptKeptInvitation().catch(() => null);
        if (person) tellFollowing(person);
      }
      await refreshFollowerMode({ network: true }).catch(() => {});
    } else {
      await refreshFollowerMode().catch(() => {});
    }
  });
  return refreshFollowerMode({ network: true }).catch(() => false);
}
