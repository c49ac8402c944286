"""HTTP for sync: POST /api/v1/sync/push and /api/v1/sync/pull (§3)."""
from __future__ import annotations

from flask_smorest import Blueprint

from ..accounts.auth import current_user_id, login_required
from ..extensions import db, limiter
from ..transactions import begin_write
from ..transactions import reads_only
from ..observability.metrics import SYNC_MUTATIONS
from . import service
from .schemas import PullResultSchema, PullSchema, PushResultSchema, PushSchema

blp = Blueprint("sync", __name__, url_prefix="/api/v1/sync", description="Offline-first sync")
# No rate limit applies to sync (a device retries until it is answered): skip the limiter's
# per-request check, which cost a single push about a tenth of its CPU.
limiter.unlimited(blp)


@blp.route("/push", methods=["POST"])
@login_required
@blp.arguments(PushSchema())
@blp.response(200, PushResultSchema)
def push(body):
    """Apply a device's queued mutations; a replay changes nothing."""
    user_id = current_user_id()
    begin_write()
    result = service.push(user_id, body["client_id"], body["mutations"])
    db.session.commit()
    SYNC_MUTATIONS.inc(result.pop("applied"))
    return result


@blp.route("/pull", methods=["POST"])
@reads_only  # a POST that only reads: on SQLite it reads beside a writer instead of queueing for the lock
@login_required
@blp.arguments(PullSchema())
@blp.response(200, PullResultSchema)
def pull(body):
    """Whole records changed since the cookie, in version order; repeat while `more`."""
    result = service.pull(current_user_id(), body["client_id"], body["cookie"], body["limit"])
    db.session.commit()
    return result
