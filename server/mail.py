"""Email through SMTP (the standard library's smtplib), or into the log when no server is set.

`TWITCHLOG_SMTP_URL`:
- `smtp://user:pass@host:587`: STARTTLS, then login. A plain `smtp://` URL with a user also
  insists on STARTTLS: a password never crosses the network in clear.
- `smtps://user:pass@host:465`: TLS from the first byte.
- `smtp://host:25`: a local relay, no TLS and no login.
Without it (the embedded default) the whole message is written to the log, so a person running
Twitchlog on a laptop can still reset a password. That log line is the only one that carries a
reset link.

Messages are sent by one background thread per process, outside any request and any database
transaction: a slow or unreachable mail server never holds a request, a lock or a connection, and
the answer to "reset my password" takes the same time whether or not an email goes out.
"""
from __future__ import annotations

import logging
import queue
import smtplib
import ssl
import threading
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)
TIMEOUT_S = 30


class MailSettingError(ValueError):
    """TWITCHLOG_SMTP_URL is not one of the forms above."""


def parse_smtp_url(url: str) -> dict:
    """:raise MailSettingError: for a scheme other than smtp/smtps or a URL without a host."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise MailSettingError("TWITCHLOG_SMTP_URL must look like smtp://user:pass@host:587, smtps://user:pass@host:465 or smtp://host:25")
    implicit_tls = parts.scheme == "smtps"
    port = parts.port or (465 if implicit_tls else 25)
    user = unquote(parts.username) if parts.username else None
    return {
        "host": parts.hostname,
        "port": port,
        "user": user,
        "password": unquote(parts.password) if parts.password else "",
        "implicit_tls": implicit_tls,
        "starttls": not implicit_tls and (port == 587 or user is not None),
    }


def compose(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def deliver(smtp_url: str | None, message: EmailMessage) -> None:
    """Send now (blocking). Without an SMTP URL, write the message to the log instead."""
    if not smtp_url:
        log.warning("No TWITCHLOG_SMTP_URL set, so this email was not sent; it is shown here instead.\n"
                    "To: %s\nSubject: %s\n\n%s", message["To"], message["Subject"], message.get_content())
        return
    server = parse_smtp_url(smtp_url)
    context = ssl.create_default_context()
    if server["implicit_tls"]:
        connection = smtplib.SMTP_SSL(server["host"], server["port"], timeout=TIMEOUT_S, context=context)
    else:
        connection = smtplib.SMTP(server["host"], server["port"], timeout=TIMEOUT_S)
    with connection:
        connection.ehlo()
        if server["starttls"]:
            connection.starttls(context=context)
            connection.ehlo()
        if server["user"]:
            connection.login(server["user"], server["password"])
        connection.send_message(message)


class _Courier:
    """One daemon thread per process that delivers queued messages in order."""

    def __init__(self):
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def post(self, smtp_url: str | None, message: EmailMessage) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="mail-courier", daemon=True)
                self._thread.start()
        self._queue.put((smtp_url, message))

    def _run(self) -> None:
        while True:
            smtp_url, message = self._queue.get()
            try:
                deliver(smtp_url, message)
            except (OSError, smtplib.SMTPException, MailSettingError) as error:
                # Never the message itself here: it may hold a reset link.
                domain = str(message["To"]).rpartition("@")[2]
                log.error("could not send an email to an address at %s: %s: %s", domain, type(error).__name__, error)
            finally:
                self._queue.task_done()

    def wait_until_sent(self) -> None:
        """Block until every queued message was handed over (or failed); for tests and shutdown."""
        self._queue.join()


courier = _Courier()


def send_later(smtp_url: str | None, message: EmailMessage) -> None:
    """Queue a message for the courier thread; returns at once."""
    courier.post(smtp_url, message)
