"""Burst rest prompts and the daily cap (§13): a simulated year of pure planning, then the real
dispatcher in the database with an injected clock, and the settings through the API."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from server.extensions import db
from server.instants import utcnow
from server.local_dates import local_date_of
from server.push import planning, service
from server.push.models import ReminderOccurrence
from server.push.planning import Burst, Evening, Pacing, Quiet, Schedule
from tests.push.conftest import rows, send_everything
from tests.push.test_planning import simulate
from tests.insights.records import Planter

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
OFF_PACING = {"enabled": False, "every_minutes": 90, "active_from": "09:00", "active_to": "21:00", "days": [0, 1, 2, 3, 4]}
OFF_EVENING = {"enabled": False, "time": "21:00"}


# --- a simulated year, pure functions ------------------------------------------------------------

def test_a_year_of_bursts_and_pacing_keeps_quiet_hours_and_the_daily_cap():
    """Pacing every 30 minutes from 07:00 to 23:30 (33 a day) and random twitch bursts, day and
    night, through a year with two DST changes; the dispatcher's rules applied in time order."""
    tz = BERLIN
    quiet = Quiet(time(22), time(7))
    burst = Burst(True, 5, 15)
    schedule = Schedule(Evening(True, time(21)), Pacing(True, 30, time(7), time(23, 30), frozenset(range(7))), quiet,
                        burst, max_per_day=12, day_start=timedelta(hours=4))
    first, last = date(2026, 1, 1), date(2026, 12, 31)
    prompts = [p for p, _ in simulate(schedule, tz, first, last).values() if first <= p.local_date <= last]

    rng = random.Random(7)
    twitches: list[datetime] = []
    day = first
    while day <= last:  # a few clusters a day, any hour, some too sparse to count as a burst
        for _ in range(rng.randint(0, 4)):
            start = datetime.combine(day, time(0), tzinfo=UTC) + timedelta(minutes=rng.randrange(24 * 60))
            gap = rng.choice([1, 2, 3, 5])
            twitches += [start + timedelta(minutes=gap * k, seconds=rng.randrange(60)) for k in range(rng.randint(2, 9))]
        day += timedelta(days=1)
    twitches.sort()
    last_burst = None
    bursts = []
    for index, at in enumerate(twitches):  # each twitch synced as it is logged
        prompt = planning.burst_prompt(burst, tz, twitches[:index + 1], at, last_burst, schedule.day_start)
        if prompt is not None:
            bursts.append(prompt)
            last_burst = prompt.due_at
    assert len(bursts) > 300
    assert all(b.due_at - a.due_at >= timedelta(minutes=15) for a, b in zip(bursts, bursts[1:]))

    # the dispatcher: quiet hours hold a prompt until they end, or drop it once it expires; the
    # cap counts pacing and burst prompts per local date of the sending moment
    sends = []
    for prompt in prompts + bursts:
        held = planning.quiet_until(quiet, tz, prompt.due_at)
        if held is None:
            sends.append((prompt.due_at, prompt))
        elif held < prompt.expires_at:
            sends.append((held, prompt))
    sends.sort(key=lambda item: (item[0], item[1].dedupe_key))
    cap = planning.DailyCap(lambda user, day: 0)
    sent = [(at, p) for at, p in sends if cap.allows("u", p.kind, local_date_of(at, tz, schedule.day_start), schedule.max_per_day)]

    per_date: dict = {}
    evenings = 0
    for at, prompt in sent:
        assert planning.quiet_until(quiet, tz, at) is None, f"sent in quiet hours: {prompt}"
        assert at < prompt.expires_at
        if prompt.kind == "evening":
            evenings += 1
            continue
        key = local_date_of(at, tz, schedule.day_start)
        per_date[key] = per_date.get(key, 0) + 1
    assert max(per_date.values()) == 12 and all(count <= 12 for count in per_date.values())
    assert evenings >= 360  # evening prompts are not counted, not capped
    sent_bursts = [p for _, p in sent if p.kind == "burst"]
    held_bursts = [(at, p) for at, p in sent if p.kind == "burst" and at > p.due_at]
    dropped = [p for p in bursts if planning.quiet_until(quiet, tz, p.due_at) is not None
               and planning.quiet_until(quiet, tz, p.due_at) >= p.expires_at]
    assert sent_bursts and held_bursts and dropped  # all three happen in the year
    assert all(at.astimezone(tz).time() == time(7) for at, _ in held_bursts)  # released as quiet hours end


def test_a_burst_needs_count_twitches_within_minutes_and_waits_minutes_for_the_next():
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    burst = Burst(True, 5, 15)
    near = [now - timedelta(minutes=m) for m in (14, 10, 6, 3, 0)]
    assert planning.burst_prompt(burst, BERLIN, near, now, None).due_at == now
    assert planning.burst_prompt(burst, BERLIN, near[1:], now, None) is None  # 4 in the window
    spread = [now - timedelta(minutes=15)] + near[1:]  # the oldest is exactly `minutes` ago: outside
    assert planning.burst_prompt(burst, BERLIN, spread, now, None) is None
    assert planning.burst_prompt(burst, BERLIN, near, now, now - timedelta(minutes=14, seconds=59)) is None
    assert planning.burst_prompt(burst, BERLIN, near, now, now - timedelta(minutes=15)) is not None
    assert planning.burst_prompt(Burst(False, 5, 15), BERLIN, near, now, None) is None
    prompt = planning.burst_prompt(burst, BERLIN, near, now, None, timedelta(hours=4))
    assert prompt.expires_at == now + timedelta(minutes=15) and prompt.local_date == date(2026, 6, 10)
    late = datetime(2026, 6, 11, 0, 30, tzinfo=UTC)  # 02:30 in Berlin: still the 10th with the day starting at 04:00
    assert planning.burst_prompt(burst, BERLIN, [late] * 5, late, None, timedelta(hours=4)).local_date == date(2026, 6, 10)


# --- the database and the real dispatcher ----------------------------------------------------------

def hhmm(instant: datetime, tz=BERLIN) -> str:
    return instant.astimezone(tz).strftime("%H:%M")


def minute(instant: datetime) -> datetime:
    return instant.replace(second=0, microsecond=0)


def burst_settings(user, quiet=None, count=5, minutes=15, max_per_day=12):
    body = {"evening": OFF_EVENING, "pacing": OFF_PACING, "quiet_hours": quiet,
            "burst": {"enabled": True, "count": count, "minutes": minutes}, "max_per_day": max_per_day}
    response = user.put("/api/v1/reminders", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def log_twitches(user, at: datetime, count: int) -> None:
    plant = Planter(user)
    for k in range(count):
        plant.twitch((at - timedelta(seconds=10 * k)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    plant.push()


def bursts(app, user) -> list[ReminderOccurrence]:
    return [o for o in rows(app, ReminderOccurrence, user_id=user.user["id"]) if o.kind == "burst"]


def test_a_burst_synced_in_quiet_hours_is_held_until_they_end(user, subscribe, push_service, dispatcher, clock, live_server):
    device = subscribe(user)
    now = utcnow()
    quiet_end = minute(now) + timedelta(minutes=10)
    burst_settings(user, quiet={"from": hhmm(now - timedelta(minutes=30)), "to": hhmm(quiet_end)})
    log_twitches(user, now, 4)
    assert bursts(live_server.app, user) == []  # four: not yet a burst
    log_twitches(user, utcnow(), 1)
    [planned] = bursts(live_server.app, user)
    log_twitches(user, utcnow(), 6)  # more within the same minutes: no second prompt
    assert len(bursts(live_server.app, user)) == 1
    sender = dispatcher()
    clock.now = utcnow()
    send_everything(sender)
    [held] = bursts(live_server.app, user)
    assert held.status == "planned" and held.send_at == quiet_end
    clock.now = quiet_end
    send_everything(sender)
    [message] = push_service.delivered(device)
    assert message.payload["kind"] == "burst" and message.payload["occurrence_id"] == planned.id
    assert message.topic == "burst" and "rest" in message.payload["body"]


def test_a_burst_held_past_its_minutes_is_dropped(user, subscribe, push_service, dispatcher, clock, live_server):
    subscribe(user)
    now = utcnow()
    burst_settings(user, quiet={"from": hhmm(now - timedelta(minutes=30)), "to": hhmm(now + timedelta(minutes=40))}, minutes=10)
    log_twitches(user, now, 5)
    sender = dispatcher()
    for step in range(0, 50, 5):
        clock.now = now + timedelta(minutes=step)
        send_everything(sender)
    assert push_service.received() == []
    assert [o.status for o in bursts(live_server.app, user)] == ["expired"]


def test_the_daily_cap_stops_the_third_burst(user, subscribe, push_service, dispatcher, clock, live_server):
    offset = 12 - utcnow().hour  # a zone where it is about noon now: the bursts share one local date
    zone = f"Etc/GMT{-offset:+d}"
    assert user.patch("/api/v1/me", json={"timezone": zone}).status_code == 200
    device = subscribe(user)
    burst_settings(user, count=3, minutes=5, max_per_day=2)
    start = utcnow() - timedelta(minutes=40)
    assert local_date_of(start, ZoneInfo(zone)) == local_date_of(start + timedelta(minutes=20), ZoneInfo(zone))
    sender = dispatcher()
    app = live_server.app
    for k in range(4):
        at = start + timedelta(minutes=6 * k)
        log_twitches(user, at, 3)
        with app.app_context():
            assert service.plan_burst(user.user["id"], now=at) is not None
            db.session.commit()
        clock.now = at
        send_everything(sender)
    assert len(push_service.delivered(device)) == 2
    assert sorted(o.status for o in bursts(app, user)) == ["cancelled", "cancelled", "sent", "sent"]


# --- the settings ------------------------------------------------------------------------------------

def test_settings_without_the_new_keys_get_the_defaults(user):
    body = {"evening": OFF_EVENING, "pacing": OFF_PACING, "quiet_hours": None}
    answer = user.put("/api/v1/reminders", json=body).json()
    assert answer["burst"] == {"enabled": False, "count": 5, "minutes": 15} and answer["max_per_day"] == 12
    assert user.get("/api/v1/reminders").json() == answer
    fresh = user.get("/api/v1/reminders").json()
    assert fresh["max_per_day"] == 12


def test_new_account_defaults(make_user):
    fresh = make_user().get("/api/v1/reminders").json()
    assert fresh["burst"] == {"enabled": False, "count": 5, "minutes": 15} and fresh["max_per_day"] == 12


@pytest.mark.parametrize("extra, ok", [
    ({"burst": {"enabled": True, "count": 3, "minutes": 5}, "max_per_day": 1}, True),
    ({"burst": {"enabled": True, "count": 30, "minutes": 60}, "max_per_day": 50}, True),
    ({"burst": {"enabled": True}}, True),
    ({"burst": {"enabled": True, "count": 2, "minutes": 15}}, False),
    ({"burst": {"enabled": True, "count": 31, "minutes": 15}}, False),
    ({"burst": {"enabled": True, "count": 5, "minutes": 4}}, False),
    ({"burst": {"enabled": True, "count": 5, "minutes": 61}}, False),
    ({"burst": {"enabled": "yes", "count": 5, "minutes": 15}}, False),
    ({"burst": {"count": 5, "minutes": 15}}, False),
    ({"burst": None}, False),
    ({"max_per_day": 0}, False),
    ({"max_per_day": 51}, False),
    ({"max_per_day": 12.5}, False),
])
def test_burst_and_max_per_day_are_validated(user, extra, ok):
    body = {"evening": OFF_EVENING, "pacing": OFF_PACING, "quiet_hours": None, **extra}
    response = user.put("/api/v1/reminders", json=body)
    assert response.status_code == (200 if ok else 400), response.text
    if ok:
        answer = response.json()
        assert answer["burst"]["enabled"] is True or "burst" not in extra
        if "max_per_day" in extra:
            assert answer["max_per_day"] == extra["max_per_day"]
    else:
        assert set(response.json()["errors"]) & {"burst", "max_per_day"}


def test_an_evening_time_after_midnight_asks_about_the_day_before_when_the_day_starts_later():
    off = Pacing(False, 90, time(9), time(21), frozenset())
    schedule = Schedule(Evening(True, time(1)), off, None, day_start=timedelta(hours=4))
    now = datetime(2026, 6, 10, 22, 55, tzinfo=UTC)  # 00:55 on 11 June in Berlin
    [prompt] = planning.due_prompts(schedule, BERLIN, now, timedelta(minutes=10))
    assert prompt.due_at == datetime(2026, 6, 10, 23, 0, tzinfo=UTC)
    assert prompt.local_date == date(2026, 6, 10) and prompt.dedupe_key == "evening:2026-06-10"
    midnight = Schedule(Evening(True, time(1)), off, None)
    assert planning.due_prompts(midnight, BERLIN, now, timedelta(minutes=10))[0].local_date == date(2026, 6, 11)
