"""The §2 domain as marshmallow schemas, and the bodies of sync push and pull."""
from __future__ import annotations

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from .. import fields as f

BODY_REGIONS = (
    "eyelid", "face", "lip", "tongue", "jaw", "neck", "shoulder", "upper_arm", "elbow", "forearm",
    "hand", "finger", "chest", "abdomen", "upper_back", "lower_back", "buttock", "hip", "thigh",
    "knee", "calf", "shin", "ankle", "foot", "toe", "other",
)
SIDES = ("left", "right", "both", "midline")
SYMPTOM_KINDS = (
    "weakness", "muscle_wasting", "speech_difficulty", "swallowing_difficulty", "reflex_change",
    "cramp", "numbness", "fatigue", "other",
)
RED_FLAG_KINDS = SYMPTOM_KINDS[:5]
ACTIVITY_LEVELS = ("rest", "light", "moderate", "vigorous")
INTAKE_KINDS = ("magnesium", "electrolytes", "water", "caffeine", "alcohol", "medication", "other")
UNITS = ("mg", "ml", "l", "g", "unit")


def _one_of(choices):
    return validate.OneOf(choices, error="Must be one of: " + ", ".join(choices) + ".")


def _scale(low, high):
    return f.Integer(allow_none=True, validate=validate.Range(low, high, error=f"Must be a whole number from {low} to {high}."))


def _amount(low, high):
    return f.Number(allow_none=True, validate=validate.Range(low, high, error=f"Must be a number from {low} to {high}."))


def _note(limit):
    return f.Text(allow_none=True, validate=validate.Length(max=limit, error=f"At most {limit} characters."))


class TwitchFields(f.FlatSchema):
    occurred_at = f.Instant(allow_none=False)
    body_region = f.Text(allow_none=True, validate=_one_of(BODY_REGIONS))
    side = f.Text(allow_none=True, validate=_one_of(SIDES))
    intensity = _scale(1, 5)
    visibility = f.Text(allow_none=True, validate=_one_of(("felt", "visible")))
    pattern = f.Text(allow_none=True, validate=_one_of(("single", "burst", "continuous")))
    at_rest = f.Boolean(allow_none=True)
    note = _note(500)


class CheckinFields(f.FlatSchema):
    local_date = f.LocalDate(allow_none=False)
    sleep_hours = _amount(0, 24)
    sleep_quality = _scale(1, 5)
    stress = _scale(0, 10)
    anxiety = _scale(0, 10)
    fatigue = _scale(0, 10)
    exertion = _scale(0, 10)
    twitch_burden = _scale(0, 10)
    hydration_l = _amount(0, 10)
    electrolytes = f.Boolean(allow_none=True)
    magnesium_mg = _amount(0, 2000)
    caffeine_mg = _amount(0, 2000)
    crash = f.Boolean(allow_none=True)  # "did you crash today?" (post-exertional, §13)
    note = _note(2000)


class SymptomFields(f.FlatSchema):
    observed_at = f.Instant(allow_none=False)
    kind = f.Text(allow_none=False, validate=_one_of(SYMPTOM_KINDS))
    body_region = f.Text(allow_none=True, validate=_one_of(BODY_REGIONS))
    side = f.Text(allow_none=True, validate=_one_of(SIDES))
    progressive = f.Boolean(allow_none=True)
    note = _note(2000)


class ActivityFields(f.FlatSchema):
    started_at = f.Instant(allow_none=False)
    ended_at = f.Instant(allow_none=True)
    level = f.Text(allow_none=False, validate=_one_of(ACTIVITY_LEVELS))
    label = f.Text(allow_none=True, validate=validate.Length(max=100, error="At most 100 characters."))


class IntakeFields(f.FlatSchema):
    taken_at = f.Instant(allow_none=False)
    kind = f.Text(allow_none=False, validate=_one_of(INTAKE_KINDS))
    amount = f.Number(allow_none=True, validate=validate.Range(min=0, error="Must be 0 or more."))
    unit = f.Text(allow_none=True, validate=_one_of(UNITS))
    label = f.Text(allow_none=True, validate=validate.Length(max=100, error="At most 100 characters."))


class MutationSchema(Schema):
    """Only `id` is judged here: any other fault rejects just this mutation (§3)."""

    class Meta:
        unknown = INCLUDE

    id = f.Integer(required=True, validate=validate.Range(min=1, max=2**53, error="A mutation id is a positive integer."))  # checked by MutationList
    hlc = fields.Raw(metadata={"description": "<UTC instant with ms>-<4 hex digits>-<client_id>"})
    entity = fields.Raw(metadata={"enum": ["twitch", "checkin", "symptom", "activity", "intake"]})
    record_id = fields.Raw(metadata={"description": "a UUID"})
    op = fields.Raw(metadata={"enum": ["set", "delete"]})
    fields_ = fields.Raw(data_key="fields", attribute="fields", metadata={"description": "the fields this mutation sets"})


MAX_MUTATION_ID = 2**53


class MutationList(fields.List):
    """Mutations judged only by their ids, as MutationSchema says, without a schema per item:
    for a batch of 100 that nested load cost as much as applying the batch."""

    def __init__(self, **kwargs):
        super().__init__(fields.Nested(MutationSchema), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list):
            raise ValidationError("Not a valid list.")
        errors = {}
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                errors[index] = {"_schema": ["Invalid input type."]}
            elif "id" not in item:
                errors[index] = {"id": ["Missing data for required field."]}
            elif isinstance(item["id"], bool) or not isinstance(item["id"], int):
                errors[index] = {"id": ["Not a valid integer."]}
            elif not 1 <= item["id"] <= MAX_MUTATION_ID:
                errors[index] = {"id": ["A mutation id is a positive integer."]}
        if errors:
            raise ValidationError(errors)
        return [dict(item) for item in value]


class PushSchema(f.FlatSchema):
    client_id = f.UUIDString(required=True)
    mutations = MutationList(
        required=True, validate=validate.Length(max=1000, error="A push holds at most 1,000 mutations."),
    )


class RejectedSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    message = fields.String()
    errors = fields.Dict()


class PushResultSchema(Schema):
    last_mutation_id = fields.Integer()
    rejected = fields.List(fields.Nested(RejectedSchema))
    server_time = fields.String()


class PullSchema(Schema):
    client_id = f.UUIDString(required=True)
    cookie = f.Text(allow_none=True, load_default=None, validate=validate.Length(max=200))
    limit = f.Integer(load_default=500, validate=validate.Range(1, 1000, error="limit is from 1 to 1,000."))


class ChangeSchema(Schema):
    entity = fields.String()
    record_id = fields.String()
    version = fields.Integer()
    deleted = fields.Boolean()
    fields_ = fields.Dict(data_key="fields", attribute="fields")
    field_hlc = fields.Dict()


class PullResultSchema(Schema):
    cookie = fields.String()
    last_mutation_id = fields.Integer()
    changes = fields.List(fields.Nested(ChangeSchema))
    more = fields.Boolean()
    reset = fields.Boolean()
