import { test } from "node:test";
import assert from "node:assert/strict";
import { checkinRecordId, isUuid, uuid4, uuid5 } from "../../pwa/js/uuid.js";

// Values printed by Python: uuid.uuid5(uuid.NAMESPACE_URL, "twitchlog:checkin:" + date).
const PYTHON_CHECKIN_IDS = [
  ["2026-11-25", "99b3ae22-5cb3-55f2-80e7-925ddd5dbe20"],
  ["2024-02-29", "c4ea61aa-4af9-59fa-a179-61f73cbfde8d"],
  ["1999-12-31", "54cb4dd9-aa7e-52f6-bc35-2f7fbf51de38"],
];

for (const [date, expected] of PYTHON_CHECKIN_IDS) {
  test(`check-in id for ${date} matches Python's uuid5`, async () => {
    assert.equal(await checkinRecordId(date), expected);
  });
}

test("uuid5 encodes names as UTF-8 like Python", async () => {
  assert.equal(
    await uuid5("6ba7b811-9dad-11d1-80b4-00c04fd430c8", "twitchlog:checkin:ünïcode"),
    "4edbfad1-6bb5-5853-938e-2b35d1d3e53b",
  );
});

test("uuid5 uses the namespace it is given", async () => {
  // uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
  assert.equal(await uuid5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org"),
    "886313e1-3b8a-5372-9b90-0c9aee199e5d");
});

test("uuid5 refuses a namespace that is not a UUID", async () => {
  await assert.rejects(uuid5("not-a-uuid", "x"), TypeError);
});

test("uuid4 makes distinct version-4 UUIDs", () => {
  const a = uuid4();
  const b = uuid4();
  assert.ok(isUuid(a) && isUuid(b));
  assert.notEqual(a, b);
  assert.equal(a[14], "4");
});
