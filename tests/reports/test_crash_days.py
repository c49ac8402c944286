"""Crash days (§13) counted for the clinician report, trend-like: the last 14 dates and the 14 before."""
from __future__ import annotations

from datetime import date, timedelta

from server.reports.crashes import crash_days
from tests.insights.records import Planter


def test_crash_days_count_the_two_halves_and_only_answered_check_ins(app, make_user):
    api = make_user()
    plant = Planter(api)
    last = date(2026, 9, 28)
    answers = {}
    for i in range(32):  # the first four dates are before the 28 and must not count
        answers[last - timedelta(days=31 - i)] = None if i % 5 == 4 else i % 3 == 0
    for day, crash in answers.items():
        plant.checkin(day, stress=2) if crash is None else plant.checkin(day, crash=crash)
    plant.push()
    changed = last - timedelta(days=1)  # the same date's check-in edited later: the last answer counts
    answers[changed] = not answers[changed] if answers[changed] is not None else True
    plant.checkin(changed, crash=answers[changed])
    plant.push()

    def expected(start: date) -> dict:
        half = [answers[start + timedelta(days=k)] for k in range(14)]
        return {"from": start.isoformat(), "to": (start + timedelta(days=13)).isoformat(),
                "crash_days": sum(1 for a in half if a), "answered": sum(1 for a in half if a is not None)}

    with app.app_context():
        result = crash_days(api.user["id"], last)
    assert result == {"recent": expected(date(2026, 9, 15)), "before": expected(date(2026, 9, 1))}
    assert result["recent"]["crash_days"] > 0 and result["before"]["crash_days"] > 0
    assert result["recent"]["answered"] < 14


def test_crash_is_an_optional_bool_on_check_ins(user):
    from server.sync.entities import checkin_record_id

    good = user.push([user.mutation("checkin", checkin_record_id("2026-09-01"), {"local_date": "2026-09-01", "crash": True})])
    assert good["rejected"] == []
    bad = user.push([user.mutation("checkin", checkin_record_id("2026-09-02"), {"local_date": "2026-09-02", "crash": "yes"})])
    assert bad["rejected"][0]["code"] == "invalid"
    csv_text = user.get("/api/v1/export?format=csv&entity=checkin").text
    header = csv_text.splitlines()[0].split(",")
    assert "crash" in header and header.index("crash") == header.index("caffeine_mg") + 1
    assert csv_text.splitlines()[1].split(",")[header.index("crash")] == "true"
