"""Request guards and response headers every route shares.

- A state-changing request from a foreign Origin is refused (403); a cookie-authenticated one
  must prove it is same-origin (Origin or Sec-Fetch-Site). Bearer-token requests are exempt: they
  carry no ambient credential.
- A body must be JSON (415 otherwise) that parses (400 otherwise), checked once here before any
  view, schema or rate-limit key reads it.
- Responses carry a strict CSP (no inline script), and API answers are never cached.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest

from .accounts.auth import has_session_cookie
from .errors import envelope

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# path -> body limit in bytes, for the few routes whose body is a file rather than JSON (imports)
RAW_BODY_ROUTES: dict[str, int] = {}
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def own_origin() -> str:
    public = current_app.config["TWITCHLOG"].public_url
    if public:
        scheme, _, rest = public.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}".lower()
    return f"{request.scheme}://{request.host}".lower()


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def guard_request():
    # No route, id or token holds a NUL, and PostgreSQL refuses one in any text it is sent (a 500).
    if "\x00" in request.path:
        return envelope(404)
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        return envelope(400, "The query string may not contain NUL characters.")
    if request.method not in WRITES:
        return None
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        pass  # no ambient credential: no cross-site risk
    else:
        origin = request.headers.get("Origin")
        if origin is not None and origin.rstrip("/").lower() != own_origin():
            return envelope(403, "Requests from other sites are not allowed.")
        if origin is None and has_session_cookie() and request.headers.get("Sec-Fetch-Site") != "same-origin":
            return envelope(403, "This request did not show it came from Twitchlog itself (no Origin header).")
    if _has_body() and request.path.startswith("/api/"):
        raw_limit = RAW_BODY_ROUTES.get(request.path)
        if raw_limit is not None:  # a route that takes a file: it reads and checks the body itself
            request.max_content_length = raw_limit
            return None
        if request.mimetype != "application/json":
            return envelope(415)
        return _parse_json_body()
    return None


def _parse_json_body():
    """Parse the body once (Flask caches it); answer 400 here for anything json.loads chokes on."""
    if _chunked_body_too_large():
        return envelope(413)
    try:
        request.get_json(cache=True)
    except BadRequest:  # broken JSON, bad UTF-8, an integer of more than 4,300 digits
        return envelope(400, "The body is not valid JSON: check its syntax and that it is UTF-8.")
    except RecursionError:
        return envelope(400, "The body is not valid JSON: it is nested too deeply.")
    return None


def _chunked_body_too_large() -> bool:
    """Werkzeug ends a body without Content-Length quietly at the limit; one more byte tells if there was more."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if request.content_length is not None or not limit or len(request.get_data(cache=True)) < limit:
        return False
    return bool(request.environ["wsgi.input"].read(1))


SECURITY_HEADERS = [
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
]


def add_headers(response):
    headers = response.headers
    if "Content-Security-Policy" not in headers:  # a view that sets its own policy sets all of these
        headers.extend(SECURITY_HEADERS)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    path = request.path
    if path.startswith(("/api/", "/s/")):
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    # First of all hooks: the rate limiter's key function reads the body this guard has vetted.
    app.before_request_funcs.setdefault(None, []).insert(0, guard_request)
    app.after_request(add_headers)
