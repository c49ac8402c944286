"""GET /api/v1/export: the user's own data, to keep or to take elsewhere."""
from __future__ import annotations

from flask import Response, jsonify
from flask_smorest import Blueprint
from marshmallow import Schema, validate

from .. import fields as f
from ..accounts.auth import current_user, login_required
from ..sync.entities import ENTITIES
from . import clinician_fhir, fhir, service  # noqa: F401  (clinician_fhir adds /s/<token>/fhir to the clinician page)

blp = Blueprint("export", __name__, url_prefix="/api/v1", description="Export")


class ExportQuery(Schema):
    format = f.Text(load_default="json", validate=validate.OneOf(["json", "csv", "fhir"], error="format is json, csv or fhir."))
    entity = f.Text(load_default="twitch", validate=validate.OneOf(list(ENTITIES), error="entity is one of " + ", ".join(ENTITIES) + "."))


@blp.route("/export", methods=["GET"])
@login_required
@blp.arguments(ExportQuery(), location="query")
@blp.response(200, description="JSON of everything the user owns, or CSV of one entity")
@blp.doc(responses={"200": {"description": "JSON of everything the user owns, or CSV of one entity",
                             "content": {"application/json": {"schema": {"type": "object"}},
                                         "text/csv": {"schema": {"type": "string"}},
                                         "application/fhir+json": {"schema": {"type": "object"}}}}})
def export(query):
    """Everything the user owns as JSON, one entity as CSV, or twitches, symptoms and check-ins as a FHIR R4 Bundle."""
    user = current_user()
    if query["format"] == "fhir":
        return Response(fhir.bundle(fhir.owner_records(user.id), with_notes=True), mimetype=fhir.MEDIA_TYPE, headers={
            "Content-Disposition": 'attachment; filename="twitchlog-fhir.json"'})
    if query["format"] == "csv":
        body = service.export_csv(user.id, ENTITIES[query["entity"]])
        return Response(body, mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="twitchlog-{query["entity"]}.csv"'})
    response = jsonify(service.export_document(user))
    response.headers["Content-Disposition"] = 'attachment; filename="twitchlog-export.json"'
    return response
