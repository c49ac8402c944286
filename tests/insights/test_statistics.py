"""§13 statistics against SciPy: known answers on generated data, through the real API.

The server computes Spearman, Mann-Whitney and Benjamini-Hochberg in plain Python (SciPy's array
set-up cost +80 % on the 90-day benchmark); every expected number here comes from `scipy.stats`.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st
from scipy.stats import false_discovery_control, mannwhitneyu, spearmanr

from server.insights.service import FACTORS, LAGS, _factors
from server.insights.stats import benjamini_hochberg, mann_whitney_p, spearman
from tests.insights.records import Planter, at_local, days, insights

BERLIN = ZoneInfo("Europe/Berlin")


# --- the plain-Python statistics equal SciPy's on random inputs ----------------------------------

small_ints = st.integers(0, 6)  # few distinct values: many ties, like scales and daily counts


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(small_ints, st.one_of(small_ints, st.floats(0, 24, allow_nan=False))), min_size=3, max_size=120))
def test_spearman_equals_scipy(pairs):
    xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    ours = spearman(xs, ys)
    if len(set(xs)) < 2 or len(set(ys)) < 2:
        assert ours is None
        return
    expected = spearmanr(xs, ys)
    rho, p = ours
    assert rho == pytest.approx(float(expected.statistic), abs=1e-12)
    assert p == pytest.approx(float(expected.pvalue), abs=1e-12)
    assert round(rho, 3) == round(float(expected.statistic), 3)
    assert round(p, 4) == round(float(expected.pvalue), 4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=30), st.lists(st.integers(0, 40), min_size=1, max_size=30))
def test_mann_whitney_equals_scipy(xs, ys):
    expected = float(mannwhitneyu(xs, ys, use_continuity=True, alternative="two-sided", method="asymptotic").pvalue)
    assert mann_whitney_p(xs, ys) == pytest.approx(expected, abs=1e-12)
    assert round(mann_whitney_p(xs, ys), 4) == round(expected, 4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=40))
def test_benjamini_hochberg_equals_scipy(ps):
    expected = [float(q) for q in false_discovery_control(ps, method="bh")]
    assert benjamini_hochberg(ps) == pytest.approx(expected, abs=1e-12)


# --- known answers through the API --------------------------------------------------------------

def expected_factors(daily: dict[date, int], checkins: dict[date, dict], first: date, last: date) -> dict:
    """The §13 factors document computed with SciPy from the planted data."""
    result, entries = {}, []
    for name in FACTORS:
        result[name] = {}
        for key, lag in LAGS:
            xs, ys = [], []
            day = first
            while day <= last:
                value = checkins.get(day - timedelta(days=lag), {}).get(name)
                if value is not None:
                    xs.append(daily.get(day, 0))
                    ys.append(float(value))
                day += timedelta(days=1)
            if len(xs) < 14 or len(set(xs)) < 2 or len(set(ys)) < 2:
                result[name][key] = None
                continue
            r = spearmanr(xs, ys)
            entry = {"rho": round(float(r.statistic), 3), "n": len(xs), "p": round(float(r.pvalue), 4), "_p": float(r.pvalue)}
            result[name][key] = entry
            entries.append(entry)
    qs = false_discovery_control([e.pop("_p") for e in entries], method="bh") if entries else []
    for entry, q in zip(entries, qs):
        entry["q"] = round(float(q), 4)
    return result


def plant_random(api, first: date, count: int, rng: random.Random, reach_before: int = 2) -> tuple[dict, dict]:
    """Random twitches (with ties and zero days) and sparse check-ins, some before `first`."""
    plant = Planter(api)
    daily, checkins = {}, {}
    for day in days(first - timedelta(days=reach_before), count + reach_before):
        if day >= first:
            daily[day] = rng.choice([0, 0, 1, 2, 2, 3, 5, 8])
            for k in range(daily[day]):
                plant.twitch(at_local(day, 8 + k % 12, k))
        if rng.random() < 0.85:
            fields = {
                "sleep_hours": rng.choice([5, 6, 6.5, 7, 8]), "sleep_quality": rng.randint(1, 5),
                "stress": rng.randint(0, 10), "anxiety": rng.choice([2, 3]), "fatigue": rng.randint(0, 10),
                "exertion": rng.randint(0, 4), "electrolytes": rng.random() < 0.5, "caffeine_mg": rng.choice([0, 100, 200]),
                "magnesium_mg": 300,  # constant: always null
            }
            if rng.random() < 0.5:
                fields["hydration_l"] = rng.choice([1, 1.5, 2])
            checkins[day] = {k: (float(v) if not isinstance(v, bool) else int(v)) for k, v in fields.items()}
            plant.checkin(day, **fields)
    plant.push()
    return daily, checkins


@pytest.mark.parametrize("seed, length", [(1, 30), (2, 45), (3, 16)])
def test_every_factor_entry_equals_scipy(make_user, seed, length):
    api = make_user()
    first = date(2026, 5, 1)
    last = first + timedelta(days=length - 1)
    daily, checkins = plant_random(api, first, length, random.Random(seed))
    body = insights(api, first.isoformat(), last.isoformat())
    assert body["factors"] == expected_factors(daily, checkins, first, last)
    assert body["factors"]["magnesium_mg"] == {"same_day": None, "previous_day": None, "two_days_before": None}
    assert any(e is not None for f in body["factors"].values() for e in f.values())


def test_two_days_before_reaches_two_dates_before_from(make_user):
    api = make_user()
    plant = Planter(api)
    first = date(2026, 10, 1)
    exertion = {day: (i * 3) % 7 for i, day in enumerate(days(first - timedelta(days=2), 32))}
    for day in days(first, 30):
        for k in range(exertion[day - timedelta(days=2)] + 1):  # twitches follow effort two days later
            plant.twitch(at_local(day, 9, k))
    for day, value in exertion.items():
        plant.checkin(day, exertion=value)
    plant.push()
    entry = insights(api, "2026-10-01", "2026-10-30")["factors"]["exertion"]
    assert entry["two_days_before"]["n"] == 30 and entry["two_days_before"]["rho"] == 1.0  # 29 and 30 September count
    assert entry["previous_day"]["n"] == 30 and entry["same_day"]["n"] == 30
    assert entry["two_days_before"]["q"] <= entry["two_days_before"]["p"] or entry["two_days_before"]["p"] == 0.0


def test_fewer_than_14_dates_and_constant_sides_give_null_for_every_lag(make_user):
    api = make_user()
    plant = Planter(api)
    for i, day in enumerate(days("2026-04-01", 15)):
        for k in range(i % 4):
            plant.twitch(at_local(day, 9, k))
        plant.checkin(day, stress=i % 5, caffeine_mg=100)
    plant.push()
    stress = insights(api, "2026-04-01", "2026-04-15")["factors"]["stress"]
    # 15 dates: same day 15, d-1 14 (1 April has no check-in the day before), d-2 13
    assert stress["same_day"]["n"] == 15 and stress["previous_day"]["n"] == 14 and stress["two_days_before"] is None
    caffeine = insights(api, "2026-04-01", "2026-04-15")["factors"]["caffeine_mg"]
    assert caffeine == {"same_day": None, "previous_day": None, "two_days_before": None}


def test_a_planted_two_day_lag_is_found_and_q_covers_every_entry():
    rng = random.Random(12)
    n = 60
    first = date(2026, 1, 1)
    exertion = [rng.randint(0, 10) for _ in range(n + 2)]
    daily = [max(0, round(exertion[i] * 1.5 + rng.gauss(0, 3))) for i in range(n)]  # d depends on d - 2
    rows = []
    for i in range(n + 2):
        day = first - timedelta(days=2) + timedelta(days=i)
        values = [rng.uniform(4, 9), rng.randint(1, 5), rng.randint(0, 10), rng.randint(0, 10), rng.randint(0, 10),
                  exertion[i], rng.uniform(0.5, 3), rng.random() < 0.5, rng.choice([0, 200, 400]), rng.choice([0, 100, 200])]
        rows.append((day, *values))
    factors = _factors(first, daily, rows)
    lag = factors["exertion"]["two_days_before"]
    assert lag["q"] < 0.1 and lag["rho"] > 0.5
    findings = [(name, key) for name, f in factors.items() for key, e in f.items() if e is not None and e["q"] < 0.1]
    assert ("exertion", "two_days_before") in findings
    entries = [e for f in factors.values() for e in f.values() if e is not None]
    assert len(entries) == 30


def test_of_100_series_without_relation_at_most_15_show_a_finding():
    rng = random.Random(2026)
    first = date(2026, 1, 1)
    with_finding = 0
    raw_findings = 0
    for _ in range(100):
        n = 42
        daily = [rng.choice([0, 1, 1, 2, 3, 3, 4, 6, 9]) for _ in range(n)]
        rows = [(first - timedelta(days=2) + timedelta(days=i), rng.uniform(4, 9), rng.randint(1, 5), rng.randint(0, 10),
                 rng.randint(0, 10), rng.randint(0, 10), rng.randint(0, 10), rng.uniform(0.5, 3), rng.random() < 0.5,
                 rng.choice([0, 200, 400]), rng.choice([0, 100, 200])) for i in range(n + 2)]
        factors = _factors(first, daily, rows)
        entries = [e for f in factors.values() for e in f.values() if e is not None]
        with_finding += any(e["q"] < 0.1 for e in entries)
        raw_findings += any(e["p"] < 0.05 for e in entries)
    assert with_finding <= 15
    assert raw_findings > 50  # without q most series would show a "finding": the test can fail


# --- day_starts_at, across a DST change -----------------------------------------------------------

def expected_local_date(instant: str, zone: ZoneInfo, starts_at: timedelta) -> date:
    wall = datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(zone).replace(tzinfo=None)
    return (wall - starts_at).date()


@pytest.mark.parametrize("starts_at", ["00:00", "04:00", "02:30", "06:00"])
def test_day_starts_at_places_twitches_and_red_flags_across_the_spring_change(make_user, starts_at):
    api = make_user(timezone="Europe/Berlin")
    assert api.patch("/api/v1/me", json={"day_starts_at": starts_at}).json()["day_starts_at"] == starts_at
    shift = timedelta(hours=int(starts_at[:2]), minutes=int(starts_at[3:]))
    plant = Planter(api)
    # Berlin's clocks go 02:00 -> 03:00 on 29 March 2026 (01:00 UTC)
    instants = [f"2026-03-{d:02d}T{h:02d}:{m:02d}:00Z" for d in (27, 28, 29, 30) for h, m in
                ((0, 15), (0, 45), (1, 0), (1, 20), (2, 10), (3, 59), (4, 30), (22, 50), (23, 30))]
    for instant in instants:
        plant.twitch(instant)
    plant.symptom("2026-03-29T00:40:00Z", "weakness")  # 01:40 CET on the 29th
    plant.push()
    body = insights(api, "2026-03-26", "2026-03-31")
    expected = {}
    for instant in instants:
        day = expected_local_date(instant, BERLIN, shift)
        expected[day] = expected.get(day, 0) + 1
    assert {d["date"]: d["count"] for d in body["daily"] if d["count"]} == {k.isoformat(): v for k, v in sorted(expected.items())}
    hours = [0] * 24
    for instant in instants:
        hours[datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(BERLIN).hour] += 1
    assert body["by_hour"] == hours  # hours stay wall-clock hours
    flag = body["red_flags"]["reasons"][0]
    assert flag["dates"] == [expected_local_date("2026-03-29T00:40:00Z", BERLIN, shift).isoformat()]


def test_day_start_moves_the_default_today(make_user):
    api = make_user(timezone="UTC")
    api.patch("/api/v1/me", json={"day_starts_at": "06:00"})
    body = insights(api)
    now = datetime.now(ZoneInfo("UTC"))
    assert body["to"] in {(now - timedelta(hours=6)).date().isoformat(), (now + timedelta(seconds=5) - timedelta(hours=6)).date().isoformat()}


@pytest.mark.parametrize("value, ok", [("00:00", True), ("06:00", True), ("04:30", True), ("06:01", False),
                                       ("23:00", False), ("4:00", False), (None, False), (4, False)])
def test_day_starts_at_validation(user, value, ok):
    response = user.patch("/api/v1/me", json={"day_starts_at": value})
    assert response.status_code == (200 if ok else 400), response.text
    if not ok:
        assert "day_starts_at" in response.json()["errors"]


def test_me_defaults_and_calm_mode(user):
    me = user.get("/api/v1/me").json()
    assert me["day_starts_at"] == "00:00" and me["calm_mode"] is False
    assert user.patch("/api/v1/me", json={"calm_mode": True}).json()["calm_mode"] is True
    assert user.get("/api/v1/me").json()["calm_mode"] is True
    assert user.patch("/api/v1/me", json={"calm_mode": "yes"}).status_code == 400


# --- trend -----------------------------------------------------------------------------------------

def plant_trend(api, last: date, before_counts: list[int | None], recent_counts: list[int | None], checkin_only=()):
    """Counts per date for the 14 before and the last 14 (None: nothing logged that date)."""
    plant = Planter(api)
    for i, count in enumerate(list(before_counts) + list(recent_counts)):
        day = last - timedelta(days=27 - i)
        if count is None:
            continue
        for k in range(count):
            plant.twitch(at_local(day, 7 + k % 14, k % 60))
        if count == 0 or i in checkin_only:
            plant.checkin(day, stress=3)
    plant.push()


def expected_trend(before, recent):
    b = [c for c in before if c is not None]
    r = [c for c in recent if c is not None]
    return b, r, float(mannwhitneyu(r, b, method="asymptotic").pvalue)


def test_trend_fewer(make_user):
    api = make_user()
    last = date(2026, 6, 28)
    before = [9, 12, 8, 10, 15, 11, 9, 13, 10, 12, None, 14, 9, 11]
    recent = [3, 2, 0, 4, 1, 2, 3, None, None, 2, 1, 0, 3, 2]
    plant_trend(api, last, before, recent)
    trend = insights(api, "2026-06-20", last.isoformat())["trend"]  # a short range: the 28 dates still count
    b, r, p = expected_trend(before, recent)
    assert trend["recent"] == {"from": "2026-06-15", "to": "2026-06-28", "tracked_days": len(r), "median": 2}
    assert trend["before"] == {"from": "2026-06-01", "to": "2026-06-14", "tracked_days": len(b), "median": 11}
    assert trend["p_value"] == round(p, 4) and p < 0.05
    assert trend["change"] == "fewer"


def test_trend_more_and_about_the_same(make_user):
    api = make_user()
    last = date(2026, 6, 28)
    before = [1, 2, 0, 1, 2, 1, 3, 0, 2, 1, 1, 2, 0, 1]
    recent = [6, 5, 7, 4, 8, 6, 5, 9, 6, 7, 5, 6, 8, 4]
    plant_trend(api, last, before, recent)
    trend = insights(api, "2026-06-01", "2026-06-28")["trend"]
    assert trend["change"] == "more" and trend["p_value"] == round(expected_trend(before, recent)[2], 4)

    other = make_user()
    before = [3, 4, 2, 5, 3, 4, 2, 3, 5, 4, 3, 2, 4, 3]
    recent = [4, 3, 2, 4, 5, 3, 3, 2, 4, 3, 5, 4, 2, 3]
    plant_trend(other, last, before, recent)
    trend = insights(other, "2026-06-01", "2026-06-28")["trend"]
    p = expected_trend(before, recent)[2]
    assert p >= 0.05 and trend["change"] == "about_the_same" and trend["p_value"] == round(p, 4)


@pytest.mark.parametrize("tracked_before, change_expected", [(6, "not_enough_data"), (7, "fewer")])
def test_trend_needs_7_tracked_days_on_each_side(make_user, tracked_before, change_expected):
    api = make_user()
    last = date(2026, 6, 28)
    # tracked days before: twitch days, plus one date with only a check-in (0 twitches) when 7
    before = [20, 22, 25, 21, 24, 23] + [None] * 8
    if tracked_before == 7:
        before[6] = 0  # a check-in without twitches makes the date tracked
    recent = [1, 0, 2, 1, 0, 1, 2, 0, 1, 1, None, None, None, None]
    plant_trend(api, last, before, recent)
    trend = insights(api, "2026-06-01", "2026-06-28")["trend"]
    assert trend["before"]["tracked_days"] == tracked_before
    assert trend["recent"]["tracked_days"] == 10
    assert trend["change"] == change_expected
    if change_expected == "not_enough_data":
        assert trend["p_value"] is None
    else:
        assert trend["p_value"] == round(expected_trend(before, recent)[2], 4)


def test_trend_without_any_data(user):
    trend = insights(user, "2026-01-01", "2026-01-28")["trend"]
    assert trend == {"recent": {"from": "2026-01-15", "to": "2026-01-28", "tracked_days": 0, "median": None},
                     "before": {"from": "2026-01-01", "to": "2026-01-14", "tracked_days": 0, "median": None},
                     "change": "not_enough_data", "p_value": None}
