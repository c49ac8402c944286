// Who is signed in. The session cookie is the truth (DESIGN §10): ask GET /me, never guess.

import { api, ApiError, OfflineError } from "./api.js";
import { bindOwner, dropExpiredParked, forgetAccount, pendingSummary, readDevice } from "./db.js";
import { announceChange, onChange } from "./changes.js";
import { deviceTimeZone } from "./local-date.js";
import { syncNow, withSyncLock } from "./sync/engine.js";

async function adopt(user) {
  const outcome = await withSyncLock(() => bindOwner(user));
  announceChange({ reason: "session" });
  const zone = deviceTimeZone();
  if (user.timezone !== zone) {
    // The device's zone is where the person is now; insights and reminders follow it.
    api("PATCH", "/me", { timezone: zone }).catch(() => {});
  }
  return outcome;
}

// A screen drawn before the session was learned (a reload straight onto it) calls redraw() when the
// device turns out signed in, or out, other than drawnSignedIn() says; never otherwise, so a
// half-filled form or a button under a finger is not replaced. Returns the function that stops it.
export function watchSignedIn(drawnSignedIn, redraw) {
  return onChange(async (change) => {
    if (change?.reason !== "session") return;
    const signedIn = Boolean((await readDevice().catch(() => ({}))).signed_in);
    if (signedIn !== drawnSignedIn()) redraw();
  });
}

// {user, outcome} when signed in, {user: null} when not, {offline: true, user: cached} offline.
export async function checkSession() {
  await dropExpiredParked().catch(() => {});
  try {
    const user = await api("GET", "/me");
    return { user, outcome: await adopt(user) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      const device = await readDevice();
      if (device.signed_in) {
        // Signed out elsewhere, expired or revoked: this account's records leave the screen and the
        // device (unsynced work is parked for it, as at sign-out); signing in brings them back.
        await withSyncLock(() => forgetAccount({ notice: "signed-out-elsewhere" }));
        announceChange({ reason: "session" });
      }
      return { user: null };
    }
    if (error instanceof OfflineError) {
      const device = await readDevice();
      return { offline: true, user: device.signed_in ? device.user : null };
    }
    throw error;
  }
}

export async function signIn(email, password) {
  const user = await api("POST", "/auth/login", { email, password });
  return { user, outcome: await adopt(user) };
}

export async function signInWithPasskey(credential) {
  const user = await api("POST", "/auth/passkeys/login", { credential });
  return { user, outcome: await adopt(user) };
}

export async function signUp(email, password) {
  const user = await api("POST", "/auth/register", { email, password, timezone: deviceTimeZone() });
  return { user, outcome: await adopt(user) };
}

// Try to back up first; report what would stay behind so the person can decide.
export async function prepareSignOut() {
  try {
    await syncNow();
  } catch {
    // Offline or failing: what is left is reported below.
  }
  return pendingSummary();
}

// The server must end the session (the cookie is HttpOnly), so this needs a connection.
export async function signOut() {
  await api("POST", "/auth/logout", {});
  const result = await withSyncLock(() => forgetAccount());
  announceChange({ reason: "session" });
  return result;
}
