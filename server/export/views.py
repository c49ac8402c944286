"""GET /api/v1/export: the user's own data, to keep or to take elsewhere."""
from __future__ import annotations

from flask import Response, jsonify
from flask_smorest import Blueprint
from marshmallow import Schema, validate

from .. import fields as f
from ..accounts.auth import current_user, login_required
from ..sync.entities import ENTITIES
from . import service

blp = Blueprint("export", __name__, url_prefix="/api/v1", description="Export")


class ExportQuery(Schema):
    format = f.Text(load_default="json", validate=validate.OneOf(["json", "csv"], error="format is json or csv."))
    entity = f.Text(load_default="twitch", validate=validate.OneOf(list(ENTITIES), error="entity is one of " + ", ".join(ENTITIES) + "."))


@blp.route("/export", methods=["GET"])
@login_required
@blp.arguments(ExportQuery(), location="query")
@blp.response(200, description="JSON of everything the user owns, or CSV of one entity")
@blp.doc(responses={"200": {"description": "JSON of everything the user owns, or CSV of one entity",
                             "content": {"application/json": {"schema": {"type": "object"}},
                                         "text/csv": {"schema": {"type": "string"}}}}})
def export(query):
    """Everything the user owns as JSON, or one entity as CSV."""
    user = current_user()
    if query["format"] == "csv":
        body = service.export_csv(user.id, ENTITIES[query["entity"]])
        return Response(body, mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="twitchlog-{query["entity"]}.csv"'})
    response = jsonify(service.export_document(user))
    response.headers["Content-Disposition"] = 'attachment; filename="twitchlog-export.json"'
    return response
