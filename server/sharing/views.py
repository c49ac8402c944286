"""HTTP for sharing (§6): the owner's shares, caregivers' read-only views, the clinician's page."""
from __future__ import annotations

import functools

from flask import Blueprint as FlaskBlueprint
from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError

from ..accounts.auth import current_user, current_user_id, login_required
from ..accounts.models import User
from ..errors import ApiError, NotFound
from ..extensions import db, limiter
from ..transactions import begin_write
from ..insights import service as insights_service
from ..insights.schemas import InsightsSchema, RangeQuery
from ..reports.service import clinician_report
from . import alerts, page, service  # noqa: F401  (alerts registers the caregiver-alert push hook)
from .schemas import AccessSchema, AcceptSchema, EventsSchema, NewShareSchema, PersonSchema, ShareCreateSchema, ShareSchema

blp = Blueprint("sharing", __name__, url_prefix="/api/v1", description="Caregiver and clinician sharing")
clinician = FlaskBlueprint("clinician", __name__, template_folder="templates", static_folder="static",
                           static_url_path="/s/static")


def _not_found(response) -> bool:
    return response.status_code == 404


# Guessed or altered tokens: every path that takes a share token shares one budget per address.
token_limit = limiter.shared_limit(lambda: current_app.config["TWITCHLOG"].share_limit, scope="share-token",
                                   deduct_when=_not_found)


@blp.route("/shares")
class Shares(MethodView):
    @login_required
    @blp.arguments(ShareCreateSchema())
    @blp.response(201, NewShareSchema)
    def post(self, body):
        """Share with a caregiver or by link; the token is shown only in this answer."""
        share, token = service.create_share(current_user_id(), body["kind"], body["scopes"], body["expires_in_days"], body["label"],
                                            quiet_alert_days=body["quiet_alert_days"])
        db.session.commit()
        return {"id": share.id, "kind": share.kind, "scopes": share.scopes, "label": share.label,
                "expires_at": share.expires_at, "token": token, "url": f"/s/{token}" if share.kind == "link" else None}

    @login_required
    @blp.response(200, ShareSchema(many=True))
    def get(self):
        """Every share this account made, newest first, without tokens."""
        return service.list_shares(current_user_id())


@blp.route("/shares/<string:share_id>", methods=["DELETE"])
@login_required
@blp.response(204)
def revoke(share_id):
    """Withdraw a share; every access through it ends at once."""
    service.revoke_share(current_user_id(), share_id)
    db.session.commit()


@blp.route("/shares/<string:share_id>/accesses", methods=["GET"])
@login_required
@blp.response(200, AccessSchema(many=True))
def accesses(share_id):
    """When and how a share was used, newest first (the latest 500)."""
    return service.share_accesses(current_user_id(), share_id)


@blp.route("/shares/accept", methods=["POST"])
@token_limit
@login_required
@blp.arguments(AcceptSchema())
@blp.response(200, PersonSchema)
def accept(body):
    """A caregiver accepts a share while signed in; the token is then bound to this account."""
    caregiver = current_user()
    begin_write()
    person = service.accept_share(caregiver.id, body["token"])
    db.session.commit()
    return person


@blp.route("/people", methods=["GET"])
@login_required
@blp.response(200, PersonSchema(many=True))
def people():
    """The people who share with this account, and what they share."""
    return service.people(current_user_id())


def _open_person(person_id: str, query: dict, what: str):
    """The person, the scopes and the range of a caregiver read, logged for the person."""
    person, scopes, share_ids = service.find_person(current_user_id(), person_id)
    first, last = insights_service.resolve_range(person.timezone, query["first"], query["last"], day_starts_at=person.day_starts_at)
    begin_write()
    service.record_access(share_ids, what)
    db.session.commit()
    return person, scopes, first, last


@blp.route("/people/<string:person_id>/insights", methods=["GET"])
@login_required
@blp.arguments(RangeQuery(), location="query")
@blp.response(200, InsightsSchema)
def person_insights(query, person_id):
    """The person's insights (§7 shape), with what the shares do not open set to null."""
    person, scopes, first, last = _open_person(person_id, query, "insights")
    return insights_service.for_scopes(insights_service.insights(person.id, person.timezone, first, last), scopes)


@blp.route("/people/<string:person_id>/events", methods=["GET"])
@login_required
@blp.arguments(RangeQuery(), location="query")
@blp.response(200, EventsSchema)
def person_events(query, person_id):
    """The person's records in a local-date range that the shares open; notes only with `notes`."""
    person, scopes, first, last = _open_person(person_id, query, "events")
    return service.records_in_range(person.id, person.timezone, first, last, scopes)


# --- the clinician's page (server-rendered, no JavaScript) ----------------------------------------

def _range_from_query(timezone: str, day_starts_at: str | None = None):
    """The page's period from ?from=&to= (default: the 90 days ending today). :raise 400:"""
    try:
        query = RangeQuery().load({k: v for k, v in request.args.items() if k in ("from", "to")})
    except ValidationError as error:
        raise ApiError("The period is not valid: use dates in the form YYYY-MM-DD.", error.messages)
    return insights_service.resolve_range(timezone, query["first"], query["last"], default_days=page.DEFAULT_DAYS,
                                          day_starts_at=day_starts_at)


def _open_link(token: str, what: str, needs: str | None = None):
    """The live link share, its owner and the period, with this access counted. :raise 404: :raise 400:"""
    share = service.find_link(token)
    if needs is not None and needs not in share.scopes:
        raise NotFound()
    person = db.session.get(User, share.owner_id)
    first, last = _range_from_query(person.timezone, person.day_starts_at)
    begin_write()
    service.record_access([share.id], what)
    db.session.commit()
    return share, person, first, last


def link_view(what: str, needs: str | None = None):
    """A clinician-link view gets (token, share, person, first, last) with the access counted;
    an unknown, ended or caregiver token is the plain 404 page, a bad period the 400 page."""
    def decorate(view):
        @functools.wraps(view)
        def opened(token):
            try:
                share, person, first, last = _open_link(token, what, needs=needs)
            except NotFound:
                return page.gone(), 404
            except ApiError as error:
                return page.bad_period(error.message), 400
            return view(token, share, person, first, last)
        return opened
    return decorate


@clinician.route("/s/<string:token>", methods=["GET"])
@token_limit
@link_view("page")
def shared_page(token, share, person, first, last):
    return page.render(share, person, first, last, token)


@clinician.route("/s/<string:token>/report.pdf", methods=["GET"])
@token_limit
@link_view("report", needs="summary")  # the report is a summary
def shared_report(token, share, person, first, last):
    pdf = clinician_report(person, first, last, share.scopes)  # never the share's label: it is the owner's (§16)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="twitchlog-{first.isoformat()}-{last.isoformat()}.pdf"'})


@clinician.after_request
def _not_for_search_engines(response):
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response

