"""Hypothesis strategies for §2 records and the sizes the sync property tests run at.

TWITCHLOG_SYNC_SCALE multiplies the number of examples (for example 10 for a long hunt, 0.3 for
a quick look), as do HYPOTHESIS_PROFILE=thorough (x10) and =quick (x0.3); the default (and `ci`)
keeps tests/sync well under a minute on SQLite on a shared 2-core box. Only these tests scale:
no global Hypothesis profile is loaded, so other suites keep their own settings.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from server.sync.schemas import BODY_REGIONS, SIDES

PROFILE_SCALE = {"quick": 0.3, "thorough": 10.0}
SCALE = float(os.environ.get("TWITCHLOG_SYNC_SCALE") or PROFILE_SCALE.get(os.environ.get("HYPOTHESIS_PROFILE", ""), 1.0))
# Every instant and clock of the simulated devices lies in the two days before the run, so the
# server's 5-minute future clamp (tested case by case) never touches them.
EPOCH = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=2)
EPOCH_MS = int(EPOCH.timestamp() * 1000)


def sized(examples: int, **kwargs) -> settings:
    return settings(
        max_examples=max(1, round(examples * SCALE)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        derandomize=bool(os.environ.get("CI")),  # CI gates a landing on the same examples each run; laptops explore
        **kwargs,
    )


def instants():
    return st.integers(0, 2 * 24 * 3600).map(lambda s: f"{EPOCH + timedelta(seconds=s):%Y-%m-%dT%H:%M:%SZ}")


def notes(limit: int = 20):
    return st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=limit)


def maybe(strategy):
    return st.none() | strategy


TWITCH_OPTIONAL = {
    "body_region": maybe(st.sampled_from(BODY_REGIONS)),
    "side": maybe(st.sampled_from(SIDES)),
    "intensity": maybe(st.integers(1, 5)),
    "visibility": maybe(st.sampled_from(("felt", "visible"))),
    "pattern": maybe(st.sampled_from(("single", "burst", "continuous"))),
    "at_rest": maybe(st.booleans()),
    "note": maybe(notes()),
}
CHECKIN_OPTIONAL = {
    "sleep_hours": maybe(st.integers(0, 48).map(lambda n: n / 2)),
    "sleep_quality": maybe(st.integers(1, 5)),
    "stress": maybe(st.integers(0, 10)),
    "anxiety": maybe(st.integers(0, 10)),
    "fatigue": maybe(st.integers(0, 10)),
    "exertion": maybe(st.integers(0, 10)),
    "twitch_burden": maybe(st.integers(0, 10)),
    "hydration_l": maybe(st.integers(0, 40).map(lambda n: n / 4)),
    "electrolytes": maybe(st.booleans()),
    "magnesium_mg": maybe(st.integers(0, 2000)),
    "caffeine_mg": maybe(st.integers(0, 2000)),
    "note": maybe(notes()),
}


def new_twitch():
    """The fields of a freshly logged twitch: the time, and whatever details were added."""
    return st.fixed_dictionaries({"occurred_at": instants()}, optional=TWITCH_OPTIONAL)


def twitch_edit():
    """A change to some fields of a twitch (never clearing the required time)."""
    return st.fixed_dictionaries({}, optional={"occurred_at": instants(), **TWITCH_OPTIONAL}).filter(bool)


def checkin_edit():
    return st.fixed_dictionaries({}, optional=CHECKIN_OPTIONAL).filter(bool)


# Each is rejected whatever the record holds, so its fate does not depend on arrival order.
INVALID_TWITCH_EDITS = st.sampled_from([
    {"intensity": 0}, {"intensity": 6}, {"intensity": 2.5}, {"intensity": True}, {"occurred_at": None},
    {"occurred_at": "2026-11-25T19:42:10"}, {"side": "up"}, {"note": "x" * 501}, {"at_rest": "yes"},
    {"deleted": "no"}, {"colour": "red"}, {"body_region": "calf", "intensity": -1},
])

DAYS = tuple(f"{EPOCH.date() + timedelta(days=n)}" for n in range(3))
