"""Bad input, reusable: tables of malformed requests and the one check that the answer is the envelope.

For an endpoint of your own:

    from tests.support.bad_input import assert_envelope, body_cases, field_cases, STRING, INTEGER

    VALID = {"minutes": 15}

    def test_snooze_rejects_bad_input(user, subtests):
        for case in [*body_cases(), *field_cases(VALID, {"minutes": INTEGER}, required=["minutes"])]:
            with subtests.test(msg=case.name):
                assert_envelope(case.send(user, "POST", "/api/v1/reminders/some-id/snooze"), case.status)

`case.send(api, method, path)` works with any object that has `.request(method, path, **kw)`
(tests.support.api.ApiClient). `snapshot(api)` reads what the user owns, for a before/after check.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Iterable

MAX_BODY = 1_048_576  # §9: larger bodies get 413
ENVELOPE_KEYS = {"code", "status", "message", "errors"}
_UNSET = object()


def assert_envelope(response, status: int | Iterable[int] | None = None) -> dict:
    """A client mistake answered in the one envelope {"code", "status", "message", "errors"?}.

    `status` is the expected HTTP status, a set of acceptable ones, or None for "any 4xx".
    Returns the parsed body.
    """
    where = f"{response.request.method} {response.request.path_url} -> {response.status_code}: {response.text[:300]!r}"
    assert response.status_code < 500, "a client mistake got a server error: " + where
    if status is None:
        assert 400 <= response.status_code < 500, "expected a 4xx: " + where
    elif isinstance(status, int):
        assert response.status_code == status, f"expected {status}: " + where
    else:
        assert response.status_code in set(status), f"expected one of {sorted(status)}: " + where
    assert response.headers.get("Content-Type", "").startswith("application/json"), "the envelope is JSON: " + where
    body = response.json()
    assert isinstance(body, dict), "the envelope is an object: " + where
    assert {"code", "status", "message"} <= set(body) <= ENVELOPE_KEYS, "envelope keys: " + where
    assert body["code"] == response.status_code, "code equals the HTTP status: " + where
    assert body["status"] == HTTPStatus(response.status_code).phrase, "status is the reason phrase: " + where
    assert isinstance(body["message"], str) and body["message"].strip(), "a message a person can act on: " + where
    if "errors" in body:
        assert isinstance(body["errors"], dict) and body["errors"], "errors maps fields to messages: " + where
    assert "Traceback" not in response.text and 'File "' not in response.text, "no stack trace: " + where
    return body


@dataclass(frozen=True)
class Case:
    """One malformed request: how to send it and the status (or statuses) it must get."""

    name: str
    status: int | frozenset[int]
    json: Any = _UNSET
    data: bytes | str | None = None
    content_type: str | None = "application/json"
    headers: dict = field(default_factory=dict)

    def send(self, api, method: str, path: str, headers: dict | None = None):
        kwargs: dict = {"headers": {**self.headers, **(headers or {})}}
        if self.json is not _UNSET:
            # allow_nan: NaN and Infinity are what a careless client sends; ensure_ascii keeps lone surrogates escaped
            kwargs["data"] = json.dumps(self.json, allow_nan=True).encode()
        elif self.data is not None:
            kwargs["data"] = self.data
        if self.content_type is not None and "data" in kwargs:
            kwargs["headers"].setdefault("Content-Type", self.content_type)
        return api.request(method, path, **kwargs)

    def __str__(self) -> str:
        return self.name


def _oversized_object() -> bytes:
    return b'{"padding": "' + b"x" * MAX_BODY + b'"}'


def body_cases(*, takes_object: bool = True) -> list[Case]:
    """Bodies that are wrong whatever the endpoint: not JSON, not an object, too large, wrong type.

    `takes_object=False` leaves out "JSON that is not an object" (for endpoints that read no body).
    """
    cases = [
        Case("broken JSON", 400, data=b'{"email": '),
        Case("trailing garbage", 400, data=b"{} {}"),
        Case("single quotes", 400, data=b"{'a': 1}"),
        Case("not UTF-8", 400, data=b'{"a": "\xff\xfe"}'),
        Case("nested too deeply", 400, data=b"[" * 100_000 + b"]" * 100_000),
        Case("integer of 5,000 digits", 400, data=b'{"a": ' + b"9" * 5000 + b"}"),
        Case("text/plain body", 415, data=b"{}", content_type="text/plain"),
        Case("form body", 415, data=b"a=1&b=2", content_type="application/x-www-form-urlencoded"),
        Case("no content type", 415, data=b"{}", content_type=None),
        Case("body over 1 MiB", 413, data=_oversized_object()),
        Case("body of 1 MiB + 1 byte, not even JSON", 413, data=b" " * (MAX_BODY + 1)),
    ]
    if takes_object:
        cases += [
            Case("JSON array", 400, json=[]),
            Case("JSON string", 400, json="x"),
            Case("JSON null", 400, json=None),
            Case("JSON number", 400, json=1),
            Case("JSON true", 400, json=True),
        ]
    return cases


# Wrong values by kind of field: (label, value). Each must be refused whatever the valid value is.
_COMMON = [("an array", []), ("an object", {}), ("NaN", float("nan"))]
STRING = [("a number", 123), ("true", True), *_COMMON, ("a NUL character", "a\x00b"),
          ("a lone surrogate", "a\ud800b"), ("200,000 characters", "x" * 200_000)]
INTEGER = [("a string", "3"), ("a decimal", 3.5), ("true", True), ("false", False), ("10**40", 10**40),
           ("Infinity", float("inf")), *_COMMON]
NUMBER = [("a string", "1.5"), ("true", True), ("Infinity", float("inf")), ("1e300", 1e300), *_COMMON]
BOOLEAN = [("a string", "true"), ("1", 1), ("0", 0), *_COMMON]
UUID = [("not a UUID", "not-a-uuid"), ("a number", 7), ("true", True), ("a UUID with a NUL", "\x00" * 36), *_COMMON]
INSTANT = [("no offset", "2026-11-25T19:42:10"), ("a date only", "2026-11-25"), ("a number", 1764099730),
           ("year 9999", "9999-01-01T00:00:00Z"), ("words", "yesterday"), *_COMMON]
EMAIL = [*STRING, ("no @", "person.example.org"), ("two @", "a@b@example.org"), ("255 characters", "a" * 64 + "@" + "b" * 186 + ".org")]
PASSWORD = [*STRING, ("9 characters", "123456789"), ("1,025 characters", "p" * 1025)]
TIMEZONE = [*STRING, ("not a zone", "Mars/Olympus_Mons"), ("a path", "../../etc/passwd"), ("localtime", "localtime"),
            ("an offset", "+02:00"), ("empty", "")]
LABEL = [*STRING, ("empty", ""), ("101 characters", "l" * 101)]
# §12: a passkey answer as PublicKeyCredential.toJSON() gives it; a reset link's token.
CREDENTIAL = [("a string", "x"), ("a number", 1), ("true", True), ("an array", []), ("NaN", float("nan")),
              ("an empty object", {}), ("the wrong shape", {"id": 1, "response": []}),
              ("not base64url", {"id": "!!", "rawId": "!!", "type": "public-key",
                                 "response": {"clientDataJSON": "!!", "attestationObject": "!!", "authenticatorData": "!!", "signature": "!!"}}),
              ("client data that is not JSON", {"id": "AAAA", "rawId": "AAAA", "type": "public-key",
                                                "response": {"clientDataJSON": "bm90IGpzb24", "attestationObject": "oA",
                                                             "authenticatorData": "AA", "signature": "AA"}}),
              ("a lone surrogate", {"id": "a\ud800", "rawId": "a\ud800", "type": "public-key", "response": {}}),
              ("a NUL", {"id": "\x00", "rawId": "\x00", "type": "public-key", "response": {}})]
RESET_TOKEN = [*STRING, ("empty", ""), ("201 characters", "t" * 201)]
# §12: values that look right but a field cannot hold (each a 400, or a mutation rejected "invalid").
EXPIRATION_TIME = [*NUMBER, ("past year 9999 (ms)", 253_402_300_800_000), ("1e15 ms", 1e15), ("negative", -1),
                   ("a string of digits", "1900000000000")]
HLC = [("a trailing newline", "2026-11-25T19:42:10.123Z-0001-{client}\n"),
       ("a trailing CR LF", "2026-11-25T19:42:10.123Z-0001-{client}\r\n"),
       ("non-ASCII digits", "\u0662\u0660\u0662\u0666-11-25T19:42:10.123Z-0001-{client}"),
       ("a leading space", " 2026-11-25T19:42:10.123Z-0001-{client}"),
       ("upper-case hex", "2026-11-25T19:42:10.123Z-00AB-{client}")]
CLOCK_TIME = [("a trailing newline", "21:00\n"), ("non-ASCII digits", "\u0662\u0661:00"), ("seconds", "21:00:00")]
# Push endpoints (§12): only https on 443 at an allowed push service; every other form is refused.
PUSH_ENDPOINT = [
    ("http", "http://fcm.googleapis.com/fcm/send/a"), ("another port", "https://fcm.googleapis.com:8443/fcm/send/a"),
    ("port 80 on https", "https://fcm.googleapis.com:80/fcm/send/a"), ("an empty port", "https://fcm.googleapis.com:/x"),
    ("not an allowed service", "https://push.example.com/x"), ("a look-alike suffix", "https://evilfcm.googleapis.com.evil.org/x"),
    ("no dot boundary", "https://notfcm.googleapis.com.attacker.net/x"), ("glued to the suffix", "https://xfcm.googleapis.com/x"),
    ("the suffix as a label", "https://fcm.googleapis.com.evil.org/x"),
    ("127.1", "https://127.1/x"), ("octal", "https://0177.0.0.1/x"), ("a decimal address", "https://2130706433/x"),
    ("hex", "https://0x7f.0.0.1/x"), ("a private address", "https://10.0.0.5/x"), ("IPv6 loopback", "https://[::1]/x"),
    ("IPv4-mapped IPv6", "https://[::ffff:127.0.0.1]/x"), ("localhost", "https://localhost/x"),
    ("localhost with a trailing dot", "https://localhost./x"), ("a trailing dot", "https://fcm.googleapis.com./x"),
    ("userinfo", "https://user:pw@fcm.googleapis.com/x"), ("userinfo hiding the host", "https://fcm.googleapis.com@127.0.0.1/x"),
    ("upper case", "https://FCM.GOOGLEAPIS.COM/x"), ("a punycode look-alike", "https://xn--fcm-googleapis-xyz.com/x"),
    ("a full-width dot", "https://fcm\uff0egoogleapis.com/x"), ("a backslash", "https://fcm.googleapis.com\\@127.0.0.1/x"),
    ("a fragment", "https://fcm.googleapis.com/x#y"), ("a space", "https://fcm.googleapis.com/a b"),
    ("no host", "https:///x"), ("no scheme", "//fcm.googleapis.com/x"), ("ftp", "ftp://fcm.googleapis.com/x"),
    ("local http on port 443 name", "http://127.0.0.2:9/x"), ("local without a port", "http://127.0.0.1/x"),
    ("local with userinfo", "http://a@127.0.0.1:9/x"), ("local https", "https://127.0.0.1:9/x"),
]
# A person's display name (§16): null and "" clear it, so neither is wrong.
DISPLAY_NAME = [*STRING, ("101 characters", "n" * 101), ("101 characters after trimming", " " + "n" * 101 + " "),
                ("a line break", "Maya\nRivera"), ("a control character", "Maya\x07")]


def field_cases(valid: dict, kinds: dict[str, list[tuple[str, Any]]], *, required: Iterable[str] = (),
                nullable: Iterable[str] = (), status: int = 400) -> list[Case]:
    """For each field: every wrong value of its kind, null where it is not nullable, and missing
    where it is required; plus an unknown field. Every other field keeps its valid value."""
    cases = []
    nullable = set(nullable)
    for name, wrong_values in kinds.items():
        for label, value in wrong_values:
            cases.append(Case(f"{name}: {label}", status, json={**valid, name: value}))
        if name not in nullable:
            cases.append(Case(f"{name}: null", status, json={**valid, name: None}))
    for name in required:
        cases.append(Case(f"{name}: missing", status, json={k: v for k, v in valid.items() if k != name}))
    if required:
        cases.append(Case("an empty object", status, json={}))
        cases.append(Case("an empty body", status, data=b""))
    cases.append(Case("an unknown field", status, json={**valid, "surprise": 1}))
    return cases


def snapshot(api) -> dict:
    """What the user owns and how they are signed in, as the API shows it (for before/after checks)."""
    export = api.get("/api/v1/export?format=json")
    assert export.status_code == 200, export.text
    document = export.json()
    document.pop("exported_at", None)
    tokens = api.get("/api/v1/auth/tokens").json()
    sessions = api.get("/api/v1/auth/sessions").json()
    passkeys = api.get("/api/v1/auth/passkeys").json()
    return {
        "export": document,
        "me": api.get("/api/v1/me").json(),
        "tokens": sorted((t["id"], t["label"]) for t in tokens),
        "sessions": sorted(s["id"] for s in sessions),
        "passkeys": sorted((p["id"], p["label"]) for p in passkeys),
    }
