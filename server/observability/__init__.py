"""Seeing a running install: request ids, structured logs, Prometheus metrics, error reports.

`init_app(app)` wires all of it; each module owns one concern and documents its settings. The
log format is set first of all in create_app (`logs.configure`), before anything logs.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import errors_reporting, metrics, request_ids

    request_ids.init_app(app)
    metrics.init_app(app)
    errors_reporting.init_app(app)
