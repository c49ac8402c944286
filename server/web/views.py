"""The installable app: every file under pwa/ at the same path from the site root.

In production the reverse proxy serves these files itself; this keeps the laptop install and the
tests to one process, with the same cache headers: icons are immutable for a year, everything else
is revalidated (`no-cache`), so an update is always seen (the worker's precache does the rest).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, send_from_directory

blp = Blueprint("web", __name__)


def _serve(path: str):
    root = current_app.config["TWITCHLOG"].pwa_dir
    if not root.is_dir():
        abort(404)
    response = send_from_directory(root, path, max_age=0)
    # As nginx gives them in production (deploy/nginx/twitchlog.conf): icons never change under
    # one name; everything else keeps its name across releases and is revalidated by ETag.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if path.startswith("icons/") else "no-cache"
    if path == "sw.js":
        response.headers["Service-Worker-Allowed"] = "/"
    return response


@blp.route("/")
def index():
    return _serve("index.html")


@blp.route("/reset")
def reset_password():
    """The app's reset screen (/reset#<token>): the token stays in the fragment, never sent here."""
    return _serve("index.html")


@blp.route("/<path:path>")
def asset(path: str):
    if path.startswith("api/"):
        abort(404)
    return _serve(path)
