"""The one error envelope (§9), and an OpenAPI document that tells the truth about it."""
from __future__ import annotations

import pytest

from server.errors import envelope
from tests.support.api import ApiClient
from tests.support.bad_input import assert_envelope


def test_errors_keyed_by_list_index_beside_schema_errors_serialise(app):
    """Marshmallow reports {4: [...], "_schema": [...]} for a list; sorting int beside str keys was a 500."""
    with app.test_request_context():
        response = envelope(400, errors={"days": {4: ["Days are 0 to 6."], "_schema": ["Each day at most once."]}, "x": [{0: ["a"]}]})
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"days": {"4": ["Days are 0 to 6."], "_schema": ["Each day at most once."]},
                                             "x": [{"0": ["a"]}]}


def test_unknown_paths_and_methods_are_the_envelope_too(client, user):
    assert_envelope(client.get("/api/v1/nothing-here"), 404)
    assert_envelope(user.put("/api/v1/sync/pull", json={}), 405)
    assert_envelope(user.request("TRACE", "/api/v1/me"), 405)


@pytest.fixture(scope="module")
def document(live_server) -> dict:
    return ApiClient(live_server.url).get("/api/v1/openapi.json").json()


def test_every_error_response_is_documented_as_the_envelope(document):
    envelope_schema = document["components"]["schemas"]["ErrorEnvelope"]
    assert set(envelope_schema["required"]) == {"code", "status", "message"}
    assert set(envelope_schema["properties"]) == {"code", "status", "message", "errors"}
    for name, response in document["components"]["responses"].items():
        if "content" in response:
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorEnvelope"}, name
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                assert "default" in operation["responses"], f"{method} {path}: errors undocumented"
                assert "422" not in operation["responses"], f"{method} {path}: validation answers 400, not 422"


def test_instants_and_dates_are_documented_as_such(document):
    schemas = document["components"]["schemas"]
    assert schemas["User"]["properties"]["created_at"] == {"type": "string", "format": "date-time"}
    assert schemas["Session"]["properties"]["expires_at"]["format"] == "date-time"
