"""Optional error reports to Sentry when `SENTRY_DSN` is set (the `sentry` extra).

Health data and secrets never leave: no personal data (`send_default_pii=False`), no local
variables, no request bodies, cookies, query strings or auth headers, and share and reset tokens
are cut out of every URL and message before an event is sent.
"""
from __future__ import annotations

import logging
import re

from flask import Flask

log = logging.getLogger(__name__)
SECRET_PATHS = re.compile(r"(/s/)[^/?#\s\"']+|(/reset#?)[^\s\"'&]+|(/password-reset/confirm\?)[^\s\"']+")
KEPT_HEADERS = {"user-agent", "content-type", "content-length", "accept", "x-request-id"}


def redact(text: str) -> str:
    return SECRET_PATHS.sub(lambda m: (m.group(1) or m.group(2) or m.group(3)) + "[redacted]", text)


def scrub(event: dict, _hint=None) -> dict:
    """Remove what may identify a person or open their data; keep what explains the fault."""
    request = event.get("request") or {}
    for key in ("cookies", "data", "query_string", "env"):
        request.pop(key, None)
    if "url" in request:
        request["url"] = redact(request["url"])
    if isinstance(request.get("headers"), dict):
        request["headers"] = {k: v for k, v in request["headers"].items() if k.lower() in KEPT_HEADERS}
    event.pop("user", None)
    if event.get("transaction"):
        event["transaction"] = redact(event["transaction"])
    for crumb in (event.get("breadcrumbs") or {}).get("values", []):
        if isinstance(crumb.get("message"), str):
            crumb["message"] = redact(crumb["message"])
        crumb.pop("data", None)
    for exception in (event.get("exception") or {}).get("values", []):
        if isinstance(exception.get("value"), str):
            exception["value"] = redact(exception["value"])
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    if isinstance(event.get("logentry"), dict):
        for key in ("message", "formatted"):
            if isinstance(event["logentry"].get(key), str):
                event["logentry"][key] = redact(event["logentry"][key])
        event["logentry"].pop("params", None)
    return event


def init_app(app: Flask) -> None:
    dsn = app.config["TWITCHLOG"].sentry_dsn
    if not dsn:
        return
    try:
        import sentry_sdk
        from sentry_sdk.integrations.flask import FlaskIntegration
    except ImportError:
        log.warning("SENTRY_DSN is set but sentry-sdk is not installed: pip install 'twitchlog[sentry]'")
        return
    sentry_sdk.init(
        dsn=dsn,
        integrations=[FlaskIntegration(transaction_style="url")],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub,
        before_send_transaction=scrub,
        environment=app.config["TWITCHLOG"].env,
        traces_sample_rate=0.0,
    )
