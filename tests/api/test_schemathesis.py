"""Schemathesis against /api/v1/openapi.json of a live server, signed in with a bearer token.

Every documented operation gets schema-conforming (positive) and schema-violating (negative)
requests; the answers must be no 5xx, a documented status, the documented content type, and a
body that matches the documented schema (the error envelope for every error). Bounded and
deterministic: a few examples per operation, derandomized, no example database.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.api import PASSWORD, ApiClient

pytestmark = pytest.mark.slow  # half a minute: run early among make test's parallel files

EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 6}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_schema(live_server):
    return schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")


@pytest.fixture(scope="module")
def bearer(live_server) -> dict:
    """A token of a person who has some of everything (schemathesis may end their sessions, not the token)."""
    api = ApiClient(live_server.url)
    api.register()
    api.log_twitch(intensity=2, body_region="calf", side="left")
    token = api.post("/api/v1/auth/tokens", json={"email": api.user["email"], "password": PASSWORD, "label": "schemathesis"})
    return {"Authorization": f"Bearer {token.json()['token']}"}


def test_the_document_is_valid_openapi_and_lists_the_contract_paths(api_schema):
    operations = {f"{op.ok().method.upper()} {op.ok().path}" for op in api_schema.get_all_operations()}
    for contract in ["POST /api/v1/auth/register", "POST /api/v1/auth/login", "POST /api/v1/auth/logout",
                     "POST /api/v1/auth/logout-all", "GET /api/v1/auth/sessions", "DELETE /api/v1/auth/sessions/{session_id}",
                     "GET /api/v1/me", "PATCH /api/v1/me", "DELETE /api/v1/me", "GET /api/v1/export",
                     "POST /api/v1/auth/tokens", "GET /api/v1/auth/tokens", "DELETE /api/v1/auth/tokens/{token_id}",
                     "POST /api/v1/sync/push", "POST /api/v1/sync/pull"]:
        assert contract in operations


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=str)
def test_every_operation_answers_as_documented(api_schema, bearer, live_server, subtests, mode):
    checks = [*CHECKS, negative_data_rejection] if mode == GenerationMode.NEGATIVE else CHECKS
    for result in api_schema.get_all_operations():
        operation = result.ok()
        with subtests.test(msg=f"{operation.method.upper()} {operation.path}"):

            @settings(max_examples=EXAMPLES[mode], derandomize=True, database=None, deadline=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case):
                case.call_and_validate(base_url=live_server.url, headers=bearer, checks=checks, timeout=30)

            try:
                call()
            except Unsatisfiable:
                if mode != GenerationMode.NEGATIVE:
                    raise
                pytest.skip("no input of this operation can break its schema (no body, no query, only free-text ids)")
