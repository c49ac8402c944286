"""Bad input against every endpoint: always a 4xx in the envelope, never a 500, nothing stored changes.

The endpoints of accounts, sync and export have tables of their own fields; every endpoint in the
OpenAPI document (those of other capabilities too) gets the bodies that are wrong whatever the
endpoint, bad query values, and bad credentials.
"""
from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from server.security import RAW_BODY_ROUTES
import sqlalchemy as sa

from server.accounts.auth import hash_secret
from server.accounts.models import LoginSession
from server.extensions import db
from server.instants import utcnow
from tests.support.api import PASSWORD, ApiClient
from tests.support.bad_input import (
    BOOLEAN,
    CREDENTIAL,
    DISPLAY_NAME,
    EMAIL,
    INSTANT,
    INTEGER,
    LABEL,
    NUMBER,
    PASSWORD as PASSWORDS,
    RESET_TOKEN,
    STRING,
    TIMEZONE,
    UUID,
    assert_envelope,
    body_cases,
    field_cases,
    snapshot,
)

pytestmark = pytest.mark.slow  # half a minute: run early among make test's parallel files

WRITES = {"post", "put", "patch", "delete"}
# Endpoints that answer without a session or token (§4); every other one is 401 without.
PUBLIC = {("post", "/api/v1/auth/register"), ("post", "/api/v1/auth/login"), ("post", "/api/v1/auth/tokens"),
          ("post", "/api/v1/auth/logout"), ("get", "/api/v1/push/key")}
PUBLIC |= {("post", "/api/v1/auth/password-reset"), ("post", "/api/v1/auth/password-reset/confirm"),
           ("post", "/api/v1/auth/passkeys/login/options"), ("post", "/api/v1/auth/passkeys/login")}  # §12


def _run(subtests, api, method, path, cases, **send):
    for case in cases:
        with subtests.test(msg=f"{method} {path}: {case.name}"):
            assert_envelope(case.send(api, method, path, **send), case.status)


@pytest.fixture(scope="module")
def openapi(live_server) -> dict:
    response = ApiClient(live_server.url).get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(openapi: dict):
    """(method, path with its ids filled by unknown UUIDs, the operation) for every documented operation."""
    for template, item in openapi["paths"].items():
        path = template
        for parameter in item.get("parameters", []):
            if parameter["in"] == "path":
                path = path.replace("{" + parameter["name"] + "}", str(uuid.uuid4()))
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "path":
                        path = path.replace("{" + parameter["name"] + "}", str(uuid.uuid4()))
                yield method, template, path, operation


# --- accounts -------------------------------------------------------------------------------

def test_register_refuses_bad_input(client, subtests):
    email = f"never-{uuid.uuid4().hex[:10]}@example.org"
    valid = {"email": email, "password": PASSWORD, "timezone": "Europe/Berlin"}
    cases = [*body_cases(), *field_cases(valid, {"email": EMAIL, "password": PASSWORDS, "timezone": TIMEZONE},
                                         required=valid)]
    _run(subtests, client, "POST", "/api/v1/auth/register", cases)
    assert client.login(email).status_code == 401, "no account was made"
    assert "twitchlog_session" not in client.http.cookies


def test_login_and_token_creation_refuse_bad_input(owner, subtests):
    before = snapshot(owner)
    browser = ApiClient(owner.base_url)
    login = {"email": owner.user["email"], "password": PASSWORD}
    _run(subtests, browser, "POST", "/api/v1/auth/login",
         [*body_cases(), *field_cases(login, {"email": EMAIL, "password": STRING}, required=login)])
    token = {**login, "label": "script"}
    _run(subtests, browser, "POST", "/api/v1/auth/tokens",
         [*body_cases(), *field_cases(token, {"email": EMAIL, "password": STRING, "label": LABEL}, required=token)])
    assert "twitchlog_session" not in browser.http.cookies
    assert snapshot(owner) == before, "no session or token was made"


def test_me_refuses_bad_input(owner, subtests):
    before = snapshot(owner)
    _run(subtests, owner, "PATCH", "/api/v1/me",
         [*body_cases(), *field_cases({"timezone": "Asia/Tokyo", "display_name": "Maya"},
                                      {"timezone": TIMEZONE, "display_name": DISPLAY_NAME}, nullable=["display_name"])])
    _run(subtests, owner, "DELETE", "/api/v1/me",
         [*body_cases(), *field_cases({"password": PASSWORD}, {"password": STRING}, required=["password"])])
    assert snapshot(owner) == before


def test_password_change_reset_logout_all_and_passkeys_refuse_bad_input(owner, subtests):
    """§12's fields: every wrong value is a 400 in the envelope, and nothing of the account changes."""
    before = snapshot(owner)
    change = {"current_password": PASSWORD, "new_password": "another password 1"}
    _run(subtests, owner, "POST", "/api/v1/auth/password",
         [*body_cases(), *field_cases(change, {"current_password": STRING, "new_password": PASSWORDS}, required=change)])
    _run(subtests, owner, "POST", "/api/v1/auth/logout-all", field_cases({"tokens": True}, {"tokens": BOOLEAN}))
    browser = ApiClient(owner.base_url)
    _run(subtests, browser, "POST", "/api/v1/auth/password-reset",
         [*body_cases(), *field_cases({"email": owner.user["email"]}, {"email": EMAIL}, required=["email"])])
    confirm = {"token": "t" * 43, "new_password": "another password 1"}
    _run(subtests, browser, "POST", "/api/v1/auth/password-reset/confirm",
         [*body_cases(), *field_cases(confirm, {"token": RESET_TOKEN, "new_password": PASSWORDS}, required=confirm)])
    register = {"credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}, "label": "Phone"}
    _run(subtests, owner, "POST", "/api/v1/auth/passkeys/register",
         [*body_cases(), *field_cases(register, {"credential": CREDENTIAL, "label": LABEL}, required=["credential"])])
    login = {"credential": register["credential"]}
    _run(subtests, browser, "POST", "/api/v1/auth/passkeys/login",
         [*body_cases(), *field_cases(login, {"credential": CREDENTIAL}, required=["credential"])])
    assert "twitchlog_session" not in browser.http.cookies
    assert snapshot(owner) == before


NOT_IDS = [("an unknown UUID", None), ("not a UUID", "not-a-uuid"), ("a NUL", "%00"), ("a NUL inside a UUID", None),
           ("5,000 characters", "a" * 5000), ("SQL", "1%27%20OR%20%271%27=%271"), ("percent-encoded junk", "%ff%fe")]


def _not_an_id(label, value):
    if label == "an unknown UUID":
        return str(uuid.uuid4())
    if label == "a NUL inside a UUID":
        return str(uuid.uuid4())[:-1] + "%00"
    return value


def test_every_id_in_a_path_that_is_not_yours_is_not_found(openapi, owner, subtests):
    before = snapshot(owner)
    for template, item in openapi["paths"].items():
        if "{" not in template:
            continue
        for method, operation in item.items():
            if method not in WRITES | {"get"}:
                continue
            for label, value in NOT_IDS:
                path = template
                while "{" in path:
                    start = path.index("{")
                    path = path[:start] + _not_an_id(label, value) + path[path.index("}") + 1:]
                # an endpoint with a body may judge the (missing) body before the id
                status = frozenset({400, 404}) if "requestBody" in operation else 404
                with subtests.test(msg=f"{method.upper()} {template}: {label}"):
                    assert_envelope(owner.request(method.upper(), path), status)
    assert snapshot(owner) == before


# --- sync -----------------------------------------------------------------------------------

def _mutation(id_, **overrides):
    return {"id": id_, "hlc": f"2026-11-25T19:42:10.123Z-0000-{uuid.uuid4()}", "entity": "twitch",
            "record_id": str(uuid.uuid4()), "op": "set", "fields": {"occurred_at": "2026-11-25T19:42:10Z"}, **overrides}


MUTATIONS = [
    ("a string", "x"), ("an object", {}), ("null", None),
    ("1,001 mutations", [_mutation(i) for i in range(1, 1002)]),
    ("a mutation that is a number", [1]),
    ("a mutation that is a list", [[]]),
    ("a mutation without an id", [{k: v for k, v in _mutation(1).items() if k != "id"}]),
    ("a mutation id of 0", [_mutation(0)]),
    ("a negative mutation id", [_mutation(-1)]),
    ("a mutation id of true", [_mutation(True)]),
    ("a mutation id of 1.0", [_mutation(1.0)]),
    ("a mutation id as a string", [_mutation("1")]),
    ("a mutation id past 2**53", [_mutation(2**53 + 1)]),
    ("a good mutation, then one without an id", [_mutation(1), {"entity": "twitch"}]),
]


def test_push_refuses_malformed_bodies_and_applies_nothing(owner, subtests):
    before = snapshot(owner)
    client_id = str(uuid.uuid4())
    valid = {"client_id": client_id, "mutations": [_mutation(1)]}
    cases = [*body_cases(), *field_cases(valid, {"client_id": UUID, "mutations": MUTATIONS}, required=valid)]
    _run(subtests, owner, "POST", "/api/v1/sync/push", cases)
    assert snapshot(owner) == before
    pull = owner.post("/api/v1/sync/pull", json={"client_id": client_id})
    assert pull.json()["last_mutation_id"] == 0, "no mutation of a refused push was counted"


def test_pull_refuses_bad_input(owner, subtests):
    valid = {"client_id": str(uuid.uuid4()), "cookie": None, "limit": 10}
    limits = [*INTEGER, ("0", 0), ("1,001", 1001), ("-1", -1)]
    cases = [*body_cases(), *field_cases(valid, {"client_id": UUID, "cookie": STRING, "limit": limits},
                                         required=["client_id"], nullable=["cookie"])]
    _run(subtests, owner, "POST", "/api/v1/sync/pull", cases)


def test_a_pull_cookie_with_a_superscript_digit_starts_over(owner):
    cookie = owner.post("/api/v1/sync/pull", json={"client_id": owner.client_id}).json()["cookie"]
    epoch = cookie.split(".")[0]
    response = owner.post("/api/v1/sync/pull", json={"client_id": owner.client_id, "cookie": f"{epoch}.\u00b2"})
    assert response.status_code == 200 and response.json()["reset"] is True


# One valid value of every §2 field, and the wrong values each must refuse.
ENUM = [("not in the list", "sideways"), ("upper case", "LEFT"), *STRING[:2], ("an array", [])]
SCALE = [*INTEGER, ("below the range", -1), ("above the range", 11)]
ENTITY_FIELDS = {
    "twitch": ({"occurred_at": "2026-11-25T19:42:10Z"}, {
        "occurred_at": INSTANT, "body_region": ENUM, "side": ENUM, "intensity": [*INTEGER, ("0", 0), ("6", 6)],
        "visibility": ENUM, "pattern": ENUM, "at_rest": BOOLEAN, "note": [*STRING, ("501 characters", "n" * 501)]}),
    "symptom": ({"observed_at": "2026-11-25T19:42:10Z", "kind": "cramp"}, {
        "observed_at": INSTANT, "kind": ENUM, "body_region": ENUM, "side": ENUM, "progressive": BOOLEAN,
        "note": [("2,001 characters", "n" * 2001), ("a NUL character", "a\x00")]}),
    "activity": ({"started_at": "2026-11-25T19:42:10Z", "level": "rest"}, {
        "started_at": INSTANT, "ended_at": [*INSTANT, ("before started_at", "2026-11-25T19:00:00Z")], "level": ENUM,
        "label": [("101 characters", "l" * 101), ("a lone surrogate", "\udc00")]}),
    "intake": ({"taken_at": "2026-11-25T19:42:10Z", "kind": "water"}, {
        "taken_at": INSTANT, "kind": ENUM, "amount": [*NUMBER, ("negative", -1)], "unit": ENUM, "label": [("a number", 5)]}),
    "checkin": ({"local_date": "2026-11-23"}, {
        "sleep_hours": [*NUMBER, ("25", 25)], "sleep_quality": [("0", 0), ("6", 6), ("true", True)], "stress": SCALE,
        "anxiety": SCALE, "fatigue": SCALE, "exertion": SCALE, "twitch_burden": SCALE, "hydration_l": [("10.5", 10.5)],
        "electrolytes": BOOLEAN, "magnesium_mg": [("2001", 2001)], "caffeine_mg": [("-5", -5)],
        "local_date": [("not a date", "23.11.2026"), ("February 30", "2026-02-30"), ("year 1800", "1800-01-01")]}),
}


def test_faulty_mutations_are_rejected_one_by_one_and_store_nothing(owner):
    """§3: an in-sequence mutation with a §2 fault is rejected (200, code invalid) and advances the queue."""
    from server.sync.entities import checkin_record_id

    before = snapshot(owner)
    device = ApiClient(owner.base_url)
    device.http = owner.http
    mutations, expected = [], {}

    def add(entity, fields, what):
        record_id = checkin_record_id(ENTITY_FIELDS["checkin"][0]["local_date"]) if entity == "checkin" else str(uuid.uuid4())
        mutation = device.mutation(entity, record_id, fields)
        mutations.append(mutation)
        expected[mutation["id"]] = (entity, *what)

    for entity, (valid, kinds) in ENTITY_FIELDS.items():
        for name, wrong in kinds.items():
            for label, value in [*wrong, ("null", None)] if name in valid else wrong:
                add(entity, {**valid, name: value}, (name, label))
        add(entity, {**valid, "surprise": 1}, ("surprise", "an unknown field"))
        for required in valid:
            add(entity, {k: v for k, v in valid.items() if k != required}, (required, "missing"))
    for label, overrides in [("unknown entity", {"entity": "mood"}), ("unknown op", {"op": "merge"}),
                             ("record_id not a UUID", {"record_id": "r1"}), ("hlc not in the format", {"hlc": "yesterday"}),
                             ("fields not an object", {"fields": [1]}), ("deleted not a boolean", {"fields": {"deleted": "no"}})]:
        mutation = {**device.mutation("twitch", str(uuid.uuid4()), {"occurred_at": "2026-11-25T19:42:10Z"}), **overrides}
        mutations.append(mutation)
        expected[mutation["id"]] = ("twitch", "-", label)
    body = json.dumps({"client_id": device.client_id, "mutations": mutations}).encode()  # NaN and Infinity too
    response = owner.post("/api/v1/sync/push", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["last_mutation_id"] == len(mutations)
    rejected = {r["id"]: r for r in result["rejected"]}
    accepted = [expected[i] for i in expected if i not in rejected]
    assert accepted == [], f"these faulty mutations were accepted: {accepted}"
    assert all(r["code"] == "invalid" and r["message"] for r in rejected.values())
    assert snapshot(owner) == before


# --- export ---------------------------------------------------------------------------------

def test_export_refuses_bad_queries(owner, subtests):
    for query in ["format=xml", "format=%00", "format=", "entity=users&format=csv", "entity=%00&format=csv",
                  "format=csv&entity=" + "x" * 5000, "format=%ff", "format=json%00"]:
        with subtests.test(msg=query):
            assert_envelope(owner.get(f"/api/v1/export?{query}"), 400)


# --- every documented endpoint ----------------------------------------------------------------

def test_every_api_route_is_documented(live_server, openapi):
    """The sweeps below find endpoints through the OpenAPI document; a route missing from it escapes them."""
    documented = {(m.upper(), t) for t, item in openapi["paths"].items() for m in item if m in WRITES | {"get"}}
    routes = set()
    for rule in live_server.app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "api-docs.openapi_json":
            template = rule.rule.replace("<string:", "{").replace("<int:", "{").replace("<", "{").replace(">", "}")
            routes |= {(m, template) for m in rule.methods if m.lower() in WRITES | {"get"}}
    assert routes - documented == set()


def test_every_endpoint_refuses_bad_bodies(openapi, owner, subtests):
    before = snapshot(owner)
    for method, template, path, operation in operations(openapi):
        if method not in WRITES:
            continue
        if template in RAW_BODY_ROUTES:
            continue  # takes a file, not JSON, up to its own limit: tests/imports refuses bad files there
        takes_object = "requestBody" in operation
        for case in body_cases(takes_object=takes_object):
            status = case.status
            if case.status == 400 and "{" in template and takes_object and case.json is not None:
                status = frozenset({400, 404})  # a body schema or an unknown id: either is a fair first answer
            with subtests.test(msg=f"{method.upper()} {template}: {case.name}"):
                assert_envelope(case.send(owner, method.upper(), path), status)
    assert snapshot(owner) == before


def test_every_query_parameter_survives_bad_values(openapi, owner, subtests):
    for method, template, path, operation in operations(openapi):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            for label, raw in [("a NUL", "%00"), ("bad UTF-8", "%ff%fe"), ("10,000 characters", "x" * 10_000),
                               ("empty", ""), ("twice", "a&{name}=b"), ("a date in the year 0", "0000-01-01")]:
                query = f"{parameter['name']}={raw.format(name=parameter['name'])}"
                with subtests.test(msg=f"{method.upper()} {template}?{parameter['name']}: {label}"):
                    response = owner.request(method.upper(), f"{path}?{query}")
                    assert response.status_code < 500, response.text
                    if response.status_code >= 400:
                        assert_envelope(response)


@pytest.fixture(scope="module")
def spent_credentials(live_server):
    """A revoked token, an ended session's cookie and an expired session's cookie."""
    api = ApiClient(live_server.url)
    api.register()
    made = api.post("/api/v1/auth/tokens", json={"email": api.user["email"], "password": PASSWORD, "label": "old"}).json()
    assert api.delete(f"/api/v1/auth/tokens/{made['id']}").status_code == 204
    ended = ApiClient(live_server.url)
    assert ended.login(api.user["email"]).status_code == 200
    ended_cookie = ended.http.cookies["twitchlog_session"]
    assert ended.post("/api/v1/auth/logout").status_code == 204
    expired = ApiClient(live_server.url)
    assert expired.login(api.user["email"]).status_code == 200
    expired_cookie = expired.http.cookies["twitchlog_session"]
    with live_server.app.app_context():
        db.session.execute(sa.update(LoginSession).where(LoginSession.token_hash == hash_secret(expired_cookie))
                           .values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    return {"revoked token": made["token"], "ended session": ended_cookie, "expired session": expired_cookie}


def test_every_endpoint_refuses_bad_credentials(openapi, live_server, spent_credentials, subtests):
    credentials = [
        ("nothing", {}, {}),
        ("an unknown bearer token", {"Authorization": "Bearer tl_" + "A" * 43}, {}),
        ("an empty bearer token", {"Authorization": "Bearer "}, {}),
        ("a 300-character bearer token", {"Authorization": "Bearer " + "t" * 300}, {}),
        ("basic auth", {"Authorization": "Basic dXNlcjpwYXNzd29yZDEyMw=="}, {}),
        ("a revoked token", {"Authorization": "Bearer " + spent_credentials["revoked token"]}, {}),
        ("a made-up cookie", {}, {"twitchlog_session": "x" * 43}),
        ("a 300-character cookie", {}, {"twitchlog_session": "c" * 300}),
        ("an ended session's cookie", {}, {"twitchlog_session": spent_credentials["ended session"]}),
        ("an expired session's cookie", {}, {"twitchlog_session": spent_credentials["expired session"]}),
    ]
    for method, template, path, operation in operations(openapi):
        if (method, template) in PUBLIC:
            continue
        for label, headers, cookies in credentials:
            with subtests.test(msg=f"{method.upper()} {template}: {label}"):
                response = ApiClient(live_server.url).request(method.upper(), path, headers=headers, cookies=cookies)
                assert_envelope(response, 401)
