// Per-field last-writer-wins by HLC, the rule the server applies (DESIGN §3). A record's state is
// {fields, field_hlc, deleted}; `deleted` is merged like any other field and is carried in
// field_hlc.deleted, so a set without "deleted" never resurrects a tombstone.

import { compareHlc } from "./hlc.js";

export function emptyState() {
  return { fields: {}, field_hlc: {}, deleted: false };
}

function copyState(state) {
  const source = state || emptyState();
  return {
    fields: { ...source.fields },
    field_hlc: { ...source.field_hlc },
    deleted: Boolean(source.deleted),
  };
}

export function mutationFields(mutation) {
  if (mutation.op === "delete") return { deleted: true };
  return mutation.fields || {};
}

function applyField(state, name, value, hlc) {
  if (compareHlc(hlc, state.field_hlc[name]) <= 0) return;
  state.field_hlc[name] = hlc;
  if (name === "deleted") state.deleted = Boolean(value);
  else state.fields[name] = value;
}

export function applyMutation(state, mutation) {
  const next = copyState(state);
  for (const [name, value] of Object.entries(mutationFields(mutation))) {
    applyField(next, name, value, mutation.hlc);
  }
  return next;
}

// What the server will hold once every pending mutation has been pushed: the server copy with
// the pending local fields on top, each field taken from whichever write has the higher HLC.
export function mergeRecord(base, pending = []) {
  return pending.reduce(applyMutation, copyState(base));
}

// The server copy of a record from one pull change.
export function baseFromChange(change) {
  const fields = {};
  for (const [name, value] of Object.entries(change.fields || {})) {
    if (name !== "deleted") fields[name] = value;
  }
  return {
    fields,
    field_hlc: { ...(change.field_hlc || {}) },
    deleted: Boolean(change.deleted),
    version: change.version ?? null,
  };
}

// The fields that differ between two plain objects, for saving only what a person changed.
export function changedFields(before, after) {
  const changed = {};
  for (const [name, value] of Object.entries(after)) {
    const old = before ? before[name] : undefined;
    if ((old ?? null) !== (value ?? null)) changed[name] = value;
  }
  return changed;
}
