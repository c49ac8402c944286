"""Seeing a running install: request ids, structured logs, Prometheus metrics, error reports.

`init_app(app)` wires all of it; each module owns one concern and documents its settings.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import errors_reporting, logs, metrics, request_ids

    logs.configure(app.config["TWITCHLOG"].log_format)
    request_ids.init_app(app)
    metrics.init_app(app)
    errors_reporting.init_app(app)
