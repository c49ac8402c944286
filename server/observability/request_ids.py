"""`X-Request-ID` on every answer, and one access line per request carrying it.

A client's (or nginx's) own id is kept when it is sane: 1-64 characters of letters, digits,
`.`, `_` and `-`; anything else is replaced by a new one, so a log line can never be forged
or bloated through this header. The access line names the route template (`/s/<token>`), never
the path, so no secret in a URL reaches the log.
"""
from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request

SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")
access_log = logging.getLogger("twitchlog.access")


def current_request_id() -> str | None:
    return g.get("request_id")


def take_request_id() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if SANE.fullmatch(given) else uuid.uuid4().hex
    g.access_started = time.perf_counter()


def answer_request_id(response):
    request_id = g.get("request_id")
    if request_id:
        response.headers["X-Request-ID"] = request_id
    return response


def log_access(response):
    """The access line, written straight to the logger's handlers: `Logger.info` would also walk
    the stack for the caller's file and line, which no format here shows."""
    if not access_log.isEnabledFor(logging.INFO):
        return response
    rule = request.url_rule
    started = g.get("access_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 2) if started is not None else None
    route = rule.rule if rule is not None else "unmatched"
    method, status = request.method, response.status_code
    access_log.handle(access_log.makeRecord(
        access_log.name, logging.INFO, "", 0, "%s %s %s %.2f ms", (method, route, status, duration_ms or 0.0), None,
        extra={"method": method, "route": route, "status": status, "duration_ms": duration_ms}))
    return response


def init_app(app: Flask) -> None:
    # First of the before-request hooks, so a request refused by a guard still has its id.
    app.before_request_funcs.setdefault(None, []).insert(0, take_request_id)
    # after-request hooks run last-registered first: the access line is written after the id is set
    if app.config["TWITCHLOG"].access_log:
        app.after_request(log_access)
    app.after_request(answer_request_id)
