"""Imports of a 20,000-row export from each source: rows per second, and what others wait meanwhile.

    .venv/bin/python benchmarks/import_bench.py [--rows 20000]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/import_bench.py

Each file is made in the source's own format (Daylio: BOM, newest first, 12/24-hour times and
` | ` lists; Bearable: long, quoted, times of day and severities; Visible: long, padded, NA) over
about three years. It is sent over real HTTP to the app served on 127.0.0.1 (werkzeug's threaded
server in this process): first as a preview (dry_run: read, parse, map), then imported (the same
plus the writes through the sync push), then sent again (nothing added). Baseline in the same
run: the stdlib csv reader alone over the same bytes, so the ratio says what parsing, mapping and
writing cost on top of reading. While each import runs, a second person pushes one twitch every
20 ms: the slowest of those pushes shows how long an import holds others up, and on SQLite the
longest write-lock hold of the import's batches (server/transactions.py's lock observers) says the
same without the client's noise. The machine is shared: the process's CPU seconds and the load
average are printed beside the wall-clock figures, and rows per CPU-second is the figure that the
other load does not move.
Goal (issue 14): more than 2,000 rows/s, and a year of data (~20,000 rows) in under 10 s.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.databases import scratch_database  # noqa: E402

START = date(2022, 1, 1)
MOODS = ["rad", "good", "meh", "bad", "awful"]
ACTIVITIES = ["twitching", "coffee", "walk", "work", "friends", "magnesium", "water", "reading", "muscle cramps", "stress"]


def daylio_file(rows: int, rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["full_date", "date", "weekday", "time", "mood", "activities", "note_title", "note"])
    per_day = 18
    for index in reversed(range(rows)):  # newest first
        day = START + timedelta(days=index // per_day)
        minute = (index % per_day) * 50 + rng.randrange(30)
        hour = minute // 60 % 24
        clock = f"{hour % 12 or 12}:{minute % 60:02d} {'pm' if hour >= 12 else 'am'}" if index % 2 else f"{hour}:{minute % 60:02d}"
        writer.writerow([day.isoformat(), f"{day.day} września", "czwartek", clock, rng.choice(MOODS),
                         " | ".join(rng.sample(ACTIVITIES, 3)), "", "calves again, rested" if index % 7 == 0 else ""])
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def bearable_file(rows: int, rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(["date", "weekday", "time of day", "category", "rating/amount", "detail", "notes"])
    slots = ["pre", "am", "mid", "pm", "all day", "03:00", "3:04"]
    for index in range(rows):
        day = START + timedelta(days=index // 18)
        suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(day.day, "th")
        kind = index % 6
        if kind == 0:
            row = ("Symptom", "", "Muscle twitching (Moderate) | Headache (Mild)")
        elif kind == 1:
            row = ("Meds/Supplements", "300", "Magnesium (mg)")
        elif kind == 2:
            row = ("Factors", "", "Caffeine | Walk | Stress")
        elif kind == 3:
            row = ("Sleep", f"{rng.uniform(5, 9):.1f}", "")
        elif kind == 4:
            row = ("Mood", str(rng.randrange(1, 11)), "Calm | Tired")
        else:
            row = ("Symptom", "", "Fatigue (Severe) | Muscle cramps (Mild)")
        writer.writerow([f"{day.day}{suffix} {day.strftime('%b %Y')}", day.strftime("%A"), rng.choice(slots), *row,
                         "after work" if index % 9 == 0 else ""])
    return out.getvalue().encode()


def visible_file(rows: int, rng: random.Random) -> bytes:
    lines = ["observation_date ,tracker_name ,tracker_category ,observation_value "]
    trackers = [("Sleep", "Sleep"), ("Crash", "Health"), ("PacePoints", "Health"), ("Resting HR", "Measurement"),
                ("Muscle twitching", "Symptom"), ("Fatigue", "Symptom"), ("Headache", "Symptom"), ("Note", "Note")]
    for index in range(rows):
        day = START + timedelta(days=index // len(trackers))
        name, category = trackers[index % len(trackers)]
        value = {"Sleep": f"{rng.uniform(5, 9):.2f}", "Crash": str(rng.randrange(2)), "PacePoints": str(rng.randrange(30)),
                 "Resting HR": str(rng.randrange(55, 90)), "Note": "rested after lunch"}.get(name, str(rng.randrange(4)))
        if index % 11 == 0:
            value = "NA"
        lines.append(f"{day.isoformat()} ,{name} ,{category} ,{value} ")
    return ("\n".join(lines) + "\n").encode()


MAKERS = {"daylio": daylio_file, "bearable": bearable_file, "visible": visible_file}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from server import create_app
    from server.config import Settings
    from server.extensions import db
    from tests.support.api import ApiClient, LiveServer

    database_url, drop = scratch_database("import_bench")
    settings = Settings(env="testing", instance_path=Path(tempfile.mkdtemp()), database_url=database_url,
                        secret_key=secrets.token_urlsafe(32), register_limit="1000/hour", login_limit="1000/minute")
    app = create_app({"TWITCHLOG": settings, "TESTING": True})
    with app.app_context():
        upgrade(revision="heads")
    server = LiveServer(app)
    try:
        from server.transactions import lock_observers
    except ImportError:
        lock_observers = None
    print(f"database: {database_url.split('://')[0]}; {args.rows:,} rows a file")
    rng = random.Random(14)
    try:
        for source, make in MAKERS.items():
            body = make(args.rows, rng)
            person, other = ApiClient(server.url), ApiClient(server.url)
            person.register(timezone="Europe/Warsaw")
            other.register(timezone="Europe/Warsaw")

            started = time.perf_counter()
            read = sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8-sig"))))
            baseline = time.perf_counter() - started

            def post(dry_run: bool):
                started = time.perf_counter()
                answer = person.post(f"/api/v1/imports?source={source}" + ("&dry_run=1" if dry_run else ""),
                                     data=body, headers={"Content-Type": "text/csv"}, timeout=120)
                assert answer.status_code in (200, 201), answer.text[:500]
                return time.perf_counter() - started, answer.json()

            holds = []
            observe = (lambda label, *times: holds.append((times[-1], label)))  # (label, [waited,] held)
            if lock_observers is not None:
                lock_observers.append(observe)
            preview_s, preview = post(True)
            waits, stop = [], threading.Event()

            def other_person_logs():
                while not stop.is_set():
                    t0 = time.perf_counter()
                    result = other.push([other.mutation("twitch", str(uuid.uuid4()), {"occurred_at": "2026-11-25T19:42:10Z"})])
                    assert result["rejected"] == []
                    waits.append(time.perf_counter() - t0)
                    stop.wait(0.02)

            beside = threading.Thread(target=other_person_logs)
            beside.start()
            holds.clear()
            cpu = time.process_time()
            import_s, imported = post(False)
            import_cpu = time.process_time() - cpu
            import_holds = [held for held, label in holds if "import" in label]
            stop.set()
            beside.join()
            if lock_observers is not None:
                lock_observers.remove(observe)
            again_s, again = post(False)
            assert sum(again["records"].values()) == 0, again["records"]
            rows = imported["rows"]
            print(f"{source:9s} rows {rows:6,} records {sum(imported['records'].values()):6,} | "
                  f"preview {preview_s:5.2f} s ({rows / preview_s:7,.0f} rows/s) | "
                  f"import {import_s:5.2f} s ({rows / import_s:7,.0f} rows/s, goal > 2,000) | "
                  f"again {again_s:5.2f} s | csv reader alone {baseline * 1000:4.0f} ms "
                  f"(import / csv = {import_s / baseline:4.0f}x) | other person's pushes meanwhile: "
                  f"{len(waits)}, median {statistics.median(waits) * 1000:.0f} ms, max {max(waits) * 1000:.0f} ms "
                  f"| skipped {len(imported['skipped'])}, read {read - 1:,}")
            print(f"{'':9s} import CPU {import_cpu:5.2f} s ({rows / import_cpu:7,.0f} rows per CPU-second, whole process)"
                  + (f" | write-lock holds of the import: {len(import_holds)}, longest {max(import_holds) * 1000:.0f} ms"
                     if import_holds else "") + f" | load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()
        drop()


if __name__ == "__main__":
    main()
