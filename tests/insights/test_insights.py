"""GET /api/v1/insights on synthetic data with known answers (§7)."""
from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

import pytest

from scipy.stats import spearmanr

from server.insights.service import FACTORS
from tests.insights.records import Planter, at_local, days, insights


def test_a_twitch_at_half_past_eleven_counts_on_that_local_date_new_york(make_user):
    api = make_user(timezone="America/New_York")
    plant = Planter(api)
    plant.twitch("2026-03-10T03:30:00Z")  # 23:30 EDT on 9 March (DST began 8 March)
    plant.twitch("2026-03-10T04:00:00Z")  # 00:00 EDT on 10 March
    plant.twitch("2026-03-08T04:59:00Z")  # 23:59 EST on 7 March
    plant.push()
    body = insights(api, "2026-03-07", "2026-03-10")
    assert body["timezone"] == "America/New_York"
    assert body["daily"] == [
        {"date": "2026-03-07", "count": 1},
        {"date": "2026-03-08", "count": 0},
        {"date": "2026-03-09", "count": 1},
        {"date": "2026-03-10", "count": 1},
    ]
    assert body["by_hour"][23] == 2 and body["by_hour"][0] == 1 and sum(body["by_hour"]) == 3


def test_half_hour_zone_kolkata(make_user):
    api = make_user(timezone="Asia/Kolkata")
    plant = Planter(api)
    plant.twitch("2026-11-25T18:00:00Z")  # 23:30 IST on 25 November
    plant.twitch("2026-11-25T18:29:59Z")  # 23:59:59 IST
    plant.twitch("2026-11-25T18:30:00Z")  # 00:00 IST on 26 November
    plant.twitch("2026-11-24T18:29:00Z")  # 23:59 IST on 24 November: outside the range
    plant.push()
    body = insights(api, "2026-11-25", "2026-11-26")
    assert [d["count"] for d in body["daily"]] == [2, 1]
    assert body["by_hour"][23] == 2 and body["by_hour"][0] == 1 and sum(body["by_hour"]) == 3


def test_counts_follow_the_current_time_zone(make_user):
    api = make_user(timezone="Europe/Berlin")
    api.log_twitch("2026-11-25T23:30:00Z")  # 00:30 on the 26th in Berlin, 18:30 on the 25th in New York
    assert [d["count"] for d in insights(api, "2026-11-25", "2026-11-26")["daily"]] == [0, 1]
    assert api.patch("/api/v1/me", json={"timezone": "America/New_York"}).status_code == 200
    body = insights(api, "2026-11-25", "2026-11-26")
    assert [d["count"] for d in body["daily"]] == [1, 0] and body["by_hour"][18] == 1


def test_every_date_is_present_with_zeros_and_deleted_twitches_do_not_count(make_user):
    api = make_user()
    plant = Planter(api)
    kept = plant.twitch(at_local("2026-06-03", 9))
    gone = plant.twitch(at_local("2026-06-05", 9))
    plant.delete("twitch", gone)
    plant.delete("twitch", "00000000-0000-4000-8000-000000000001")  # a tombstone without fields
    plant.push()
    body = insights(api, "2026-06-01", "2026-06-10")
    assert [d["date"] for d in body["daily"]] == [d.isoformat() for d in days("2026-06-01", 10)]
    assert [d["count"] for d in body["daily"]] == [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert kept and body["by_hour"][9] == 1 and sum(body["by_hour"]) == 1
    assert body["by_region"] == [] and body["red_flags"] == {"status": "no_red_flags", "reasons": []}


def test_the_default_range_is_the_28_days_ending_today(make_user):
    api = make_user(timezone="Pacific/Kiritimati")  # UTC+14: "today" differs from the UTC date for most of the day
    body = insights(api)
    from zoneinfo import ZoneInfo
    from datetime import datetime

    today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    assert body["to"] == today.isoformat()
    assert body["from"] == (today - timedelta(days=27)).isoformat()
    assert len(body["daily"]) == 28
    assert len(insights(api, last="2026-02-01")["daily"]) == 28
    assert insights(api, last="2026-02-01")["from"] == "2026-01-05"
    assert set(insights(api)["factors"]) == set(FACTORS)


def test_by_region_orders_by_count_then_region_then_side(make_user):
    api = make_user()
    plant = Planter(api)
    for region, side, n in [("calf", "left", 3), ("calf", None, 2), ("eyelid", "right", 2), ("calf", "right", 2), ("thigh", "left", 5)]:
        for i in range(n):
            plant.twitch(at_local("2026-05-02", 10, i), body_region=region, **({"side": side} if side else {}))
    plant.twitch(at_local("2026-05-02", 11))  # no region: counted daily, not in by_region
    plant.push()
    body = insights(api, "2026-05-01", "2026-05-03")
    assert body["by_region"] == [
        {"body_region": "thigh", "side": "left", "count": 5},
        {"body_region": "calf", "side": "left", "count": 3},
        {"body_region": "calf", "side": None, "count": 2},
        {"body_region": "calf", "side": "right", "count": 2},
        {"body_region": "eyelid", "side": "right", "count": 2},
    ]
    assert body["daily"][1]["count"] == 15


# --- factors ----------------------------------------------------------------------------------

def test_a_planted_factor_effect_is_found_with_the_right_sign(make_user):
    api = make_user()
    plant = Planter(api)
    first = date(2026, 10, 1)
    for i, day in enumerate(days(first, 30)):
        stress = (i * 7) % 11
        for k in range(stress + i % 3):  # more stress, more twitches, with some noise
            plant.twitch(at_local(day, 8 + k % 12, k))
        plant.checkin(day, stress=stress, sleep_hours=9 - stress * 0.5, electrolytes=bool(i % 2), twitch_burden=stress)
    plant.push()
    factors = insights(api, "2026-10-01", "2026-10-30")["factors"]
    assert set(factors) == set(FACTORS)  # every numeric field but twitch_burden
    assert "twitch_burden" not in factors
    assert factors["stress"]["same_day"]["rho"] > 0.8 and factors["stress"]["same_day"]["n"] == 30
    assert factors["sleep_hours"]["same_day"]["rho"] == -factors["stress"]["same_day"]["rho"]
    assert factors["stress"]["previous_day"]["n"] == 29  # no check-in on 30 September
    assert factors["electrolytes"]["same_day"]["n"] == 30 and -1 <= factors["electrolytes"]["same_day"]["rho"] <= 1
    assert factors["anxiety"] == {"same_day": None, "previous_day": None, "two_days_before": None}


def test_previous_day_pairs_reach_before_from(make_user):
    api = make_user()
    plant = Planter(api)
    first = date(2026, 10, 1)
    caffeine = {day: 100.0 * ((i * 5) % 7) for i, day in enumerate(days(first - timedelta(days=1), 31))}
    for day in days(first, 30):
        for k in range(int(caffeine[day - timedelta(days=1)] // 100) + 1):
            plant.twitch(at_local(day, 9, k))
    for day, mg in caffeine.items():
        plant.checkin(day, caffeine_mg=mg)
    plant.push()
    factor = insights(api, "2026-10-01", "2026-10-30")["factors"]["caffeine_mg"]
    assert factor["previous_day"]["rho"] == 1.0 and factor["previous_day"]["n"] == 30 and factor["previous_day"]["p"] == 0.0
    assert factor["same_day"]["n"] == 30 and factor["same_day"]["rho"] < 0.5


@pytest.mark.parametrize("paired_days, expect_result", [(13, False), (14, True)])
def test_no_factor_result_below_14_paired_days(make_user, paired_days, expect_result):
    api = make_user()
    plant = Planter(api)
    for i, day in enumerate(days("2026-04-01", paired_days)):
        for k in range(i % 5):
            plant.twitch(at_local(day, 9, k))
        plant.checkin(day, fatigue=i % 4, magnesium_mg=300)
    plant.push()
    fatigue = insights(api, "2026-04-01", "2026-04-28")["factors"]["fatigue"]
    if expect_result:
        assert fatigue["same_day"]["n"] == 14 and isinstance(fatigue["same_day"]["rho"], float)
    else:
        assert fatigue["same_day"] is None
    # magnesium is the same every day: a constant side has no correlation
    assert insights(api, "2026-04-01", "2026-04-28")["factors"]["magnesium_mg"]["same_day"] is None


def test_constant_twitch_counts_give_null(make_user):
    api = make_user()
    plant = Planter(api)
    for i, day in enumerate(days("2026-04-01", 20)):
        plant.twitch(at_local(day, 9))
        plant.checkin(day, stress=i % 6)
    plant.push()
    assert insights(api, "2026-04-01", "2026-04-20")["factors"]["stress"]["same_day"] is None


def exact_spearman(xs, ys) -> Fraction:
    """An independent, exact Spearman: rank = (# smaller) + (# equal + 1) / 2, then Pearson in fractions."""
    def ranks(values):
        return [Fraction(sum(v < x for v in values)) + Fraction(sum(v == x for v in values) + 1, 2) for x in values]

    rx, ry = ranks(xs), ranks(ys)
    n = len(xs)
    mx, my = sum(rx) / n, sum(ry) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    return sxy, sxx * syy  # rho = numerator / sqrt(squared denominator)


def test_ties_use_average_ranks_matching_a_hand_computed_rho(make_user):
    # Counts with ties and a factor with ties, 14 days. By hand: ranks of counts
    # [1,1,2,2,2,3,3,4,5,5,6,7,8,8] -> [1.5,1.5,4,4,4,6.5,6.5,8,9.5,9.5,11,12,13.5,13.5]
    counts = [1, 1, 2, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8, 8]
    stress = [2, 3, 2, 2, 5, 3, 4, 4, 6, 5, 7, 6, 9, 9]
    numerator, denominator_squared = exact_spearman(counts, stress)
    expected = round(float(numerator) / math.sqrt(float(denominator_squared)), 3)
    # stress ranks [2,4.5,2,2,8.5,4.5,6.5,6.5,10.5,8.5,12,10.5,13.5,13.5]; sum of products of
    # deviations 198.75, sums of squares 223.5 and 223: 198.75 / sqrt(223.5 * 223) = 0.8903
    assert expected == 0.89
    assert round(float(spearmanr(counts, stress).statistic), 3) == expected

    api = make_user()
    plant = Planter(api)
    for day, count, value in zip(days("2026-02-01", 14), counts, stress):
        for k in range(count):
            plant.twitch(at_local(day, 10, k))
        plant.checkin(day, stress=value)
    plant.push()
    entry = insights(api, "2026-02-01", "2026-02-14")["factors"]["stress"]["same_day"]
    assert entry["rho"] == expected and entry["n"] == 14
    assert entry["p"] == round(float(spearmanr(counts, stress).pvalue), 4)


# --- red flags --------------------------------------------------------------------------------

def plant_window(api, region_days: int, region_count: int, other_count: int, last: date = date(2026, 9, 28)):
    """Twitches in the 28 days ending `last`: `region_count` on calf/left spread over `region_days`
    distinct dates, and `other_count` without a region."""
    plant = Planter(api)
    window = days(last - timedelta(days=27), 28)
    for k in range(region_count):
        plant.twitch(at_local(window[k % region_days], 10, k % 60), body_region="calf", side="left")
    for k in range(other_count):
        plant.twitch(at_local(window[k % 28], 15, k % 60))
    plant.push()
    return insights(api, "2026-09-01", last.isoformat())["red_flags"]


@pytest.mark.parametrize("region_days, region_count, other_count, flagged", [
    (13, 13, 13, False),   # half the twitches, but on only 13 dates
    (14, 14, 14, True),    # 14 dates and exactly half: flagged
    (14, 49, 51, False),   # 14 dates but 49%
    (14, 50, 50, True),    # 14 dates and 50%
    (28, 28, 0, True),     # every twitch in one place every day
])
def test_localized_persistent_rule_at_its_boundaries(make_user, region_days, region_count, other_count, flagged):
    flags = plant_window(make_user(), region_days, region_count, other_count)
    if flagged:
        assert flags == {"status": "see_doctor", "reasons": [{
            "kind": "localized_persistent", "body_region": "calf", "side": "left", "days": region_days,
            "share": region_count / (region_count + other_count)}]}
    else:
        assert flags == {"status": "no_red_flags", "reasons": []}


def test_the_red_flag_window_is_the_28_dates_ending_at_to(make_user):
    api = make_user()
    plant = Planter(api)
    plant.symptom(at_local("2026-08-31", 23, 30), "weakness")   # 29th date before 2026-09-28: outside
    plant.symptom(at_local("2026-09-01", 0, 10), "reflex_change")  # first date of the window
    plant.symptom(at_local("2026-09-29", 1), "speech_difficulty")  # after `to`
    plant.symptom(at_local("2026-09-10", 9), "cramp")  # not a red flag
    plant.push()
    flags = insights(api, "2026-09-27", "2026-09-28")["red_flags"]
    assert flags == {"status": "see_doctor", "reasons": [
        {"kind": "red_flag_symptom", "symptom": "reflex_change", "dates": ["2026-09-01"]}]}


def test_reasons_come_symptoms_first_in_kind_order_then_pairs_by_share(make_user):
    api = make_user(timezone="Asia/Kolkata")
    plant = Planter(api)
    last = date(2026, 9, 28)
    window = days(last - timedelta(days=27), 28)
    for kind, day in [("reflex_change", 3), ("weakness", 20), ("swallowing_difficulty", 1), ("weakness", 5),
                      ("weakness", 5), ("muscle_wasting", 27), ("fatigue", 4)]:
        plant.symptom(at_local(window[day], 23, 45, zone="Asia/Kolkata"), kind)
    gone = plant.symptom(at_local(window[6], 12, zone="Asia/Kolkata"), "speech_difficulty")
    plant.delete("symptom", gone)
    # Two pairs, each on 14 dates with exactly half of all twitches: both flagged, ordered by share.
    for k in range(14):
        plant.twitch(at_local(window[k], 9, zone="Asia/Kolkata"), body_region="eyelid", side="right")
        plant.twitch(at_local(window[k + 14], 9, zone="Asia/Kolkata"), body_region="calf")
    plant.push()
    flags = insights(api, "2026-09-28", "2026-09-28")["red_flags"]
    assert flags["status"] == "see_doctor"
    assert flags["reasons"] == [
        {"kind": "red_flag_symptom", "symptom": "weakness", "dates": [window[5].isoformat(), window[20].isoformat()]},
        {"kind": "red_flag_symptom", "symptom": "muscle_wasting", "dates": [window[27].isoformat()]},
        {"kind": "red_flag_symptom", "symptom": "swallowing_difficulty", "dates": [window[1].isoformat()]},
        {"kind": "red_flag_symptom", "symptom": "reflex_change", "dates": [window[3].isoformat()]},
        {"kind": "localized_persistent", "body_region": "calf", "side": None, "days": 14, "share": 0.5},
        {"kind": "localized_persistent", "body_region": "eyelid", "side": "right", "days": 14, "share": 0.5},
    ]


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("params", [
    {"from": "2026-05-02", "to": "2026-05-01"},
    {"from": "2016-01-01", "to": "2026-01-08"},  # 3,661 days
    {"from": "2026-13-01", "to": "2026-12-01"},
    {"from": "yesterday"},
    {"to": "2026-02-30"},
    {"from": "2026-5-1"},
    {"from": ""},
])
def test_bad_ranges_are_400_in_the_envelope(user, params):
    response = user.get("/api/v1/insights", params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == 400 and body["message"] and body["errors"]


def test_the_longest_range_is_3660_days(user):
    body = insights(user, "2016-01-01", (date(2016, 1, 1) + timedelta(days=3659)).isoformat())
    assert len(body["daily"]) == 3660


def test_insights_need_a_signed_in_caller(client):
    response = client.get("/api/v1/insights")
    assert response.status_code == 401 and response.json()["code"] == 401


# --- local dates by integer arithmetic ----------------------------------------------------------

@pytest.mark.parametrize("zone_name", [
    "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Africa/Monrovia", "Europe/Dublin",
    "Pacific/Apia", "America/Sao_Paulo", "Asia/Kathmandu", "UTC",
])
def test_the_local_clock_agrees_with_zoneinfo_everywhere(zone_name):
    import random
    from datetime import datetime, timezone as tz
    from zoneinfo import ZoneInfo

    from server.insights.service import LocalClock

    zone = ZoneInfo(zone_name)
    start, end = datetime(1960, 1, 1, tzinfo=tz.utc), datetime(2030, 1, 1, tzinfo=tz.utc)
    clock = LocalClock(zone, start, end)
    rng = random.Random(zone_name)
    instants = [rng.randrange(int(start.timestamp()), int(end.timestamp())) for _ in range(3000)]
    # and the seconds either side of every change the clock found
    instants += [t + d for t in clock.starts for d in (-1, 0, 1) if start.timestamp() <= t + d < end.timestamp()]
    for seconds in instants:
        expected = datetime.fromtimestamp(seconds, tz.utc).astimezone(zone).utcoffset().total_seconds()
        assert clock.offset(seconds) == expected, (zone_name, seconds)


def test_fractional_seconds_and_years_before_1970_fall_on_the_right_local_date(make_user):
    api = make_user(timezone="UTC")
    plant = Planter(api)
    plant.twitch("1965-06-30T23:59:59.900Z")
    plant.twitch("1965-07-01T00:00:00.000Z")
    plant.twitch("1965-07-01T00:00:00.500Z")
    plant.push()
    body = insights(api, "1965-06-30", "1965-07-01")
    assert [d["count"] for d in body["daily"]] == [1, 2]
    assert body["by_hour"][23] == 1 and body["by_hour"][0] == 2

    berlin = make_user(timezone="Europe/Berlin")
    plant = Planter(berlin)
    plant.twitch("2026-03-01T22:59:59.999Z")  # 23:59:59.999 in Berlin
    plant.twitch("2026-03-29T00:59:59.999Z")  # 01:59:59.999 CET, the last moment before summer time
    plant.twitch("2026-03-29T01:00:00.000Z")  # 03:00 CEST
    plant.push()
    body = insights(berlin, "2026-03-01", "2026-03-29")
    assert body["daily"][0]["count"] == 1 and body["daily"][-1]["count"] == 2
    assert body["by_hour"][23] == 1 and body["by_hour"][1] == 1 and body["by_hour"][3] == 1
