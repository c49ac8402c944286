"""Twitchlog: the sync, push and sharing service behind the installable app."""
from __future__ import annotations

from inspect import CO_COROUTINE
from types import FunctionType

from flask import Flask

from . import redaction
from .config import Settings
from .observability.logs import configure as configure_logging


class TwitchlogFlask(Flask):
    def ensure_sync(self, func):
        """As Flask's, but a plain `def` function (every hook and view here) is known at a glance:
        Flask asked inspect about each of them on every request, 13 times a sync push."""
        if type(func) is FunctionType and not func.__code__.co_flags & CO_COROUTINE and not hasattr(func, "_is_coroutine_marker"):
            return func
        return super().ensure_sync(func)


def create_app(config: dict | None = None) -> Flask:
    """Build the app from the environment; `config` overrides Flask settings (tests)."""
    settings = (config or {}).get("TWITCHLOG") or Settings.from_environment()
    app = TwitchlogFlask(__name__, instance_path=str(settings.instance_path), static_folder=None)
    app.config.update(settings.flask_config())
    app.config.update(config or {})
    settings = app.config["TWITCHLOG"]
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # behind nginx: take scheme, host and client address from its X-Forwarded-* headers
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        settings.instance_path.mkdir(parents=True, exist_ok=True)
    configure_logging(settings.log_format)  # first, so every line is in the chosen format (JSON or text)
    redaction.install()  # share, reset and bearer tokens never reach a log (§12)

    from . import errors, observability, security, transactions
    from .accounts.auth import ServerSideSessionsOnly
    from .extensions import api, bind_sqlite_pragmas, db, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db)
    limiter.init_app(app)
    api.init_app(app)
    api.spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "twitchlog_session"})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    with app.app_context():
        if bind_sqlite_pragmas(app):
            transactions.install(app, db.engine)  # the SQLite write rule (server/transactions.py)

    from .accounts.views import blp as accounts
    from .export.views import blp as export
    from .health.views import blp as health
    from .imports.views import blp as imports
    from .insights.views import blp as insights
    from .push.views import blp as push
    from .reports.views import blp as reports
    from .sharing.views import blp as sharing
    from .sharing.views import clinician
    from .sync.views import blp as sync
    from .web.views import blp as web

    for blueprint in (accounts, sync, export, insights, sharing, reports, push, imports):
        api.register_blueprint(blueprint)
    # outside the API document: health checks, the clinician page, and last the PWA's catch-all
    for blueprint in (health, clinician, web):
        app.register_blueprint(blueprint)

    app.session_interface = ServerSideSessionsOnly()
    errors.register_error_handlers(app)
    security.init_app(app)
    observability.init_app(app)  # after security: its request id is taken before the guards run
    return app
