"""Every setting, read from the environment and typed once."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A setting is missing or wrong; start-up stops with this message."""


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _instance_secret(instance: Path, name: str) -> str:
    """Read a secret kept under instance/, making it on first use (embedded default only)."""
    path = instance / name
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def secret_setting(name: str, credential: str) -> str | None:
    """A secret setting, from the first of: the variable `name`; the file named by `name`_FILE;
    the file `credential` in systemd's $CREDENTIALS_DIRECTORY (LoadCredential=, see deploy/systemd).
    Files are read whole, without the trailing newline. :raise ConfigError: for a file that
    cannot be read (a wrong path must stop start-up, not run without the secret)."""
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if not path and os.environ.get("CREDENTIALS_DIRECTORY"):
        candidate = Path(os.environ["CREDENTIALS_DIRECTORY"]) / credential
        path = str(candidate) if candidate.is_file() else None
    if not path:
        return None
    try:
        return Path(path).read_text().rstrip("\r\n") or None
    except OSError as error:
        raise ConfigError(f"{name}_FILE points at {path}, which cannot be read: {error.strerror}") from None


def _push_hosts() -> tuple:
    from .push.endpoints import parse_hosts

    try:
        return parse_hosts(os.environ.get("TWITCHLOG_PUSH_HOSTS"))
    except ValueError as error:
        raise ConfigError(str(error)) from None


@dataclass
class Settings:
    env: str = "development"
    instance_path: Path = REPO_ROOT / "instance"
    database_url: str = ""
    secret_key: str = ""
    public_url: str | None = None
    pwa_dir: Path = REPO_ROOT / "pwa"
    vapid_private_key: str | None = None
    vapid_key_file: str | None = None
    vapid_subject: str = "mailto:admin@twitchlog.invalid"
    redis_url: str | None = None
    allow_local_push: bool = False
    push_hosts: tuple = ("fcm.googleapis.com", "push.services.mozilla.com", "notify.windows.com", "push.apple.com")
    push_test_limit: str = "5/hour"  # POST /push/test per user
    login_limit: str = "10/15 minutes"
    register_limit: str = "30/hour"
    login_address_limit: str = "50/hour"  # failed logins per address (IPv6: per /64), across emails
    login_account_limit: str = "20/hour"  # failed logins per account, across addresses
    reset_limit: str = "5/hour"  # password-reset emails asked per address and per email
    smtp_url: str | None = None  # smtp://user:pass@host:587 (STARTTLS), smtps://...:465, smtp://host:25
    mail_from: str = "Twitchlog <no-reply@twitchlog.invalid>"
    hash_concurrency: int = 2  # Argon2 hashes at once per process (64 MiB each)
    hash_wait_ms: int = 3000  # how long a request waits for a hashing slot before a 503
    share_limit: str = "60/minute"
    session_days: int = 30
    trusted_proxies: int = 0
    sqlite_busy_ms: int = 5000
    log_format: str = "text"  # "json": one JSON object per log line
    access_log: bool = True  # one log line per request (route template, status, duration, request id)
    metrics_token: str | None = None  # GET /metrics is 404 until this is set, then wants it as a bearer token
    sentry_dsn: str | None = None  # error reports to Sentry (the `sentry` extra), scrubbed of personal data
    extra: dict = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_environment(cls, instance_path: Path | None = None) -> "Settings":
        env = os.environ.get("TWITCHLOG_ENV", "development").strip().lower()
        if env == "testing":
            raise ConfigError("TWITCHLOG_ENV=testing is reserved for the test suite (it weakens password hashing).")
        instance = Path(os.environ.get("TWITCHLOG_INSTANCE_PATH", instance_path or REPO_ROOT / "instance"))
        secret = secret_setting("TWITCHLOG_SECRET_KEY", "secret_key")
        if not secret:
            if env == "production":
                raise ConfigError(
                    "TWITCHLOG_SECRET_KEY is not set. In production the secret must come from the "
                    "environment: generate one with `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
                )
            secret = _instance_secret(instance, "secret_key")
        database_url = secret_setting("DATABASE_URL", "database_url") or f"sqlite:///{instance / 'twitchlog.sqlite3'}"
        if database_url.startswith("postgres://"):
            database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
        elif database_url.startswith("postgresql://"):
            database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
        return cls(
            env=env,
            instance_path=instance,
            database_url=database_url,
            secret_key=secret,
            public_url=(os.environ.get("TWITCHLOG_PUBLIC_URL") or "").rstrip("/") or None,
            pwa_dir=Path(os.environ.get("TWITCHLOG_PWA_DIR", REPO_ROOT / "pwa")),
            vapid_private_key=secret_setting("TWITCHLOG_VAPID_PRIVATE_KEY", "vapid_private_key"),
            vapid_key_file=os.environ.get("TWITCHLOG_VAPID_KEY_FILE") or None,
            vapid_subject=os.environ.get("TWITCHLOG_VAPID_SUBJECT", "mailto:admin@twitchlog.invalid"),
            redis_url=secret_setting("REDIS_URL", "redis_url"),
            allow_local_push=_flag("TWITCHLOG_ALLOW_LOCAL_PUSH"),
            push_hosts=_push_hosts(),
            push_test_limit=os.environ.get("TWITCHLOG_PUSH_TEST_LIMIT", "5/hour"),
            login_limit=os.environ.get("TWITCHLOG_LOGIN_LIMIT", "10/15 minutes"),
            register_limit=os.environ.get("TWITCHLOG_REGISTER_LIMIT", "30/hour"),
            login_address_limit=os.environ.get("TWITCHLOG_LOGIN_ADDRESS_LIMIT", "50/hour"),
            login_account_limit=os.environ.get("TWITCHLOG_LOGIN_ACCOUNT_LIMIT", "20/hour"),
            reset_limit=os.environ.get("TWITCHLOG_RESET_LIMIT", "5/hour"),
            smtp_url=os.environ.get("TWITCHLOG_SMTP_URL") or None,
            mail_from=os.environ.get("TWITCHLOG_MAIL_FROM") or "Twitchlog <no-reply@twitchlog.invalid>",
            hash_concurrency=int(os.environ.get("TWITCHLOG_HASH_CONCURRENCY") or max(1, os.cpu_count() or 1)),
            hash_wait_ms=int(os.environ.get("TWITCHLOG_HASH_WAIT_MS", "3000")),
            share_limit=os.environ.get("TWITCHLOG_SHARE_LIMIT", "60/minute"),
            session_days=int(os.environ.get("TWITCHLOG_SESSION_DAYS", "30")),
            trusted_proxies=int(os.environ.get("TWITCHLOG_TRUSTED_PROXIES", "0")),
            sqlite_busy_ms=int(os.environ.get("TWITCHLOG_SQLITE_BUSY_MS", "5000")),
            log_format=os.environ.get("TWITCHLOG_LOG_FORMAT", "text").strip().lower(),
            access_log=_flag("TWITCHLOG_ACCESS_LOG", True),
            metrics_token=os.environ.get("TWITCHLOG_METRICS_TOKEN") or None,
            sentry_dsn=os.environ.get("SENTRY_DSN") or None,
        )

    def flask_config(self) -> dict:
        """The Flask and extension settings derived from these."""
        # No pool_pre_ping: it cost three round trips on every request. After a database restart
        # a stale pooled connection fails one request with a 503 and Retry-After (errors.py), and
        # SQLAlchemy then drops every connection of the pool made before the failure.
        engine_options: dict = {}
        if self.database_url.startswith("sqlite"):
            engine_options = {"connect_args": {"timeout": self.sqlite_busy_ms / 1000, "check_same_thread": False}}
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
            "MAX_CONTENT_LENGTH": 1_048_576,
            "API_TITLE": "Twitchlog",
            "API_VERSION": "v1",
            "OPENAPI_VERSION": "3.0.3",
            "OPENAPI_URL_PREFIX": "/api/v1",
            "OPENAPI_JSON_PATH": "openapi.json",
            "RATELIMIT_STORAGE_URI": self.redis_url or "memory://",
            "RATELIMIT_HEADERS_ENABLED": True,
            "RATELIMIT_HEADER_RETRY_AFTER_VALUE": "delta-seconds",
            "RATELIMIT_STRATEGY": "moving-window",
            "RATELIMIT_SWALLOW_ERRORS": True,
            "JSON_SORT_KEYS": False,
            "TWITCHLOG": self,
        }
