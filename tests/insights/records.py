"""Factories for planting records through the real sync push (the only way records are written)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.sync.entities import checkin_record_id


def at_local(day: date | str, hour: int = 12, minute: int = 0, zone: str = "Europe/Berlin") -> str:
    """The UTC instant of a local wall-clock time, as the API wants it."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    local = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone))
    return local.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def days(first: date | str, count: int) -> list[date]:
    if isinstance(first, str):
        first = date.fromisoformat(first)
    return [first + timedelta(days=i) for i in range(count)]


class Planter:
    """Collects mutations for one account and pushes them in batches of at most 1,000."""

    def __init__(self, api):
        self.api = api
        self.mutations: list[dict] = []

    def twitch(self, occurred_at: str, **fields) -> str:
        record_id = str(uuid.uuid4())
        self.mutations.append(self.api.mutation("twitch", record_id, {"occurred_at": occurred_at, **fields}))
        return record_id

    def checkin(self, local_date: date | str, **fields) -> str:
        day = local_date.isoformat() if isinstance(local_date, date) else local_date
        record_id = checkin_record_id(day)
        self.mutations.append(self.api.mutation("checkin", record_id, {"local_date": day, **fields}))
        return record_id

    def symptom(self, observed_at: str, kind: str, **fields) -> str:
        record_id = str(uuid.uuid4())
        self.mutations.append(self.api.mutation("symptom", record_id, {"observed_at": observed_at, "kind": kind, **fields}))
        return record_id

    def activity(self, started_at: str, level: str = "rest", **fields) -> str:
        record_id = str(uuid.uuid4())
        self.mutations.append(self.api.mutation("activity", record_id, {"started_at": started_at, "level": level, **fields}))
        return record_id

    def intake(self, taken_at: str, kind: str = "magnesium", **fields) -> str:
        record_id = str(uuid.uuid4())
        self.mutations.append(self.api.mutation("intake", record_id, {"taken_at": taken_at, "kind": kind, **fields}))
        return record_id

    def delete(self, entity: str, record_id: str) -> None:
        self.mutations.append(self.api.mutation(entity, record_id, op="delete"))

    def push(self) -> None:
        while self.mutations:
            batch, self.mutations = self.mutations[:1000], self.mutations[1000:]
            result = self.api.push(batch)
            assert result["rejected"] == [], result["rejected"]


def insights(api, first: str | None = None, last: str | None = None, expect: int = 200) -> dict:
    params = {k: v for k, v in (("from", first), ("to", last)) if v is not None}
    response = api.get("/api/v1/insights", params=params)
    assert response.status_code == expect, response.text
    return response.json()
