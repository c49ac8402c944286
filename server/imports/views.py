"""HTTP for imports: POST /api/v1/imports?source=...[&dry_run=1] (DESIGN §14)."""
from __future__ import annotations

import json

from flask import request
from flask_smorest import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from ..accounts.auth import current_user, login_required
from ..errors import ApiError
from ..security import RAW_BODY_ROUTES
from . import service
from .entries import SLOT_TIMES
from .mapping import targets
from .schemas import ImportQuery, ImportResultSchema, TargetsSchema

try:
    from ..transactions import slow_work
except ImportError:  # the write rule's own module is not in this tree: nothing holds a lock before the first write
    from contextlib import nullcontext as slow_work

blp = Blueprint("imports", __name__, url_prefix="/api/v1", description="History from Daylio, Bearable and Visible")

MAX_FILE = 10 * 1024 * 1024
CSV_TYPES = {"text/csv", "application/csv", "text/plain", "application/vnd.ms-excel", "text/comma-separated-values"}
# this route alone takes a file, not JSON: the request guard lets it through up to this size
RAW_BODY_ROUTES["/api/v1/imports"] = MAX_FILE + 64 * 1024  # room for the multipart wrapping


class TooLarge(ApiError):
    status = 413


def _file_and_mapping() -> tuple[bytes, dict | None]:
    """The CSV and the person's mapping from the body. :raise ApiError: 400, 413 or 415."""
    try:
        return _read_body()
    except RequestEntityTooLarge:  # a body without Content-Length, cut off at the limit while read
        raise TooLarge("The file is larger than 10 MiB. Export a shorter period and import it in parts.") from None


def _read_body() -> tuple[bytes, dict | None]:
    if request.content_length is not None and request.content_length > RAW_BODY_ROUTES["/api/v1/imports"]:
        raise TooLarge("The file is larger than 10 MiB. Export a shorter period and import it in parts.")
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ApiError("Send the export in the form field `file`.", {"file": ["Missing file."]})
        data = upload.read(MAX_FILE + 1)
        mapping = _mapping(request.form.get("mapping"))
    elif request.mimetype in CSV_TYPES:
        data, mapping = request.get_data(cache=False), None
    else:
        raise ApiError("Send the export as the body with Content-Type: text/csv, or as multipart/form-data "
                       "with the file in `file`.", status=415)
    if len(data) > MAX_FILE:
        raise TooLarge("The file is larger than 10 MiB. Export a shorter period and import it in parts.")
    if not data.strip():
        raise ApiError("The file is empty.", {"file": ["Empty."]})
    return data, mapping


def _mapping(text: str | None) -> dict | None:
    if text is None or not text.strip():
        return None
    try:
        mapping = json.loads(text)
    except ValueError:
        raise ApiError("`mapping` is not JSON: send an object such as {\"Coffee\": \"intake:caffeine\"}.",
                       {"mapping": ["Not valid JSON."]}) from None
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise ApiError("`mapping` must be an object of label -> target strings.", {"mapping": ["Not an object of strings."]})
    return service.check_mapping(mapping)


@blp.route("/imports", methods=["POST"])
@login_required
@blp.arguments(ImportQuery(), location="query")
@blp.response(201, ImportResultSchema, description="What was added (200 with dry_run: what would be)")
@blp.alt_response(200, schema=ImportResultSchema, description="dry_run: what the file would add; nothing is written")
@blp.alt_response(413, description="The file is larger than 10 MiB")
@blp.alt_response(415, description="The body is neither text/csv nor multipart/form-data")
@blp.doc(requestBody={"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"},
        "mapping": {"type": "string", "description": 'JSON {"<label>": "<target>"}'}}}}}})
def import_file(query):
    """Bring in an export of Daylio, Bearable or Visible; with dry_run, only preview it."""
    user = current_user()
    user_id, timezone = user.id, user.timezone
    with slow_work("reading and parsing an import"):  # the upload and the parse hold no write lock
        data, mapping = _file_and_mapping()
        prepared = service.prepare(query["source"], data, timezone, mapping)
    if query["dry_run"]:
        return service.summary(prepared), 200
    added = service.write(user_id, prepared)
    return service.summary(prepared, added), 201


@blp.route("/imports/targets", methods=["GET"])
@login_required
@blp.response(200, TargetsSchema)
def import_targets():
    """What a source label can be mapped to, and the times that stand for parts of a day."""
    return {"targets": targets(), "slot_times": {slot: clock.strftime("%H:%M") for slot, clock in SLOT_TIMES.items()}}
