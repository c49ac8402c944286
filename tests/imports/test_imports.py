"""POST /api/v1/imports (DESIGN §14): Daylio, Bearable and Visible exports, through the sync merge.

Every fixture in fixtures/ was written from the apps' export formats with their quirks: a BOM,
localised dates, 12- and 24-hour times in one file, ` | ` lists in quoted fields, trailing spaces,
`NA`. The tests go through real HTTP against the live app, on SQLite and on PostgreSQL.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from server.imports import mapping as import_mapping
from tests.support.api import ApiClient
from tests.support.bad_input import assert_envelope

FIXTURES = Path(__file__).parent / "fixtures"
ENTITIES = ("twitch", "checkin", "symptom", "activity", "intake")
CSV = {"Content-Type": "text/csv"}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def send(api: ApiClient, source: str, body: bytes, dry_run: bool = False, headers=CSV):
    query = f"?source={source}" + ("&dry_run=1" if dry_run else "")
    return api.post("/api/v1/imports" + query, data=body, headers=headers)


def records_of(api: ApiClient) -> dict:
    records, _ = api.pull_all()
    return records


def counts_of(records: dict) -> dict:
    counts = dict.fromkeys(ENTITIES, 0)
    for entity, _ in records:
        counts[entity] += 1
    return counts


def local(instant: str, zone: str = "Europe/Berlin") -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


CASES = [
    # source, file, rows, the records it makes
    ("daylio", "daylio.csv", 8, {"twitch": 2, "checkin": 4, "symptom": 3, "activity": 0, "intake": 5}),
    ("daylio", "daylio_v2.csv", 2, {"twitch": 1, "checkin": 2, "symptom": 0, "activity": 0, "intake": 2}),
    ("daylio", "daylio_v1.csv", 2, {"twitch": 1, "checkin": 2, "symptom": 0, "activity": 0, "intake": 0}),
    ("bearable", "bearable.csv", 15, {"twitch": 4, "checkin": 3, "symptom": 4, "activity": 0, "intake": 3}),
    ("visible", "visible.csv", 18, {"twitch": 2, "checkin": 2, "symptom": 1, "activity": 0, "intake": 0}),
]


@pytest.mark.parametrize(("source", "name", "rows", "expected"), CASES, ids=[c[1] for c in CASES])
def test_a_preview_writes_nothing_and_an_import_adds_what_it_showed_once(make_user, live_server, source, name, rows, expected):
    person = make_user(timezone="Europe/Berlin")
    preview = send(person, source, fixture(name), dry_run=True)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert set(body) == {"source", "rows", "records", "labels", "skipped"}
    assert body["source"] == source and body["rows"] == rows and body["skipped"] == []
    assert body["records"] == expected
    assert all(set(label) == {"label", "maps_to"} for label in body["labels"])
    assert records_of(person) == {}, "a dry run writes nothing"

    imported = send(person, source, fixture(name))
    assert imported.status_code == 201, imported.text
    assert imported.json()["records"] == expected
    assert imported.json()["labels"] == body["labels"]
    stored = records_of(person)
    assert counts_of(stored) == expected

    again = send(person, source, fixture(name))
    assert again.status_code == 201, again.text
    assert again.json()["records"] == dict.fromkeys(ENTITIES, 0), "the same file twice adds nothing"
    assert records_of(person) == stored, "and changes nothing"

    second_device = ApiClient(live_server.url)
    second_device.http.cookies.update(person.http.cookies)
    assert {key: change["fields"] for key, change in records_of(second_device).items()} == \
        {key: change["fields"] for key, change in stored.items()}, "a second device pulls every imported record"


def test_daylio_reads_localised_dates_mixed_clocks_and_activity_lists(user):
    assert send(user, "daylio", fixture("daylio.csv")).status_code == 201
    records = records_of(user)
    twitches = sorted(local(c["fields"]["occurred_at"]) for (e, _), c in records.items() if e == "twitch")
    # `9:15 pm` and `14:58` in one file, in the user's zone (Europe/Berlin)
    assert twitches == ["2024-09-07 14:58", "2024-09-08 21:15"]
    intakes = sorted((c["fields"]["kind"], local(c["fields"]["taken_at"])) for (e, _), c in records.items() if e == "intake")
    assert ("caffeine", "2024-09-06 17:01") in intakes  # `5:01 PM`
    assert ("water", "2024-09-08 08:02") in intakes  # `8:02 AM`
    symptoms = sorted(c["fields"]["kind"] for (e, _), c in records.items() if e == "symptom")
    assert symptoms == ["cramp", "fatigue", "numbness"]
    checkins = {c["fields"]["local_date"]: c for (e, _), c in records.items() if e == "checkin"}
    assert set(checkins) == {"2024-09-05", "2024-09-06", "2024-09-07", "2024-09-08"}
    for day, change in checkins.items():
        assert change["record_id"] == str(uuid.uuid5(uuid.NAMESPACE_URL, f"twitchlog:checkin:{day}")), "the §2 id"
    note = checkins["2024-09-07"]["fields"]["note"]
    for words in ("super", "friends", "walk", "Good day", "Walked 5 km, no cramps", "dobrze", "work"):
        assert words in note, f"{words!r} is kept in the day's note, never dropped"
    assert "Tingling and numb fingers" in checkins["2024-09-05"]["fields"]["note"]


def test_older_daylio_headers_are_read_and_their_localised_dates_too(user):
    assert send(user, "daylio", fixture("daylio_v1.csv")).status_code == 201
    twitch = [c for (e, _), c in records_of(user).items() if e == "twitch"]
    assert [local(c["fields"]["occurred_at"]) for c in twitch] == ["2019-12-31 23:58"]  # year + `Dec 31`


def test_bearable_times_of_day_severities_and_units(user):
    assert send(user, "bearable", fixture("bearable.csv")).status_code == 201
    records = records_of(user)
    twitches = sorted((local(c["fields"]["occurred_at"]), c["fields"]["intensity"]) for (e, _), c in records.items() if e == "twitch")
    # one per mention; `am` 09:00, `mid` 13:00, a clock `03:00`; Mild 2, Moderate 3, Severe 4
    assert twitches == [("2020-09-22 09:00", 3), ("2020-09-22 13:00", 4), ("2020-09-23 03:00", 2), ("2020-10-01 13:00", 2)]
    magnesium = [c["fields"] for (e, _), c in records.items() if e == "intake" and c["fields"]["kind"] == "magnesium"]
    assert magnesium == [{"taken_at": magnesium[0]["taken_at"], "kind": "magnesium", "amount": 300, "unit": "mg", "label": "Magnesium"}]
    assert local(magnesium[0]["taken_at"]) == "2020-09-22 19:00"  # `pm`
    checkins = {c["fields"]["local_date"]: c["fields"] for (e, _), c in records.items() if e == "checkin"}
    assert checkins["2020-09-22"]["sleep_hours"] == 7.5
    assert checkins["2020-09-23"]["anxiety"] == 8  # Anxiety (Severe)
    note = checkins["2020-09-22"]["note"]
    for words in ("Headache (mild)", "Hydroxyzine: 25 mg", "Sunny afternoon | Call with Anna", "Sleep quality: okay", "Energy: 2"):
        assert words in note
    symptoms = sorted(c["fields"]["kind"] for (e, _), c in records.items() if e == "symptom")
    assert symptoms == ["cramp", "fatigue", "numbness", "weakness"]


def test_visible_trailing_spaces_na_notes_and_scores(user):
    assert send(user, "visible", fixture("visible.csv")).status_code == 201
    records = records_of(user)
    checkins = {c["fields"]["local_date"]: c["fields"] for (e, _), c in records.items() if e == "checkin"}
    assert checkins["2023-05-01"]["sleep_hours"] == 7.25
    assert checkins["2023-05-01"]["fatigue"] == 3 and checkins["2023-05-02"]["fatigue"] == 8
    assert checkins["2023-05-02"]["sleep_hours"] is None, "NA is not recorded"
    assert "Twitching in both calves, rested, no crash" in checkins["2023-05-01"]["note"]
    assert "Resting HR: 64" in checkins["2023-05-01"]["note"] and "PacePoints: 12" in checkins["2023-05-01"]["note"]
    assert "Headache" not in checkins["2023-05-01"]["note"], "a symptom scored 0 was not there"
    twitches = sorted((local(c["fields"]["occurred_at"]), c["fields"]["intensity"]) for (e, _), c in records.items() if e == "twitch")
    assert twitches == [("2023-05-01 12:00", 3), ("2023-05-02 12:00", 4)]  # a day without a clock: 12:00


@pytest.mark.skipif(not import_mapping.checkin_has("crash"), reason="the check-in's crash field (issue 12) is not in this tree yet")
def test_a_visible_crash_marks_the_check_in(user):
    assert send(user, "visible", fixture("visible.csv")).status_code == 201
    checkins = {c["fields"]["local_date"]: c["fields"] for (e, _), c in records_of(user).items() if e == "checkin"}
    assert checkins["2023-05-02"]["crash"] in (True, 1)
    assert checkins["2023-05-01"]["crash"] in (False, 0)


def test_a_changed_mapping_is_used_and_bad_targets_are_refused(user):
    files = {"file": ("export.csv", fixture("daylio.csv"), "text/csv")}
    mapping = {"walk": "activity:light", "coffee": "ignore", "twitching": "symptom:other"}
    preview = user.post("/api/v1/imports?source=daylio&dry_run=1", files=files, data={"mapping": json.dumps(mapping)})
    assert preview.status_code == 200, preview.text
    labels = {row["label"]: row["maps_to"] for row in preview.json()["labels"]}
    assert labels["walk"] == "activity:light" and labels["coffee"] == "ignore" and labels["fasciculations"] == "twitch"
    assert preview.json()["records"] == {"twitch": 1, "checkin": 4, "symptom": 4, "activity": 1, "intake": 3}
    done = user.post("/api/v1/imports?source=daylio", files=files, data={"mapping": json.dumps(mapping)})
    assert done.status_code == 201, done.text
    records = records_of(user)
    assert [c["fields"]["label"] for (e, _), c in records.items() if e == "activity"] == ["walk"]
    assert not [c for (e, _), c in records.items() if e == "intake" and c["fields"]["kind"] == "caffeine"]

    for bad in ({"walk": "twitchy"}, {"walk": 3}, ["walk"], "{not json"):
        before = records_of(user)
        answer = user.post("/api/v1/imports?source=daylio", files=files,
                           data={"mapping": bad if isinstance(bad, str) else json.dumps(bad)})
        assert_envelope(answer, 400)
        assert "mapping" in answer.json()["errors"]
        assert records_of(user) == before


def test_an_imported_day_merges_with_the_check_in_already_there(user):
    day = "2024-09-07"
    record_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"twitchlog:checkin:{day}"))
    user.push([user.mutation("checkin", record_id, {"local_date": day, "stress": 4, "note": "Typed on the phone"})])
    assert send(user, "daylio", fixture("daylio.csv")).status_code == 201
    checkin = records_of(user)[("checkin", record_id)]["fields"]
    assert checkin["stress"] == 4
    assert checkin["note"].startswith("Typed on the phone") and "Walked 5 km, no cramps" in checkin["note"]
    again = send(user, "daylio", fixture("daylio.csv"))
    assert again.json()["records"]["checkin"] == 0
    assert records_of(user)[("checkin", record_id)]["fields"]["note"] == checkin["note"]


def test_rows_that_cannot_be_read_are_listed_and_the_rest_imported(user):
    text = fixture("visible.csv").decode() + "2023-02-30 ,Sleep ,Sleep ,7 \n2023-05-04 ,Muscle twitching ,Symptom ,7 \n2023-05-04 ,Sleep\n"
    answer = send(user, "visible", text.encode())
    assert answer.status_code == 201, answer.text
    skipped = answer.json()["skipped"]
    assert [s["row"] for s in skipped] == [20, 21, 22]
    assert "2023-02-30" in skipped[0]["reason"] and "0 to 3" in skipped[1]["reason"] and "fields" in skipped[2]["reason"]
    assert counts_of(records_of(user))["twitch"] == 2


def latin1_daylio() -> bytes:
    return "full_date,date,weekday,time,mood,activities,note_title,note\n2024-09-08,8 września,niedziela,9:15 pm,meh,,,\n".encode("cp1250")


MALFORMED = [
    ("daylio", fixture("bearable.csv"), CSV, 400, "not a Daylio export"),
    ("bearable", fixture("daylio.csv"), CSV, 400, "not a Bearable export"),
    ("visible", fixture("daylio.csv"), CSV, 400, "not a Visible export"),
    ("daylio", latin1_daylio(), CSV, 400, "not UTF-8"),
    ("visible", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", CSV, 400, "UTF-8"),
    ("visible", b"observation_date,tracker_name,tracker_category,observation_value\n2023-05-01,Sleep,Sleep,\x007\n", CSV, 400, "NUL"),
    ("daylio", b"", CSV, 400, "empty"),
    ("bearable", b'"date","weekday"\n"22nd Sep 2020","Tuesday"\n', CSV, 400, "not a Bearable export"),
    ("bearable", b'"date","weekday","time of day","category","rating/amount","detail","notes"\n"32nd Sep 2020","Tuesday","am","Mood","5","",""\n',
     CSV, 400, "None of the 1 rows"),
    ("visible", json.dumps({"observation_date": "2023-05-01"}).encode(), {"Content-Type": "application/json"}, 415, "text/csv"),
    ("visible", fixture("visible.csv"), {"Content-Type": "application/pdf"}, 415, "text/csv"),
    ("visible", b"observation_date,tracker_name,tracker_category,observation_value\n" + b"2023-05-01,Note,Note," + b"x" * (10 * 1024 * 1024) + b"\n",
     CSV, 413, "10 MiB"),
    ("garmin", fixture("visible.csv"), CSV, 400, None),
]


@pytest.mark.parametrize(("source", "body", "headers", "status", "words"), MALFORMED, ids=range(len(MALFORMED)))
def test_a_malformed_file_is_refused_and_nothing_is_written(user, source, body, headers, status, words):
    user.log_twitch()
    before = records_of(user)
    answer = send(user, source, body, headers=headers)
    envelope = assert_envelope(answer, status)
    if words:
        assert words.lower() in envelope["message"].lower(), envelope
    assert records_of(user) == before
    assert send(user, source, body, dry_run=True, headers=headers).status_code == status


def test_the_file_must_be_in_the_file_field_of_a_form(user):
    answer = user.post("/api/v1/imports?source=daylio", files={"upload": ("x.csv", fixture("daylio.csv"), "text/csv")})
    assert_envelope(answer, 400)
    assert "file" in answer.json()["errors"]


def test_imports_need_a_signed_in_person_and_only_touch_their_own_records(client, make_user):
    assert_envelope(send(client, "daylio", fixture("daylio.csv")), 401)
    one, other = make_user(), make_user()
    assert send(one, "daylio", fixture("daylio.csv")).status_code == 201
    assert records_of(other) == {}
    assert send(other, "daylio", fixture("daylio.csv")).json()["records"]["twitch"] == 2, "the same ids are another user's own records"


def test_a_foreign_origin_cannot_import(make_user, live_server):
    person = make_user()
    person.http.headers["Origin"] = "https://evil.example"
    assert_envelope(send(person, "daylio", fixture("daylio.csv")), 403)


def test_the_targets_a_label_can_take(user):
    answer = user.get("/api/v1/imports/targets")
    assert answer.status_code == 200
    body = answer.json()
    assert {"twitch", "note", "ignore", "symptom:cramp", "intake:magnesium", "checkin:sleep_hours"} <= set(body["targets"])
    assert body["slot_times"] == {"pre": "06:00", "am": "09:00", "mid": "13:00", "pm": "19:00", "all day": "12:00"}


def test_a_large_import_is_written_in_short_batches_and_others_write_meanwhile(app, make_user):
    """Each batch is its own write transaction, so on SQLite nobody waits for the whole file."""
    import random

    from benchmarks.import_bench import bearable_file
    from server.imports.service import BATCH

    transactions = pytest.importorskip("server.transactions")
    holds = []

    def observe(label, *times):  # (label, [waited,] held): the last is how long the lock was held
        if "import" in label:
            holds.append(times[-1])

    person = make_user()
    body = bearable_file(1200, random.Random(3))
    preview = send(person, "bearable", body, dry_run=True).json()
    planned = sum(preview["records"].values())
    transactions.lock_observers.append(observe)
    try:
        done = send(person, "bearable", body)
    finally:
        transactions.lock_observers.remove(observe)
    assert done.status_code == 201, done.text
    assert done.json()["records"] == preview["records"]
    with app.app_context():
        from server.extensions import db

        sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        assert len(holds) >= -(-planned // BATCH["sqlite"]), (len(holds), planned)


def test_a_bare_record_kind_maps_to_its_most_general_target(user):
    files = {"file": ("export.csv", fixture("daylio.csv"), "text/csv")}
    mapping = {"walk": "activity", "friends": "symptom", "reading": "checkin", "okay": "skip"}
    answer = user.post("/api/v1/imports?source=daylio&dry_run=1", files=files, data={"mapping": json.dumps(mapping)})
    assert answer.status_code == 200, answer.text
    labels = {row["label"]: row["maps_to"] for row in answer.json()["labels"]}
    assert (labels["walk"], labels["friends"], labels["reading"], labels["okay"]) == ("activity:light", "symptom:other", "note", "ignore")


def test_skipped_rows_are_numbered_as_a_spreadsheet_shows_them(user):
    text = ("full_date,date,weekday,time,mood,activities,note_title,note\r\n"
            '2024-09-08,8 września,niedziela,9:15 pm,meh,twitching,,"two\r\nlines"\r\n'
            "2024-09-07,7 września,sobota,25:61,meh,twitching,,\r\n")
    answer = send(user, "daylio", b"\xef\xbb\xbf" + text.encode())
    assert answer.status_code == 201, answer.text
    assert answer.json()["skipped"] == [{"row": 3, "reason": "The time '25:61' does not exist."}]
    assert answer.json()["records"]["twitch"] == 1


def test_a_chunked_body_over_10_mib_is_refused_too(user):
    def chunks():
        yield b"observation_date,tracker_name,tracker_category,observation_value\n"
        for _ in range(11):
            yield b"2023-05-01,Note,Note," + b"x" * (1024 * 1024) + b"\n"

    before = records_of(user)
    answer = user.post("/api/v1/imports?source=visible", data=chunks(), headers=CSV)
    assert_envelope(answer, 413)
    assert "10 MiB" in answer.json()["message"]
    assert records_of(user) == before


def test_sleep_written_as_hours_and_minutes_fills_the_check_in(user):
    text = ('"date","weekday","time of day","category","rating/amount","detail","notes"\r\n'
            '"3rd Oct 2020","Saturday","all day","Sleep","7h 30m","",""\r\n'
            '"4th Oct 2020","Sunday","all day","Sleep","6:45","",""\r\n')
    assert send(user, "bearable", text.encode()).status_code == 201
    checkins = {c["fields"]["local_date"]: c["fields"] for (e, _), c in records_of(user).items() if e == "checkin"}
    assert (checkins["2020-10-03"]["sleep_hours"], checkins["2020-10-04"]["sleep_hours"]) == (7.5, 6.75)


def test_a_re_import_never_brings_back_a_deleted_record_or_undoes_an_edit(user):
    assert send(user, "bearable", fixture("bearable.csv")).status_code == 201
    twitches = sorted((c["fields"]["occurred_at"], record_id) for (e, record_id), c in records_of(user).items() if e == "twitch")
    (_, deleted), (_, edited) = twitches[0], twitches[1]
    user.push([user.mutation("twitch", deleted, op="delete"), user.mutation("twitch", edited, {"intensity": 1})])
    again = send(user, "bearable", fixture("bearable.csv"))
    assert again.json()["records"] == dict.fromkeys(ENTITIES, 0)
    after = records_of(user)
    assert after[("twitch", deleted)]["deleted"] is True
    assert after[("twitch", edited)]["fields"]["intensity"] == 1


def test_record_ids_are_made_from_the_row_as_written(user):
    """uuid5(NAMESPACE_URL, "twitchlog:import:<source>:<the row's content>"); later things in one row add #<place>."""
    assert send(user, "visible", fixture("visible.csv")).status_code == 201
    assert send(user, "bearable", fixture("bearable.csv")).status_code == 201
    records = records_of(user)

    def made(source, line, suffix=""):
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"twitchlog:import:{source}:{line}{suffix}"))

    visible_line = next(line for line in fixture("visible.csv").decode().splitlines() if "Muscle twitching ,Symptom ,3" in line)
    assert visible_line.endswith(" ")
    assert ("twitch", made("visible", visible_line)) in records
    bearable_line = next(line for line in fixture("bearable.csv").decode().splitlines() if "Muscle twitching (Severe) | Muscle cramps" in line)
    assert ("twitch", made("bearable", bearable_line)) in records
    assert ("symptom", made("bearable", bearable_line, "#1")) in records


def test_a_row_written_twice_in_a_file_is_one_record(user):
    doubled = fixture("visible.csv") + b"2023-05-02 ,Muscle twitching ,Symptom ,3 \n"
    preview = send(user, "visible", doubled, dry_run=True).json()
    assert preview["records"]["twitch"] == 2
    assert send(user, "visible", doubled).json()["records"]["twitch"] == 2
