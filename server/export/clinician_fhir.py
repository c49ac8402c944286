"""GET /s/<token>/fhir: the clinician link's records as a FHIR Bundle, filtered by the share's scopes.

The same period as the page (the last 90 days, or ?from=&to=), the same token rules (an expired,
revoked, unknown or caregiver token is a 404) and the same access log. Notes travel only with the
`notes` scope, exactly as on the page.
"""
from __future__ import annotations

from flask import Response

from ..sharing.service import records_in_range
from ..sharing.views import clinician, link_view, token_limit
from . import fhir


@clinician.route("/s/<string:token>/fhir", methods=["GET"])
@token_limit
@link_view("fhir")
def shared_fhir(token, share, person, first, last):
    scopes = list(share.scopes)
    records = records_in_range(person.id, person.timezone, first, last, scopes)["records"]
    body = fhir.bundle(records, with_notes="notes" in scopes)
    return Response(body, mimetype=fhir.MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="twitchlog-{first.isoformat()}-{last.isoformat()}.fhir.json"'})
