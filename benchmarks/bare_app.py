"""The baseline for benchmarks/sync_bench.py: one JSON route and nothing else, served by the same
gunicorn settings as the app, so sync throughput can be given as a share of what Flask itself does.
"""
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/api/v1/bare")
def bare():
    body = request.get_json()
    return jsonify({"ok": True, "size": len(body or {})})
