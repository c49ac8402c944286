"""GET /api/v1/insights (§7)."""
from __future__ import annotations

from flask_smorest import Blueprint

from ..accounts.auth import current_user, login_required
from . import service
from .schemas import InsightsSchema, RangeQuery

blp = Blueprint("insights", __name__, url_prefix="/api/v1", description="Insights and the red-flag monitor")


@blp.route("/insights", methods=["GET"])
@login_required
@blp.arguments(RangeQuery(), location="query")
@blp.response(200, InsightsSchema)
def insights(query):
    """Daily and hourly counts, body regions, check-in factors and red flags for a local-date range."""
    user = current_user()
    first, last = service.resolve_range(user.timezone, query["first"], query["last"], day_starts_at=user.day_starts_at)
    return service.insights(user.id, user.timezone, first, last, user.day_starts_at)
