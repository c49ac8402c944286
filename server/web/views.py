"""The installable app: every file under pwa/ at the same path from the site root.

In production the reverse proxy serves these files itself; this keeps the laptop install and the
tests to one process. The service worker and the manifest are never cached by HTTP, so an
update is always seen; everything else is revalidated (the worker's precache does the rest).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, send_from_directory

blp = Blueprint("web", __name__)
NO_CACHE = {"sw.js", "manifest.webmanifest", "index.html"}


def _serve(path: str):
    root = current_app.config["TWITCHLOG"].pwa_dir
    if not root.is_dir():
        abort(404)
    response = send_from_directory(root, path, max_age=0)
    response.headers["Cache-Control"] = "no-cache" if path in NO_CACHE or path.endswith(".html") else "public, max-age=0, must-revalidate"
    if path == "sw.js":
        response.headers["Service-Worker-Allowed"] = "/"
    return response


@blp.route("/")
def index():
    return _serve("index.html")


@blp.route("/<path:path>")
def asset(path: str):
    if path.startswith("api/"):
        abort(404)
    return _serve(path)
