"""GET /api/v1/export (§4): everything the user owns as JSON, one entity as CSV with the §2 columns."""
from __future__ import annotations

import csv
import io

import pytest

from tests.support.bad_input import assert_envelope

# The §2 fields of each entity, in the order DESIGN.md lists them (written out here, not read from the code).
FIELDS = {
    "twitch": ["occurred_at", "body_region", "side", "intensity", "visibility", "pattern", "at_rest", "note"],
    "checkin": ["local_date", "sleep_hours", "sleep_quality", "stress", "anxiety", "fatigue", "exertion", "twitch_burden",
                "hydration_l", "electrolytes", "magnesium_mg", "caffeine_mg", "crash", "note"],
    "symptom": ["observed_at", "kind", "body_region", "side", "progressive", "note"],
    "activity": ["started_at", "ended_at", "level", "label"],
    "intake": ["taken_at", "kind", "amount", "unit", "label"],
}


def test_the_json_export_holds_everything_the_user_owns(owner):
    response = owner.get("/api/v1/export?format=json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert "attachment" in response.headers.get("Content-Disposition", "")
    document = response.json()
    assert document["user"] == owner.user
    assert document["exported_at"].endswith("Z")
    server_copy, _ = owner.pull_all()
    exported = {(entity, r["record_id"]): r for entity, rows in document["records"].items() for r in rows}
    assert set(exported) == set(server_copy), "every record, tombstones included, and nothing else"
    for key, change in server_copy.items():
        row = exported[key]
        assert set(row) == {"record_id", *FIELDS[key[0]], "deleted", "updated_at"}
        assert {name: row[name] for name in FIELDS[key[0]]} == change["fields"]
        assert row["deleted"] is change["deleted"]
    assert exported[("twitch", owner.ids["gone"])]["deleted"] is True
    assert owner.get("/api/v1/export").json()["records"] == document["records"], "json is the default"


@pytest.mark.parametrize("entity", list(FIELDS))
def test_the_csv_export_has_the_section_4_header_and_a_row_per_record(owner, entity):
    response = owner.get(f"/api/v1/export?format=csv&entity={entity}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["record_id", *FIELDS[entity], "deleted", "updated_at"]
    records = owner.get("/api/v1/export").json()["records"][entity]
    assert [row[0] for row in rows[1:]] == [r["record_id"] for r in records]
    for row, record in zip(rows[1:], records):
        for name, text in zip(rows[0], row):
            value = record[name]
            expected = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            assert text == expected, (entity, name)


def test_the_csv_export_is_of_twitches_by_default(owner):
    default = owner.get("/api/v1/export?format=csv")
    assert default.text == owner.get("/api/v1/export?format=csv&entity=twitch").text
    assert default.text.splitlines()[0] == ",".join(["record_id", *FIELDS["twitch"], "deleted", "updated_at"])


def test_the_csv_of_a_new_account_is_its_header_alone(user):
    assert user.get("/api/v1/export?format=csv&entity=intake").text == "record_id,taken_at,kind,amount,unit,label,deleted,updated_at\r\n"


def test_export_needs_a_signed_in_user(client):
    assert_envelope(client.get("/api/v1/export"), 401)
    assert_envelope(client.get("/api/v1/export?format=csv"), 401)
