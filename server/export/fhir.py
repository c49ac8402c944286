"""A person's records as a FHIR R4 Bundle (DESIGN §14), each resource validated by fhir.resources.

One `Observation` per twitch, per symptom and per check-in value. Codes come from code systems
only where the code is verified (SNOMED CT body sites and laterality, LOINC 93832-4 for sleep
duration, UCUM units); everything else is coded under Twitchlog's own code system and always
carries a readable `text`. docs/FHIR.md lists every code. This module is the one door to
fhir.resources; the R4B package writes R4-compatible JSON for these resources.
"""
from __future__ import annotations

import json
import uuid

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation

from ..instants import format_instant, utcnow

MEDIA_TYPE = "application/fhir+json"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# Twitchlog's own codes and extension: names, not pages that promise to resolve (docs/FHIR.md)
TWITCHLOG = "https://twitchlog.app/fhir/CodeSystem/observation"
LATERALITY_EXTENSION = "https://twitchlog.app/fhir/StructureDefinition/laterality"

# SNOMED CT body structures, only those whose codes were checked; other regions go as text alone.
BODY_SITES = {
    "calf": ("53840002", "Calf"), "thigh": ("68367000", "Thigh"), "upper_arm": ("40983000", "Upper arm"),
    "forearm": ("14975008", "Forearm"), "hand": ("85562004", "Hand"), "foot": ("56459004", "Foot"),
    "eyelid": ("80243003", "Eyelid"),
}
LATERALITY = {"left": ("7771000", "Left"), "right": ("24028007", "Right"), "both": ("51440002", "Right and left")}

SYMPTOM_NAMES = {
    "weakness": "Weakness", "muscle_wasting": "Muscle wasting", "speech_difficulty": "Difficulty speaking",
    "swallowing_difficulty": "Difficulty swallowing", "reflex_change": "Change in reflexes", "cramp": "Cramp",
    "numbness": "Numbness", "fatigue": "Fatigue", "other": "Other symptom",
}
# check-in field -> (code, text, how the value is written: int, bool, or a UCUM unit for a quantity)
CHECKIN_VALUES = {
    "sleep_hours": (None, "Sleep duration", "h"),
    "sleep_quality": ("sleep-quality", "Sleep quality (1-5)", int),
    "stress": ("stress", "Stress (0-10)", int),
    "anxiety": ("anxiety", "Anxiety (0-10)", int),
    "fatigue": ("fatigue", "Fatigue (0-10)", int),
    "exertion": ("exertion", "Exertion (0-10)", int),
    "twitch_burden": ("twitch-burden", "Twitch burden (0-10)", int),
    "hydration_l": ("hydration", "Fluid intake", "L"),
    "electrolytes": ("electrolytes", "Took electrolytes", bool),
    "magnesium_mg": ("magnesium", "Magnesium taken", "mg"),
    "caffeine_mg": ("caffeine", "Caffeine taken", "mg"),
    "crash": ("crash", "Crash (post-exertional)", bool),
}
SURVEY = [{"coding": [{"system": CATEGORY, "code": "survey", "display": "Survey"}], "text": "Reported by the person"}]


def _resource_id(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "twitchlog:fhir:" + ":".join(parts)))


def _ours(code: str, text: str) -> dict:
    return {"coding": [{"system": TWITCHLOG, "code": code, "display": text}], "text": text}


def body_site(region: str | None, side: str | None) -> dict | None:
    """The body site as SNOMED CT where verified, always with words; the side as an extension."""
    if region is None and side is None:
        return None
    words = (region or "body").replace("_", " ")
    if side in ("left", "right"):
        words = f"{side} {words}"
    elif side == "both":
        words = f"{words}, both sides"
    elif side == "midline":
        words = f"{words}, midline"
    site: dict = {"text": words[0].upper() + words[1:]}
    if region in BODY_SITES:
        code, display = BODY_SITES[region]
        site["coding"] = [{"system": SNOMED, "code": code, "display": display}]
    if side in LATERALITY:
        code, display = LATERALITY[side]
        site["extension"] = [{"url": LATERALITY_EXTENSION, "valueCodeableConcept": {
            "coding": [{"system": SNOMED, "code": code, "display": display}], "text": display}}]
    return site


def _observation(resource_id: str, code: dict, when: str, **more) -> dict:
    resource = {"resourceType": "Observation", "id": resource_id, "status": "final", "category": SURVEY,
                "code": code, "effectiveDateTime": when}
    resource.update({key: value for key, value in more.items() if value is not None})
    return resource


def _note(record: dict, with_notes: bool):
    return [{"text": record["note"]}] if with_notes and record.get("note") else None


def _component(code: str, text: str, value: dict) -> dict:
    return {"code": _ours(code, text), **value}


def twitch_observation(record: dict, with_notes: bool) -> dict:
    components = []
    if record.get("visibility"):
        components.append(_component("visibility", "Felt or visible", {"valueString": record["visibility"]}))
    if record.get("pattern"):
        components.append(_component("pattern", "Pattern", {"valueString": record["pattern"]}))
    if record.get("at_rest") is not None:
        components.append(_component("at-rest", "At rest", {"valueBoolean": record["at_rest"]}))
    return _observation(
        _resource_id("twitch", record["record_id"]), {"text": "Fasciculation"}, record["occurred_at"],
        bodySite=body_site(record.get("body_region"), record.get("side")),
        valueInteger=record.get("intensity"),
        component=components or None, note=_note(record, with_notes),
    )


def symptom_observation(record: dict, with_notes: bool) -> dict:
    kind = record["kind"]
    components = None
    if record.get("progressive") is not None:
        components = [_component("progressive", "Getting worse", {"valueBoolean": record["progressive"]})]
    return _observation(
        _resource_id("symptom", record["record_id"]), _ours(f"symptom-{kind.replace('_', '-')}", SYMPTOM_NAMES[kind]),
        record["observed_at"], bodySite=body_site(record.get("body_region"), record.get("side")),
        valueBoolean=True, component=components, note=_note(record, with_notes),
    )


def checkin_observations(record: dict, with_notes: bool) -> list[dict]:
    """One Observation per value the day's check-in holds; its note as one more, with `notes`."""
    found = []
    for name, (code, text, kind) in CHECKIN_VALUES.items():
        value = record.get(name)
        if value is None:
            continue
        if name == "sleep_hours":
            concept = {"coding": [{"system": LOINC, "code": "93832-4", "display": "Sleep duration"}], "text": text}
        else:
            concept = _ours(code, text)
        if kind is int:
            written = {"valueInteger": int(value)}
        elif kind is bool:
            written = {"valueBoolean": bool(value)}
        else:
            written = {"valueQuantity": {"value": value, "unit": kind, "system": UCUM, "code": kind}}
        found.append(_observation(_resource_id("checkin", record["record_id"], name), concept, record["local_date"], **written))
    if with_notes and record.get("note"):
        found.append(_observation(_resource_id("checkin", record["record_id"], "note"), _ours("checkin-note", "Check-in note"),
                                  record["local_date"], valueString=record["note"]))
    return found


def bundle(records: dict, with_notes: bool) -> str:
    """The FHIR JSON of a Bundle (type collection) of these records: {entity: [record dict] or None}.

    Every Observation is validated by fhir.resources as it is made: a record that cannot be
    written as valid FHIR raises (a bug of ours, never sent half-valid).
    """
    resources = []
    for record in records.get("twitch") or []:
        resources.append(twitch_observation(record, with_notes))
    for record in records.get("symptom") or []:
        resources.append(symptom_observation(record, with_notes))
    for record in records.get("checkin") or []:
        resources.extend(checkin_observations(record, with_notes))
    document = {"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "collection",
                "timestamp": format_instant(utcnow().replace(microsecond=0))}
    entries = [{"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource} for resource in resources]
    # Validate each resource once, and the bundle around the validated ones (pydantic does not check
    # a model instance again); then write the very dicts that passed, which is several times faster
    # than fhir.resources' own serialiser for a few years of twitches.
    checked = [{"fullUrl": entry["fullUrl"], "resource": Observation.model_validate(entry["resource"])} for entry in entries]
    Bundle.model_validate({**document, "entry": checked or None})
    if entries:
        document["entry"] = entries
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def owner_records(user_id: str) -> dict:
    """Everything the person keeps (tombstones left out), as the bundle wants it."""
    from ..sync.entities import ENTITIES
    from .service import records_of

    return {name: [r for r in records_of(user_id, ENTITIES[name]) if not r["deleted"]] for name in ("twitch", "symptom", "checkin")}
