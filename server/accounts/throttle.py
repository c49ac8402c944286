"""Budgets for guessing passwords and asking for reset emails, kept in the rate-limit storage.

Failed password checks (login, making a token, changing the password, deleting the account) are
counted three ways (§4, §12): per address and email (`TWITCHLOG_LOGIN_LIMIT`), per address across
every email (`TWITCHLOG_LOGIN_ADDRESS_LIMIT`) and per account across every address
(`TWITCHLOG_LOGIN_ACCOUNT_LIMIT`). Reset emails are counted per address and per email, whether or
not an account exists (`TWITCHLOG_RESET_LIMIT`). An IPv6 address counts as its /64: one host
usually holds the whole prefix.

While the storage (Redis in production) cannot be reached, these budgets FAIL CLOSED: the request
gets a 503 with Retry-After instead of an unlimited number of guesses or emails. Signing in with a
live session, syncing and every other endpoint keep working; only the password and reset paths
wait for Redis to come back. (The registration and sharing limits of Flask-Limiter stay fail-open:
they guard no secret.)
"""
from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from dataclasses import dataclass

from flask import current_app, request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from ..errors import ApiError

log = logging.getLogger(__name__)
_lock = threading.Lock()
PREFIX = "twitchlog"


class TooManyAttempts(ApiError):
    status = 429

    def __init__(self, retry_after: int, message: str | None = None):
        super().__init__(message)
        self.headers = [("Retry-After", str(retry_after))]


class LimitsUnavailable(ApiError):
    """The counting storage is down: refuse rather than let guesses through unlimited."""

    status = 503

    def __init__(self):
        super().__init__("Signing in with a password is paused for a moment while the server recovers. Try again shortly.")
        self.headers = [("Retry-After", "30")]


def client_group(address: str | None = None) -> str:
    """The client address as counted: IPv4 as is, IPv6 by its /64 (IPv4-mapped IPv6 as the IPv4)."""
    address = request.remote_addr if address is None else address
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass(frozen=True)
class Budget:
    limit: str  # Flask-Limiter notation, e.g. "10/15 minutes"
    keys: tuple[str, ...]


def _strategy() -> MovingWindowRateLimiter:
    """One storage per app (tests run several apps in a process), made on first use."""
    extensions = current_app.extensions
    if "account_throttle" not in extensions:
        with _lock:
            if "account_throttle" not in extensions:
                uri = current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
                options = {"socket_connect_timeout": 1, "socket_timeout": 1} if uri.startswith(("redis", "rediss")) else {}
                extensions["account_throttle"] = MovingWindowRateLimiter(storage_from_string(uri, **options))
    return extensions["account_throttle"]


def _call(work):
    try:
        return work()
    except ApiError:
        raise
    except Exception as error:  # redis.ConnectionError, TimeoutError, ... : whatever the storage raises
        log.warning("rate-limit storage unavailable (%s); password and reset paths refuse until it is back", type(error).__name__)
        raise LimitsUnavailable() from error


def check(*budgets: Budget) -> None:
    """:raise 429: when any budget is spent (Retry-After: when its oldest count leaves the window)."""
    def work():
        strategy = _strategy()
        waits = []
        for budget in budgets:
            item = parse(budget.limit)
            stats = strategy.get_window_stats(item, PREFIX, *budget.keys)
            if stats.remaining <= 0:
                waits.append(max(1, math.ceil(stats.reset_time - time.time())))
        if waits:
            raise TooManyAttempts(max(waits))
    _call(work)


def spend(*budgets: Budget) -> None:
    """Count one attempt against every budget."""
    def work():
        strategy = _strategy()
        for budget in budgets:
            strategy.hit(parse(budget.limit), PREFIX, *budget.keys)
    _call(work)


def _settings():
    return current_app.config["TWITCHLOG"]


def password_budgets(email: str) -> tuple[Budget, ...]:
    """The three budgets a failed password check spends (email lower-cased, however written)."""
    settings, group, email = _settings(), client_group(), email.strip().lower()[:254]
    return (
        Budget(settings.login_limit, ("login", group, email)),
        Budget(settings.login_address_limit, ("login-address", group)),
        Budget(settings.login_account_limit, ("login-account", email)),
    )


def passkey_budgets() -> tuple[Budget, ...]:
    """A passkey that fails to verify spends the address's budget (no account is named)."""
    return (Budget(_settings().login_address_limit, ("login-address", client_group())),)


def reset_budgets(email: str) -> tuple[Budget, ...]:
    settings = _settings()
    return (
        Budget(settings.reset_limit, ("reset-address", client_group())),
        Budget(settings.reset_limit, ("reset-email", email.strip().lower()[:254])),
    )


class guarded:
    """`with guarded(budgets):` refuses a spent budget first, and counts a failure (401 or 403) on the way out."""

    def __init__(self, budgets: tuple[Budget, ...]):
        self.budgets = budgets

    def __enter__(self):
        check(*self.budgets)
        return self

    def __exit__(self, kind, error, _traceback):
        if isinstance(error, ApiError) and error.status in (401, 403):
            spend(*self.budgets)
        return False
