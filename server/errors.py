"""The one JSON error envelope: {"code", "status", "message", "errors"?}.

Every error the API gives, from a validation failure to an unexpected exception, leaves through
this module, so a client only ever has one shape to read and never sees a stack trace.
"""
from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, jsonify, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from .extensions import api, db
from .redaction import redact

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood. Check the body against the API documentation and try again.",
    401: "You are not signed in, or your session or token has ended. Sign in and try again.",
    403: "This request is not allowed.",
    404: "Nothing was found here.",
    405: "This method is not allowed on this path.",
    409: "This conflicts with something that already exists.",
    413: "The request body is larger than 1 MiB. Send less at a time.",
    415: "Send the body as JSON with the header Content-Type: application/json.",
    422: "The request body has errors: fix the fields listed in `errors` and try again.",
    429: "Too many attempts. Wait for the time given in Retry-After and try again.",
    500: "Something went wrong on our side. Your data is safe; please try again in a moment.",
    503: "The service is not ready. Please try again in a moment.",
}


class ErrorEnvelopeSchema(Schema):
    """The envelope as the OpenAPI document shows it (every error response has this shape)."""

    code = fields.Integer(required=True, metadata={"description": "the HTTP status"})
    status = fields.String(required=True, metadata={"description": "the HTTP reason phrase"})
    message = fields.String(required=True, metadata={"description": "what happened and what to do"})
    errors = fields.Dict(keys=fields.String(), values=fields.Raw(), metadata={"description": "field -> messages, where fields are at fault"})


# Before any view is declared or the Api bound: flask-smorest would document a schema of its own
# and raise (and document) validation failures as 422, where this API answers 400 (§9).
api.ERROR_SCHEMA = ErrorEnvelopeSchema
Blueprint.ARGUMENTS_PARSER.DEFAULT_VALIDATION_STATUS = 400


class ApiError(Exception):
    """A client mistake the service layer detects; the view turns it into the envelope."""

    status = 400

    def __init__(self, message: str | None = None, errors: dict | None = None, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status
        self.message = message or MESSAGES.get(self.status, "")
        self.errors = errors


class NotFound(ApiError):
    """Anything that is not the caller's: a 404, never a 403 that would confirm it exists."""

    status = 404


class Conflict(ApiError):
    status = 409


class Forbidden(ApiError):
    status = 403


class Unauthorized(ApiError):
    status = 401


def envelope(status: int, message: str | None = None, errors: dict | None = None, headers=None):
    body = {
        "code": status,
        "status": HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error",
        "message": message or MESSAGES.get(status, ""),
    }
    if errors:
        body["errors"] = _string_keys(errors)
    response = jsonify(body)
    response.status_code = status
    if headers:
        for name, value in headers:
            if name.lower() in {"retry-after", "www-authenticate", "allow"} or name.lower().startswith("x-ratelimit"):
                response.headers[name] = value
    return response


def _string_keys(value):
    """Marshmallow keys a list's errors by index (int) beside "_schema" (str); JSON sorts keys and needs str."""
    if isinstance(value, dict):
        return {str(key): _string_keys(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_string_keys(item) for item in value]
    return value


def _field_errors(data) -> dict | None:
    """webargs nests errors by location ({"json": {...}}); clients want {"field": [...]}."""
    if not isinstance(data, dict):
        return None
    messages = data.get("messages")
    if not isinstance(messages, dict):
        return None
    merged: dict = {}
    for location, errors in messages.items():
        if location in {"json", "query", "querystring", "form", "view_args", "path"} and isinstance(errors, dict):
            merged.update(errors)
        else:
            merged[location] = errors
    return merged or None


def rollback_quietly() -> None:
    """Roll back the request's transaction; a connection that already died has nothing to undo."""
    try:
        db.session.rollback()
    except sa_exc.SQLAlchemyError:
        log.warning("rollback failed on a broken database connection")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(sa_exc.OperationalError)
    @app.errorhandler(sa_exc.InterfaceError)
    @app.errorhandler(sa_exc.TimeoutError)
    def _database_unavailable(error: Exception):
        # The database is restarting, unreachable or locked by another writer: nothing was
        # written, and the client's retry (a no-op replay for sync) is the recovery.
        rollback_quietly()
        log.warning("database unavailable on %s %s: %s", request.method, redact(request.path), type(error).__name__)
        return envelope(503, "The database is busy or restarting. Nothing was lost; try again in a moment.",
                        headers=[("Retry-After", "1")])

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError):
        db.session.rollback()
        return envelope(error.status, error.message, error.errors, headers=getattr(error, "headers", None))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        db.session.rollback()
        status = error.code or 500
        data = getattr(error, "data", None)
        errors = _field_errors(data)
        message = None
        if isinstance(errors, dict) and set(errors) == {"json"} and isinstance(errors["json"], list):
            message, errors = "The body is not valid JSON: " + " ".join(map(str, errors["json"])), None
        elif status in {400, 422} and errors:
            status = 400
            message = MESSAGES[422]
        elif isinstance(data, dict) and data.get("message"):
            message = data["message"]
        elif status in {400, 404, 405} and error.description and "browser (or proxy)" not in error.description:
            message = error.description if status == 400 else None
        if status == 429:
            message = MESSAGES[429]
        headers = error.get_response().headers if status in {401, 405, 429} else None
        return envelope(status, message, errors, headers=headers.items() if headers else None)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        rollback_quietly()
        log.exception("unhandled error on %s %s", request.method, redact(request.path))
        return envelope(500)
