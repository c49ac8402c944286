"""The missed-days alert (§13): a caregiver with `alerts` and `quiet_alert_days` = n hears once when
the person logged nothing on the last n local dates, and not again until the person logs again."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.push.models import PushDelivery
from server.sharing.alerts import missed_days_alerts
from server.sharing.models import Share
from tests.insights.records import Planter
from tests.sharing.helpers import follow, make_share
from tests.support.push_service import PushService

UTC = timezone.utc


@pytest.fixture
def push_service():
    with PushService() as push:
        yield push


def quiet_alerts(app, user_id: str) -> list[PushDelivery]:
    with app.app_context():
        return list(db.session.scalars(sa.select(PushDelivery).where(PushDelivery.user_id == user_id,
                                                                     PushDelivery.kind == "quiet_days")))


def check(app, now: datetime) -> int:
    with app.app_context():
        count = missed_days_alerts(now)
        db.session.commit()
        return count


def test_the_alert_comes_once_and_again_only_after_the_person_logs_again(live_server, make_user, push_service):
    app = live_server.app
    person, caregiver, without_days = make_user(timezone="UTC"), make_user(), make_user()
    now = datetime.now(UTC)
    plant = Planter(person)
    plant.twitch((now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    plant.push()
    follow(person, caregiver, ["summary", "alerts"], quiet_alert_days=3)
    follow(person, without_days, ["summary", "alerts"])  # no quiet_alert_days: never told
    device = push_service.subscribe()
    assert caregiver.put("/api/v1/push/subscriptions", json=device.to_json()).status_code == 201
    caregiver_id = caregiver.user["id"]

    today = now.date()
    midnight = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    assert check(app, midnight + timedelta(days=3, hours=23)) == 0  # quiet on the 2nd and 3rd only: not yet n dates
    assert check(app, midnight + timedelta(days=4, minutes=1)) == 1  # 1st..3rd quiet: told
    assert check(app, midnight + timedelta(days=4, hours=5)) == 0
    assert check(app, midnight + timedelta(days=9)) == 0  # still quiet, but told already
    assert len(quiet_alerts(app, caregiver_id)) == 1
    assert quiet_alerts(app, without_days.user["id"]) == [] and quiet_alerts(app, person.user["id"]) == []

    # queued for the caregiver's device like any push (the red-flag tests follow one to the device)
    [delivery] = quiet_alerts(app, caregiver_id)
    payload = json.loads(delivery.payload)
    assert payload["kind"] == "quiet_days" and "3 days" in payload["body"] and person.user["email"] in payload["body"]
    assert delivery.not_before == midnight + timedelta(days=4, minutes=1) and delivery.state == "queued"

    plant = Planter(person)  # the person logs again (dated on the 10th)
    plant.checkin((today + timedelta(days=10)).isoformat(), stress=2)
    plant.push()
    assert check(app, midnight + timedelta(days=12)) == 0  # the 10th and 11th: not n quiet dates
    assert check(app, midnight + timedelta(days=14, minutes=1)) == 1  # 11th..13th quiet: told again
    assert check(app, midnight + timedelta(days=15)) == 0
    assert len(quiet_alerts(app, caregiver_id)) == 2


def test_a_share_made_during_the_quiet_stretch_waits_for_its_own_n_dates(live_server, make_user):
    app = live_server.app
    person, caregiver = make_user(timezone="UTC"), make_user()
    plant = Planter(person)
    plant.twitch("2020-01-01T10:00:00Z")  # long ago
    plant.push()
    follow(person, caregiver, ["summary", "alerts"], quiet_alert_days=2)
    now = datetime.now(UTC)
    assert check(app, now + timedelta(hours=1)) == 0  # shared only now: not two whole quiet dates yet
    assert check(app, now + timedelta(days=3)) == 1


@pytest.mark.parametrize("body, ok", [
    ({"kind": "caregiver", "scopes": ["summary", "alerts"], "quiet_alert_days": 2}, True),
    ({"kind": "caregiver", "scopes": ["summary", "alerts"], "quiet_alert_days": 14}, True),
    ({"kind": "caregiver", "scopes": ["summary", "alerts"], "quiet_alert_days": None}, True),
    ({"kind": "caregiver", "scopes": ["summary", "alerts"], "quiet_alert_days": 1}, False),
    ({"kind": "caregiver", "scopes": ["summary", "alerts"], "quiet_alert_days": 15}, False),
    ({"kind": "caregiver", "scopes": ["summary", "alerts"], "quiet_alert_days": "3"}, False),
    ({"kind": "caregiver", "scopes": ["summary"], "quiet_alert_days": 3}, False),  # no alerts scope
    ({"kind": "link", "scopes": ["summary"], "quiet_alert_days": 3}, False),
])
def test_quiet_alert_days_is_checked_at_creation(live_server, user, body, ok):
    def user_app():
        return live_server.app

    share = make_share(user, body["kind"], body["scopes"], expect=201 if ok else 400,
                       **{k: v for k, v in body.items() if k not in ("kind", "scopes")})
    if ok:
        with user_app().app_context():
            assert db.session.get(Share, share["id"]).quiet_alert_days == body["quiet_alert_days"]
    else:
        assert "quiet_alert_days" in share["errors"] or "scopes" in share["errors"]
