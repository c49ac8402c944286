"""The floor for benchmarks/sync_bench.py on PostgreSQL: the database work a correct single
push cannot do without, and nothing else.

One route, no validation, no SQLAlchemy, no marshmallow: the cookie's SHA-256 looked up, the
user's counter claimed (the row lock that orders a user's pushes), the client's mark read after
the lock, the records the batch touches read, the mark and the new record written, COMMIT: the
round trips of server.sync.service.push, sent straight through psycopg on one connection per
thread. Its throughput against the bare endpoint's is the best share any push on this schema
could reach with these gunicorn settings on this machine; the app's own share is measured
against it. Not a way to run Twitchlog: it checks nothing.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from datetime import datetime, timezone

import psycopg
from flask import Flask, abort, jsonify, request

app = Flask(__name__)
_local = threading.local()
DSN = os.environ.get("DATABASE_URL", "").replace("postgresql+psycopg://", "postgresql://", 1)


def connection() -> psycopg.Connection:
    if getattr(_local, "connection", None) is None:
        _local.connection = psycopg.connect(DSN)
    return _local.connection


@app.post("/api/v1/sync/push")
def push():
    secret = request.cookies.get("twitchlog_session", "")
    body = request.get_json()
    now = datetime.now(timezone.utc)
    db = connection()
    with db.transaction():
        session = db.execute("SELECT user_id FROM login_sessions WHERE token_hash = %s AND expires_at > %s",
                             (hashlib.sha256(secret.encode()).hexdigest(), now)).fetchone()
        if session is None:
            abort(401)
        user_id, client_id = session[0], body["client_id"]
        version = db.execute("UPDATE change_counters SET version = version + 1 WHERE user_id = %s RETURNING version",
                             (user_id,)).fetchone()[0]
        mark = db.execute("SELECT last_mutation_id FROM sync_clients WHERE user_id = %s AND client_id = %s",
                          (user_id, client_id)).fetchone()
        mutations = body["mutations"]
        ids = [m["record_id"] for m in mutations]
        db.execute("SELECT * FROM twitches WHERE user_id = %s AND record_id = ANY(%s)", (user_id, ids)).fetchall()
        last = mutations[-1]["id"]
        if mark is None:
            db.execute("INSERT INTO sync_clients (user_id, client_id, last_mutation_id, created_at, updated_at) "
                       "VALUES (%s, %s, %s, %s, %s)", (user_id, client_id, last, now, now))
        else:
            db.execute("UPDATE sync_clients SET last_mutation_id = %s, updated_at = %s WHERE user_id = %s AND client_id = %s",
                       (last, now, user_id, client_id))
        db.cursor().executemany(
            "INSERT INTO twitches (user_id, record_id, occurred_at, body_region, side, intensity, version, deleted, field_hlc, "
            "created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, false, %s, %s, %s)",
            [(user_id, m["record_id"], m["fields"]["occurred_at"], m["fields"]["body_region"], m["fields"]["side"],
              m["fields"]["intensity"], version, json.dumps(dict.fromkeys(m["fields"], m["hlc"])), now, now) for m in mutations])
    return jsonify({"last_mutation_id": last, "rejected": [], "server_time": now.isoformat()})
