"""GET /api/v1/reports/clinician.pdf: the owner's report for a neurology or EMG visit (§7)."""
from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from ..accounts.auth import current_user, login_required
from ..insights.schemas import RangeQuery
from ..insights.service import resolve_range
from .service import clinician_report

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports", description="The clinician report")


@blp.route("/clinician.pdf", methods=["GET"])
@login_required
@blp.arguments(RangeQuery(), location="query")
@blp.response(200, description="A PDF of at most two pages", content_type="application/pdf")
def clinician_pdf(query):
    """A PDF for a neurology or EMG visit; its numbers are the insights of the same period."""
    user = current_user()
    first, last = resolve_range(user.timezone, query["first"], query["last"], day_starts_at=user.day_starts_at)
    pdf = clinician_report(user, first, last)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="twitchlog-report-{first.isoformat()}-{last.isoformat()}.pdf"'})
