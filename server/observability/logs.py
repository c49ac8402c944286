"""Log lines: plain text by default, one JSON object per line with `TWITCHLOG_LOG_FORMAT=json`.

Every line made while a request is answered carries its request id. Fields a line may add
through `extra=` (method, route, status, duration_ms) are written as JSON fields as they are.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from flask import g, has_app_context

from ..config import ConfigError

EXTRA_FIELDS = ("method", "route", "status", "duration_ms")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


class RequestIdFilter(logging.Filter):
    """Give every record a `request_id` (or "-") for the formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = (g.get("request_id") if has_app_context() else None) or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": None if getattr(record, "request_id", "-") == "-" else record.request_id,
        }
        for name in EXTRA_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(log_format: str) -> None:
    """Set the root handlers' format; safe to call again (each app of a test run calls it)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO)
    if log_format not in ("text", "json"):
        raise ConfigError(f"TWITCHLOG_LOG_FORMAT must be text or json, not {log_format!r}")
    formatter = JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    for handler in root.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
        if type(handler) is logging.StreamHandler or isinstance(handler, logging.FileHandler):
            handler.setFormatter(formatter)
