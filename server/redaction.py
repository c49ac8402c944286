"""Secrets never reach a log (§12): share tokens in `/s/<token>` paths, password-reset tokens,
bearer tokens and session cookies are cut out of every log record made in this process.

`install()` wraps the logging module's record factory, so every record of every logger is
redacted when it is made: werkzeug's and waitress's request lines, gunicorn's error log, our own
warnings that name a request path, and the text of a logged exception. One place, whichever
handler, formatter or server is configured later.

The one exception is the logger of `server.mail`: without an SMTP server (the embedded default)
an email is written to the log on purpose, so a person running Twitchlog on a laptop can still
open their reset link (§12). With `TWITCHLOG_SMTP_URL` set, no reset link is ever logged.
"""
from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
# Kept on purpose, the delivery channel of the embedded default (see the module's docstring).
EXEMPT_LOGGERS = ("server.mail",)
SECRETS = re.compile(
    r"(?P<keep>/s/)[^/?#\s\"'<>]+"  # the clinician page and everything under it
    r"|(?P<keep2>/reset[#?/](?:token=)?)[^\s\"'&<>]+"  # the reset link
    r"|(?P<keep3>password-reset/confirm\?)[^\s\"'<>]+"  # a confirmation sent in a query (never by our app)
    r"|(?P<keep4>\"(?:token|new_password|current_password|password)\"\s*:\s*\")(?:[^\"\\]|\\.)*"  # JSON bodies
    r"|(?P<keep5>[Bb]earer\s+)[A-Za-z0-9._~+/=-]+"
    r"|(?P<keep6>twitchlog_session=|__Host-twitchlog_session=)[^;\s\"']+",
)


def redact(text: str) -> str:
    """`text` with every token above replaced by [redacted] (the part that says what it was stays)."""
    if "/s/" not in text and "reset" not in text and "earer" not in text and "session=" not in text and "\"" not in text:
        return text  # the common case: nothing to look for
    return SECRETS.sub(lambda m: next(g for g in m.groups() if g is not None) + REDACTED, text)


def _redact_record(record: logging.LogRecord) -> None:
    if record.name.startswith(EXEMPT_LOGGERS):
        return
    try:
        message = record.getMessage()
    except Exception:  # a record whose arguments do not fit its message: the formatter will say so
        return
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)


class RedactingFilter(logging.Filter):
    """The same redaction as a filter, for handlers made outside this process's record factory
    (gunicorn's access log, say): `handler.addFilter(RedactingFilter())`."""

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


def install() -> None:
    """Redact every log record made from now on in this process (idempotent)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "twitchlog_redacts", False):
        return

    def redacting_factory(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        _redact_record(record)
        return record

    redacting_factory.twitchlog_redacts = True
    logging.setLogRecordFactory(redacting_factory)
