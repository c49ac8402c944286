"""When prompts fall due (§5), as pure functions: a simulated year in five time zones.

The planner is simulated as the dispatcher runs it: at each `next_check` it asks for the prompts
due within the horizon, and idempotent insertion keeps the first of each dedupe key. Expected
instants are worked out here from first principles (scanning UTC offsets), not with the
planner's own conversion.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from server.push import planning
from server.push.planning import Evening, Pacing, Quiet, Schedule

UTC = timezone.utc
ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata"]
# 21:00 ordinary; 00:30 in Santiago's spring gap; 01:45 in London's gap and three autumn folds;
# 02:15 in New York's and Lord Howe's spring gaps; 23:30 in Santiago's autumn fold.
EVENING_TIMES = ["21:00", "00:30", "01:45", "02:15", "23:30"]
YEAR = (date(2026, 1, 1), date(2026, 12, 31))
HORIZON = timedelta(minutes=10)
OFF = Pacing(False, 90, time(9), time(21), frozenset())


def expected_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant a wall time should fire: the first of its occurrences; in a gap, the wall
    time moved forward by the gap's length."""
    wall = datetime.combine(day, at)
    offsets = {tz.utcoffset(datetime.combine(day, time()) + timedelta(hours=h)) for h in range(-30, 54)}
    found = sorted(
        (wall - offset).replace(tzinfo=UTC) for offset in offsets
        if (wall - offset).replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None) == wall
    )
    if found:
        return found[0]
    # a gap: find the transition near this wall time and move forward by its length
    probe = (wall - max(offsets)).replace(tzinfo=UTC) - timedelta(hours=3)
    before = probe.astimezone(tz).utcoffset()
    while probe.astimezone(tz).utcoffset() == before:
        probe += timedelta(minutes=15)
    after = probe.astimezone(tz).utcoffset()
    moved = wall + (after - before)
    return (moved - after).replace(tzinfo=UTC)


def exists(day: date, at: time, tz: ZoneInfo) -> bool:
    return expected_instant(day, at, tz).astimezone(tz).replace(tzinfo=None) == datetime.combine(day, at)


def simulate(schedule: Schedule, tz: ZoneInfo, first: date, last: date, last_rest=None) -> dict:
    """Run the planner as the dispatcher does; every prompt it ever returns, first sighting kept."""
    now = datetime.combine(first - timedelta(days=1), time(12), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=2), time(12), tzinfo=UTC)
    seen: dict[str, tuple[planning.Prompt, datetime]] = {}
    while now < end:
        for prompt in planning.due_prompts(schedule, tz, now, HORIZON, last_rest):
            assert prompt.due_at <= now + HORIZON and prompt.expires_at > now
            if prompt.dedupe_key in seen:
                assert seen[prompt.dedupe_key][0] == prompt, "the same key must always mean the same prompt"
            else:
                seen[prompt.dedupe_key] = (prompt, now)
        later = planning.next_check(schedule, tz, now, HORIZON, last_rest, at_most=timedelta(days=3))
        assert later > now
        now = later
    start = datetime.combine(first - timedelta(days=1), time(12), tzinfo=UTC)
    return {key: seen_at for key, seen_at in seen.items() if seen_at[0].due_at >= start}  # earlier ones cannot be judged


def evening_only(at: str) -> Schedule:
    return Schedule(Evening(True, planning.clock(at)), OFF, None)


def check_evenings(seen: dict, at: time, tz: ZoneInfo, first: date, last: date) -> None:
    by_date: dict[date, list] = {}
    for prompt, first_seen in seen.values():
        by_date.setdefault(prompt.local_date, []).append((prompt, first_seen))
    day = first
    while day <= last:
        prompts = by_date.get(day, [])
        assert len(prompts) == 1, f"{tz.key} {day} {at}: {len(prompts)} prompts"
        prompt, first_seen = prompts[0]
        assert prompt.due_at == expected_instant(day, at, tz), f"{tz.key} {day} {at}"
        assert first_seen <= prompt.due_at, "planned only after it was due"
        assert prompt.expires_at == prompt.due_at + planning.EVENING_LIFETIME
        day += timedelta(days=1)


@pytest.mark.parametrize("zone", ZONES)
def test_a_year_of_evenings_gives_one_prompt_per_local_date_at_the_chosen_time(zone):
    tz = ZoneInfo(zone)
    shifted = 0
    for at_text in EVENING_TIMES:
        at = planning.clock(at_text)
        seen = simulate(evening_only(at_text), tz, *YEAR)
        check_evenings(seen, at, tz, *YEAR)
        for prompt, _ in seen.values():
            local = prompt.due_at.astimezone(tz)
            if exists(prompt.local_date, at, tz):
                assert (local.date(), local.time()) == (prompt.local_date, at)
            else:
                assert local.date() == prompt.local_date and local.time() > at, "a missing time moves forward"
                shifted += 1
    assert shifted == {"America/New_York": 1, "Europe/London": 1, "Australia/Lord_Howe": 1,
                       "America/Santiago": 1, "Asia/Kolkata": 0}[zone], "each DST zone has exactly one gap that year"


@pytest.mark.parametrize("zone, day, at, wall", [
    ("America/New_York", date(2026, 3, 8), "02:15", "03:15"),  # spring gap of an hour
    ("Australia/Lord_Howe", date(2026, 10, 4), "02:15", "02:45"),  # a half-hour gap
    ("America/Santiago", date(2026, 9, 6), "00:30", "01:30"),  # the gap at midnight
    ("Europe/London", date(2026, 3, 29), "01:45", "02:45"),
])
def test_a_nonexistent_time_moves_forward_by_the_gap(zone, day, at, wall):
    tz = ZoneInfo(zone)
    [prompt] = [p for p, _ in simulate(evening_only(at), tz, day, day).values() if p.local_date == day]
    assert prompt.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") == f"{day} {wall}"


@pytest.mark.parametrize("zone, day, at", [
    ("America/New_York", date(2026, 11, 1), "01:45"),
    ("Europe/London", date(2026, 10, 25), "01:45"),
    ("Australia/Lord_Howe", date(2026, 4, 5), "01:45"),
    ("America/Santiago", date(2026, 4, 4), "23:30"),
])
def test_a_repeated_time_fires_once_at_its_first_occurrence(zone, day, at):
    tz = ZoneInfo(zone)
    wall = datetime.combine(day, planning.clock(at))
    both = [u for u in (wall.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1))]
    assert both[0] != both[1], "the test date must really repeat this time"
    now, seen = both[0] - timedelta(hours=2), {}
    while now < both[1] + timedelta(hours=2):  # a dense run over the whole night
        for prompt in planning.due_prompts(evening_only(at), tz, now, HORIZON):
            seen.setdefault(prompt.dedupe_key, prompt)
        now += timedelta(minutes=5)
    tonight = [p for p in seen.values() if p.local_date == day]
    assert len(tonight) == 1 and tonight[0].due_at == min(both)


def test_the_check_catches_a_last_run_plus_24_hours_scheduler():
    """The year test must be able to fail: a '+24 h' scheduler drifts an hour at DST."""
    tz = ZoneInfo("America/New_York")
    at = time(21)
    first = planning.local_instant(YEAR[0], at, tz)
    naive = {}
    for n in range(365):
        due = first + timedelta(days=n)
        day = due.astimezone(tz).date()
        naive[f"evening:{day}"] = (planning.Prompt("evening", f"evening:{day}", day, due, due + planning.EVENING_LIFETIME), due)
    with pytest.raises(AssertionError):
        check_evenings(naive, at, tz, *YEAR)


def expected_pacing(pacing: Pacing, tz: ZoneInfo, day: date) -> list[datetime]:
    start = expected_instant(day, pacing.active_from, tz)
    end_day = day if pacing.active_to > pacing.active_from else day + timedelta(days=1)
    end = expected_instant(end_day, pacing.active_to, tz)
    every = timedelta(minutes=pacing.every_minutes)
    slots, slot = [], start + every
    while slot < end:
        slots.append(slot)
        slot += every
    return slots


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("pacing", [
    Pacing(True, 30, time(0, 0), time(4, 0), frozenset(range(7))),  # straddles every DST change but Santiago's
    Pacing(True, 45, time(22, 0), time(2, 0), frozenset({0, 2, 4, 5, 6})),  # crosses midnight (Santiago's changes)
    Pacing(True, 90, time(9, 0), time(21, 0), frozenset({0, 1, 2, 3, 4})),
], ids=["night-30", "midnight-45", "office-90"])
def test_a_year_of_pacing_prompts_stays_inside_the_active_windows(zone, pacing):
    tz = ZoneInfo(zone)
    seen = simulate(Schedule(Evening(False, time(21)), pacing, None), tz, *YEAR)
    by_date: dict[date, list[datetime]] = {}
    for prompt, first_seen in seen.values():
        assert first_seen <= prompt.due_at
        by_date.setdefault(prompt.local_date, []).append(prompt.due_at)
    day = YEAR[0]
    while day <= YEAR[1]:
        wanted = expected_pacing(pacing, tz, day) if day.weekday() in pacing.days else []
        assert sorted(by_date.get(day, [])) == wanted, f"{zone} {day}"
        for due in wanted:  # every prompt is on a wall-clock time inside the window
            wall = due.astimezone(tz).time()
            if pacing.active_from < pacing.active_to:
                assert pacing.active_from <= wall < pacing.active_to
            else:
                assert wall >= pacing.active_from or wall < pacing.active_to
        day += timedelta(days=1)


def test_a_rest_restarts_the_pacing_clock():
    tz = ZoneInfo("Europe/Berlin")
    pacing = Pacing(True, 60, time(9), time(21), frozenset(range(7)))
    schedule = Schedule(Evening(False, time(21)), pacing, None)
    day = date(2026, 6, 10)
    rest = datetime(2026, 6, 10, 11, 40, 30, 123000, tzinfo=tz).astimezone(UTC)
    seen = simulate(schedule, tz, day, day, last_rest=rest)
    dues = sorted(p.due_at.astimezone(tz).strftime("%H:%M:%S") for p, _ in seen.values() if p.local_date == day)
    # the rest came before the window on the day before, so only 10 June counts from it
    assert dues == [f"{h:02d}:40:30" for h in range(12, 21)]


def test_turning_a_reminder_on_never_fires_for_a_time_already_past():
    tz = ZoneInfo("Europe/Berlin")
    saved = datetime(2026, 6, 10, 21, 30, tzinfo=tz).astimezone(UTC)
    prompts = planning.due_prompts(evening_only("21:00"), tz, saved, HORIZON, since=saved)
    assert prompts == []
    tomorrow = planning.due_prompts(evening_only("21:00"), tz, saved + timedelta(hours=23, minutes=25), HORIZON, since=saved)
    assert [p.local_date for p in tomorrow] == [date(2026, 6, 11)]


@pytest.mark.parametrize("quiet, local, held_until", [
    (("22:00", "07:00"), "2026-06-10 23:10", "2026-06-11 07:00"),  # crosses midnight, evening side
    (("22:00", "07:00"), "2026-06-11 06:59", "2026-06-11 07:00"),  # crosses midnight, morning side
    (("22:00", "07:00"), "2026-06-11 07:00", None),
    (("22:00", "07:00"), "2026-06-10 21:59", None),
    (("13:00", "15:00"), "2026-06-10 14:00", "2026-06-10 15:00"),
    (("13:00", "15:00"), "2026-06-10 15:30", None),
    (("01:00", "02:30"), "2026-03-29 01:30", None),  # London: 01:30 does not exist that night...
    (("00:30", "02:30"), "2026-03-29 00:45", "2026-03-29 02:30"),  # ...and the end is on the far side of the gap
])
def test_quiet_hours_hold_prompts_until_they_end(quiet, local, held_until):
    tz = ZoneInfo("Europe/London")
    at = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=tz).astimezone(UTC)
    result = planning.quiet_until(Quiet(planning.clock(quiet[0]), planning.clock(quiet[1])), tz, at)
    if held_until is None:
        assert result is None
    else:
        assert result.astimezone(tz).strftime("%Y-%m-%d %H:%M") == held_until
    assert planning.quiet_until(None, tz, at) is None
