"""Server time of insights, the clinician PDF and the clinician page for a user with three years of data.

    .venv/bin/python benchmarks/insights_bench.py [--years 3] [--per-day 30] [--runs 15]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/insights_bench.py

The data (about 30 twitches a day with region and side, a check-in every day, a few symptoms) is
written through `server.sync.service.push` in batches of 1,000 mutations — the same path a sync
push takes, minus HTTP — so the rows look exactly like synced ones. Requests then go through the
whole Flask stack in-process (test client: routing, auth, schema, JSON or PDF), which is the
server time a reverse proxy would see, without network. DATABASE_URL picks the database (default:
a fresh SQLite file); a PostgreSQL URL gets a fresh database made beside it and dropped after.
Goals (issue 5): insights for 90 days < 150 ms and the full range < 500 ms; the PDF < 1.5 s.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, time as clock, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.databases import scratch_database  # noqa: E402

TIMEZONE = "Europe/Berlin"
PASSWORD = "benchmark password"
REGIONS = ["calf", "calf", "calf", "thigh", "eyelid", "foot", "hand", "upper_arm", None]
SIDES = ["left", "right", "both", None]


def build_app(database_url: str):
    from flask_migrate import upgrade

    from server import create_app
    from server.config import Settings

    settings = Settings(env="testing", instance_path=Path(tempfile.mkdtemp()), database_url=database_url,
                        secret_key="bench", share_limit="100000/minute", login_limit="1000/minute")
    app = create_app({"TWITCHLOG": settings, "TESTING": True})
    with app.app_context():
        upgrade(revision="heads")
    return app


def mutations_for(client_id: str, first: date, last: date, per_day: int, rng: random.Random):
    """Synced-looking mutations: twitches all day (more in the evening), a check-in every day."""
    from server.sync.entities import checkin_record_id

    zone = ZoneInfo(TIMEZONE)
    counter = 0

    def hlc() -> str:
        nonlocal counter
        counter += 1
        return f"2026-01-01T00:00:00.000Z-{counter % 65536:04x}-{client_id}"

    day = first
    while day <= last:
        stress = rng.randint(0, 10)
        count = max(0, int(rng.gauss(per_day + (stress - 5) * 2, 6)))
        for _ in range(count):
            hour = min(23, int(rng.triangular(6, 24, 21)))
            local = datetime.combine(day, clock(hour, rng.randrange(60), rng.randrange(60)), tzinfo=zone)
            fields = {"occurred_at": local.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")}
            region = rng.choice(REGIONS)
            if region:
                fields["body_region"] = region
                side = rng.choice(SIDES)
                if side:
                    fields["side"] = side
            fields["intensity"] = rng.randint(1, 5)
            yield {"hlc": hlc(), "entity": "twitch", "record_id": str(uuid.uuid4()), "op": "set", "fields": fields}
        yield {"hlc": hlc(), "entity": "checkin", "record_id": checkin_record_id(day), "op": "set", "fields": {
            "local_date": day.isoformat(), "stress": stress, "sleep_hours": round(rng.uniform(4, 9), 1),
            "sleep_quality": rng.randint(1, 5), "anxiety": rng.randint(0, 10), "fatigue": rng.randint(0, 10),
            "exertion": rng.randint(0, 10), "twitch_burden": rng.randint(0, 10), "hydration_l": round(rng.uniform(0.5, 3), 1),
            "electrolytes": rng.random() < 0.4, "magnesium_mg": rng.choice([0, 200, 400]), "caffeine_mg": rng.choice([0, 80, 160, 240]),
            "note": "slept badly" if rng.random() < 0.1 else None}}
        if rng.random() < 0.01:
            local = datetime.combine(day, clock(20), tzinfo=zone).astimezone(ZoneInfo("UTC"))
            yield {"hlc": hlc(), "entity": "symptom", "record_id": str(uuid.uuid4()), "op": "set", "fields": {
                "observed_at": local.strftime("%Y-%m-%dT%H:%M:%SZ"), "kind": rng.choice(["cramp", "fatigue", "numbness"])}}
        day += timedelta(days=1)


def load(app, years: int, per_day: int, seed: int) -> tuple[str, date, date, int]:
    from server.accounts.service import register
    from server.extensions import db
    from server.transactions import begin_write
    from server.sync import service as sync
    from server.sync.service import create_counter

    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    first = today - timedelta(days=365 * years)
    rng = random.Random(seed)
    with app.app_context():
        user = register(f"bench-{secrets.token_hex(3)}@example.org", PASSWORD, TIMEZONE)
        create_counter(user.id)
        db.session.commit()
        user_id, email = user.id, user.email
        client_id = str(uuid.uuid4())
        batch, next_id, written = [], 1, 0
        for mutation in mutations_for(client_id, first, today, per_day, rng):
            batch.append({"id": next_id, **mutation})
            next_id += 1
            if len(batch) == 1000:
                written += _push(sync, begin_write, db, user_id, client_id, batch)
                batch = []
        if batch:
            written += _push(sync, begin_write, db, user_id, client_id, batch)
    return email, first, today, written


def _push(sync, begin_write, db, user_id, client_id, batch) -> int:
    begin_write()
    result = sync.push(user_id, client_id, batch)
    db.session.commit()
    assert not result["rejected"], result["rejected"][:3]
    return len(batch)


def timed(client, path: str, runs: int, expect_type: str) -> dict:
    """Wall time, and this thread's CPU time (what the app itself spends when the machine is busy)."""
    walls, cpus = [], []
    for _ in range(runs + 1):
        wall, cpu = time.perf_counter(), time.thread_time()
        response = client.get(path)
        cpus.append((time.thread_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.get_data()[:200])
        assert response.mimetype == expect_type
    walls, cpus = walls[1:], cpus[1:]  # the first run warms caches and imports
    return {"median_ms": round(statistics.median(walls), 1), "p95_ms": round(sorted(walls)[int(len(walls) * 0.95) - 1], 1),
            "min_ms": round(min(walls), 1), "cpu_median_ms": round(statistics.median(cpus), 1), "bytes": len(response.get_data())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--per-day", type=int, default=30)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    database_url, drop = scratch_database("insights_bench")
    try:
        app = build_app(database_url)
        started = time.perf_counter()
        email, first, last, written = load(app, args.years, args.per_day, args.seed)
        load_s = time.perf_counter() - started
        with app.app_context():
            from server.extensions import db
            from server.sync.models import Checkin, Twitch

            twitches = db.session.scalar(sa.select(sa.func.count()).select_from(Twitch))
            checkins = db.session.scalar(sa.select(sa.func.count()).select_from(Checkin))
        client = app.test_client()
        assert client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).status_code == 200
        share = client.post("/api/v1/shares", json={"kind": "link", "scopes": ["summary", "checkins", "symptoms", "events"]},
                            headers={"Origin": "http://localhost"}).get_json()
        recent = (last - timedelta(days=89)).isoformat()
        period = {
            "90 days": f"from={recent}&to={last.isoformat()}",
            "full range": f"from={first.isoformat()}&to={last.isoformat()}",
        }
        results = {
            "database": sa.make_url(database_url).get_backend_name(),
            "twitches": twitches, "checkins": checkins, "days": (last - first).days + 1,
            "load_seconds": round(load_s, 1), "mutations": written, "timings": {},
        }
        for name, query in period.items():
            results["timings"][f"insights, {name}"] = timed(client, f"/api/v1/insights?{query}", args.runs, "application/json")
        for name, query in period.items():
            results["timings"][f"clinician PDF, {name}"] = timed(client, f"/api/v1/reports/clinician.pdf?{query}", max(3, args.runs // 3), "application/pdf")
        results["timings"]["clinician page, 90 days (events too)"] = timed(client, f"{share['url']}?{period['90 days']}", max(3, args.runs // 3), "text/html")
        print(json.dumps(results, indent=2))
        print(f"\n{results['database']}: {twitches:,} twitches, {checkins:,} check-ins over {results['days']:,} days "
              f"(loaded through sync.service.push in {load_s:.1f} s)")
        for name, timing in results["timings"].items():
            print(f"  {name:<40} median {timing['median_ms']:>7.1f} ms   p95 {timing['p95_ms']:>7.1f} ms   "
                  f"min {timing['min_ms']:>7.1f} ms   app CPU {timing['cpu_median_ms']:>7.1f} ms")
        print(f"  (load average during the run: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs)")
        with app.app_context():
            from server.extensions import db

            db.session.remove()
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
