"""FHIR out (DESIGN §14): GET /api/v1/export?format=fhir and the clinician link's /s/<token>/fhir.

Every bundle is read back with fhir.resources (R4B), which validates it, and counted against the
records the API holds: one Observation per twitch, per symptom and per check-in value.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from fhir.resources.R4B.bundle import Bundle

from tests.sharing.helpers import make_share
from tests.support.bad_input import assert_envelope

SNOMED = "http://snomed.info/sct"
CHECKIN_VALUES = ("sleep_hours", "sleep_quality", "stress", "anxiety", "fatigue", "exertion", "twitch_burden",
                  "hydration_l", "electrolytes", "magnesium_mg", "caffeine_mg", "crash")


def ago(days: int, hours: int = 0) -> str:
    moment = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=days, hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def person(make_user):
    """Someone with twitches (one deleted), symptoms and two check-ins, all in the last week, in UTC."""
    api = make_user(timezone="UTC")
    twitches = [
        {"occurred_at": ago(2), "body_region": "calf", "side": "left", "intensity": 3, "note": "after the walk"},
        {"occurred_at": ago(2, 1), "body_region": "eyelid", "side": "both", "pattern": "burst", "at_rest": True},
        {"occurred_at": ago(3), "body_region": "neck", "side": "midline"},
        {"occurred_at": ago(4)},
    ]
    mutations = [api.mutation("twitch", str(uuid.uuid4()), fields) for fields in twitches]
    gone = str(uuid.uuid4())
    mutations += [api.mutation("twitch", gone, {"occurred_at": ago(5), "body_region": "thigh"}), api.mutation("twitch", gone, op="delete")]
    mutations += [
        api.mutation("symptom", str(uuid.uuid4()), {"observed_at": ago(2), "kind": "cramp", "body_region": "foot", "side": "right",
                                                    "note": "at night"}),
        api.mutation("symptom", str(uuid.uuid4()), {"observed_at": ago(3), "kind": "weakness", "progressive": False}),
    ]
    for days, fields in ((2, {"sleep_hours": 6.5, "stress": 7, "electrolytes": True, "magnesium_mg": 300, "note": "long day"}),
                         (3, {"fatigue": 4, "sleep_quality": 2, "hydration_l": 1.5})):
        day = (datetime.now(timezone.utc) - timedelta(days=days)).date().isoformat()
        record_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"twitchlog:checkin:{day}"))
        mutations.append(api.mutation("checkin", record_id, {"local_date": day, **fields}))
    result = api.push(mutations)
    assert result["rejected"] == [], result
    return api


def read_bundle(response) -> Bundle:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate_json(response.content)  # validates every resource in it
    assert bundle.type == "collection"
    again = Bundle.model_validate_json(bundle.model_dump_json(exclude_none=True))
    assert again.model_dump(mode="json", exclude_none=True) == bundle.model_dump(mode="json", exclude_none=True), "round-trips"
    return bundle


def observations(bundle: Bundle) -> list[dict]:
    resources = [entry.resource.model_dump(mode="json", exclude_none=True) for entry in bundle.entry or []]
    assert {r["resourceType"] for r in resources} <= {"Observation"}
    return resources


def expected_counts(api, with_notes=True, entities=("twitch", "symptom", "checkin")) -> dict:
    records, _ = api.pull_all()
    live = [(e, c["fields"]) for (e, _), c in records.items() if not c["deleted"] and e in entities]
    counts = {"twitch": 0, "symptom": 0, "checkin": 0}
    for entity, fields in live:
        if entity == "checkin":
            counts["checkin"] += sum(fields.get(name) is not None for name in CHECKIN_VALUES) + bool(with_notes and fields["note"])
        else:
            counts[entity] += 1
    return counts


def kind_of(observation: dict) -> str:
    if observation["code"].get("text") == "Fasciculation":
        return "twitch"
    code = (observation["code"].get("coding") or [{}])[0].get("code", "")
    return "symptom" if code.startswith("symptom-") else "checkin"


def counted(resources: list[dict]) -> dict:
    counts = {"twitch": 0, "symptom": 0, "checkin": 0}
    for resource in resources:
        counts[kind_of(resource)] += 1
    return counts


def test_the_owner_gets_every_record_as_a_valid_fhir_bundle(person):
    resources = observations(read_bundle(person.get("/api/v1/export?format=fhir")))
    assert counted(resources) == expected_counts(person) == {"twitch": 4, "symptom": 2, "checkin": 8}
    assert all(r["status"] == "final" and r["category"][0]["coding"][0]["code"] == "survey" for r in resources)
    assert len({r["id"] for r in resources}) == len(resources)

    twitches = {r["bodySite"]["text"] if "bodySite" in r else None: r for r in resources if kind_of(r) == "twitch"}
    calf = twitches["Left calf"]
    assert calf["bodySite"]["coding"] == [{"system": SNOMED, "code": "53840002", "display": "Calf"}]
    assert calf["bodySite"]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "7771000"
    assert calf["valueInteger"] == 3 and calf["note"] == [{"text": "after the walk"}]
    eyelid = twitches["Eyelid, both sides"]
    assert eyelid["bodySite"]["coding"][0]["code"] == "80243003"
    assert eyelid["bodySite"]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "51440002"
    assert "valueInteger" not in eyelid
    neck = twitches["Neck, midline"]
    assert "coding" not in neck["bodySite"] and "extension" not in neck["bodySite"], "no code where none is verified"
    assert "bodySite" not in twitches[None]

    sleep = [r for r in resources if r["code"].get("coding", [{}])[0].get("code") == "93832-4"]
    assert len(sleep) == 1 and sleep[0]["code"]["coding"][0]["system"] == "http://loinc.org"
    assert sleep[0]["valueQuantity"] == {"value": 6.5, "unit": "h", "system": "http://unitsofmeasure.org", "code": "h"}
    cramp = next(r for r in resources if r["code"]["text"] == "Cramp")
    assert cramp["bodySite"]["coding"][0]["code"] == "56459004" and cramp["bodySite"]["text"] == "Right foot"
    assert any(r.get("valueString") == "long day" for r in resources), "the owner's own export keeps notes"


def test_only_the_owner_exports_and_the_format_is_checked(client, person):
    assert_envelope(client.get("/api/v1/export?format=fhir"), 401)
    assert_envelope(person.get("/api/v1/export?format=hl7"), 400)


def test_the_clinician_link_gives_what_its_scopes_open_and_notes_only_with_notes(person, make_user):
    share = make_share(person, "link", ["summary", "events", "checkins"])
    resources = observations(read_bundle(person.get(f"/s/{share['token']}/fhir")))
    assert counted(resources) == expected_counts(person, with_notes=False, entities=("twitch", "checkin"))
    assert not any("note" in r or "valueString" in r and r["code"]["text"] == "Check-in note" for r in resources)
    assert "after the walk" not in json.dumps(resources) and "long day" not in json.dumps(resources)

    with_notes = make_share(person, "link", ["summary", "events", "checkins", "symptoms", "notes"])
    resources = observations(read_bundle(person.get(f"/s/{with_notes['token']}/fhir")))
    assert counted(resources) == expected_counts(person)
    text = json.dumps(resources)
    assert "after the walk" in text and "long day" in text and "at night" in text


def test_the_clinician_page_links_the_fhir_file(person):
    share = make_share(person, "link", ["summary", "events"])
    page = person.get(f"/s/{share['token']}")
    assert page.status_code == 200
    assert f'href="/s/{share["token"]}/fhir' in page.text


def test_bad_tokens_get_404(person, make_user):
    share = make_share(person, "link", ["summary", "events"])
    assert person.get(f"/s/{share['token']}x/fhir").status_code == 404
    assert person.get("/s/not-a-token/fhir").status_code == 404
    caregiver = make_share(person, "caregiver", ["summary", "events"])
    assert person.get(f"/s/{caregiver['token']}/fhir").status_code == 404
    assert person.delete(f"/api/v1/shares/{share['id']}").status_code == 204
    assert person.get(f"/s/{share['token']}/fhir").status_code == 404
