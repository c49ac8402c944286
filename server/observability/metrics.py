"""Prometheus metrics (`GET /metrics`), correct across gunicorn workers and dispatchers.

Counters live in prometheus_client's multiprocess files when `PROMETHEUS_MULTIPROC_DIR` is set
(deploy/gunicorn.conf.py sets it for the web workers; the dispatchers share the directory through
the environment file), so a scrape of any worker adds up every process on the machine. Without it
(`twitchlog run`, one process) the process's own registry is read. The push queue's depth is read
from the database at scrape time, so it is right whoever filled the queue.

`/metrics` answers 404 unless `TWITCHLOG_METRICS_TOKEN` is set, then wants that bearer token.
"""
from __future__ import annotations

import hmac
import os
import time

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from ..errors import envelope
from ..extensions import db

# This process's own metrics; in multiprocess mode their values also go to the shared files.
OWN = CollectorRegistry()
HTTP_REQUESTS = Counter("twitchlog_http_requests_total", "HTTP requests answered", ["method", "route", "status"], registry=OWN)
HTTP_DURATION = Histogram(
    "twitchlog_http_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0), registry=OWN,
)
SYNC_MUTATIONS = Counter("twitchlog_sync_mutations_total", "Sync mutations applied or rejected (replays not counted)", registry=OWN)
PUSH_DELIVERIES = Counter("twitchlog_push_deliveries_total", "Push messages by outcome", ["outcome"], registry=OWN)
PUSH_REAPED = Counter("twitchlog_push_claims_reaped_total", "Stale push claims the reaper returned to the queue", registry=OWN)
DISPATCHER_PASSES = Counter("twitchlog_dispatcher_passes_total", "Dispatcher passes (plan, send, reap) finished", registry=OWN)

blp = Blueprint("metrics", __name__)


class PushQueueCollector:
    """`twitchlog_push_queue_depth`: deliveries waiting to be sent, by state, read at scrape time."""

    def collect(self):
        from ..push.models import PushDelivery

        family = GaugeMetricFamily("twitchlog_push_queue_depth", "Push deliveries queued or claimed, not yet sent", labels=["state"])
        rows = dict(db.session.execute(
            sa.select(PushDelivery.state, sa.func.count()).where(PushDelivery.state.in_(("queued", "claimed"))).group_by(PushDelivery.state)
        ).all())
        db.session.rollback()  # a read only; end it so no snapshot is held
        for state in ("queued", "claimed"):
            family.add_metric([state], rows.get(state, 0))
        yield family


def route_label() -> str:
    """The route's template (`/s/<token>`), never the path: no secret and no unbounded label."""
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def count_request(response):
    started = g.get("access_started")  # set first of all hooks by request_ids, so refused requests count too
    if request.path != "/metrics" and started is not None:
        route = route_label()
        HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        HTTP_DURATION.labels(request.method, route).observe(time.perf_counter() - started)
    return response


@blp.route("/metrics")
def scrape():
    token = current_app.config["TWITCHLOG"].metrics_token
    if not token:
        return envelope(404)
    given = request.headers.get("Authorization", "")
    if not given.lower().startswith("bearer ") or not hmac.compare_digest(given[7:].strip().encode(), token.encode()):
        return envelope(401, "Send the metrics token as `Authorization: Bearer <TWITCHLOG_METRICS_TOKEN>`.")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
    else:
        processes = OWN
    queue = CollectorRegistry()
    queue.register(PushQueueCollector())
    response = Response(generate_latest(processes) + generate_latest(queue), mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    if app.config["TWITCHLOG"].metrics_token:  # nobody can read them otherwise: count nothing
        app.after_request(count_request)
    app.register_blueprint(blp)
