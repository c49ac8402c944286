"""Reminders end to end in the database: planned at the local time, held by quiet hours, cancelled
by a check-in or a rest, snoozed or done from one device for all of them."""
from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.extensions import db
from server.instants import format_instant, utcnow
from server.push import dispatch, service
from server.push.models import PushDelivery, ReminderOccurrence, ReminderSettings
from server.sync.entities import checkin_record_id
from tests.push.conftest import rows, send_everything

BERLIN = ZoneInfo("Europe/Berlin")
OFF_PACING = {"enabled": False, "every_minutes": 90, "active_from": "09:00", "active_to": "21:00", "days": [0, 1, 2, 3, 4]}


def hhmm(instant: datetime, tz=BERLIN) -> str:
    return instant.astimezone(tz).strftime("%H:%M")


def minute(instant: datetime) -> datetime:
    return instant.replace(second=0, microsecond=0)


def evening_soon(user, quiet=None, minutes: int = 2) -> datetime:
    """Turn the evening prompt on for a couple of minutes from now; its instant."""
    due = minute(utcnow()) + timedelta(minutes=minutes)
    body = {"evening": {"enabled": True, "time": hhmm(due)}, "pacing": OFF_PACING, "quiet_hours": quiet}
    assert user.put("/api/v1/reminders", json=body).status_code == 200
    return due


def occurrences(app, user) -> list[ReminderOccurrence]:
    return rows(app, ReminderOccurrence, user_id=user.user["id"])


def test_the_evening_prompt_comes_once_at_the_local_time_on_every_device(user, subscribe, push_service, dispatcher, clock, live_server):
    phone, laptop = subscribe(user), subscribe(user)
    due = evening_soon(user)
    sender = dispatcher()
    clock.now = due - timedelta(minutes=20)
    send_everything(sender)
    assert occurrences(live_server.app, user) == [], "not planned before the horizon"
    clock.now = due - timedelta(minutes=5)
    send_everything(sender)
    [planned] = occurrences(live_server.app, user)
    assert planned.status == "planned" and planned.due_at == due and push_service.received() == []
    clock.now = due
    send_everything(sender)
    for device in (phone, laptop):
        [message] = push_service.delivered(device)
        assert message.problems == []
        assert message.payload["kind"] == "evening" and message.payload["occurrence_id"] == planned.id
        assert message.payload["tag"] == "twitchlog-evening" and message.topic == "evening"
        assert [a["title"] for a in message.payload["actions"]] == ["Snooze 15 min", "Done"]
        assert 0 < message.ttl <= 3 * 3600
    for later in (1, 2, 5):
        clock.now = due + timedelta(hours=later)
        send_everything(sender)
    assert len(push_service.received()) == 2, "one prompt per local date"


def test_no_evening_prompt_when_the_date_already_has_a_checkin(user, subscribe, push_service, dispatcher, clock, live_server):
    subscribe(user)
    due = evening_soon(user)
    day = due.astimezone(BERLIN).date()
    user.push([user.mutation("checkin", checkin_record_id(day), {"local_date": day.isoformat(), "stress": 3})])
    clock.now = due
    send_everything(dispatcher())
    assert push_service.received() == []
    assert [o.status for o in occurrences(live_server.app, user)] == ["cancelled"]


def test_a_checkin_synced_after_planning_cancels_the_prompt(user, subscribe, push_service, dispatcher, clock, live_server):
    subscribe(user)
    due = evening_soon(user)
    sender = dispatcher()
    clock.now = due - timedelta(minutes=5)
    send_everything(sender)
    assert [o.status for o in occurrences(live_server.app, user)] == ["planned"]
    day = due.astimezone(BERLIN).date()
    user.push([user.mutation("checkin", checkin_record_id(day), {"local_date": day.isoformat(), "sleep_hours": 7})])
    assert [o.status for o in occurrences(live_server.app, user)] == ["cancelled"]
    clock.now = due
    send_everything(sender)
    assert push_service.received() == []


def test_quiet_hours_hold_the_prompt_until_they_end(user, subscribe, push_service, dispatcher, clock, live_server):
    device = subscribe(user)
    due = minute(utcnow()) + timedelta(minutes=2)
    quiet_end = due + timedelta(minutes=50)
    evening_soon(user, quiet={"from": hhmm(due - timedelta(minutes=10)), "to": hhmm(quiet_end)})
    sender = dispatcher()
    clock.now = due
    send_everything(sender)
    assert push_service.received() == []
    [held] = occurrences(live_server.app, user)
    assert held.status == "planned" and held.send_at == quiet_end
    clock.now = quiet_end - timedelta(minutes=1)
    send_everything(sender)
    assert push_service.received() == []
    clock.now = quiet_end
    send_everything(sender)
    assert len(push_service.delivered(device)) == 1


def test_a_prompt_held_past_its_expiry_is_dropped(user, subscribe, push_service, dispatcher, clock, live_server):
    subscribe(user)
    due = minute(utcnow()) + timedelta(minutes=2)
    evening_soon(user, quiet={"from": hhmm(due - timedelta(minutes=10)), "to": hhmm(due + timedelta(hours=4))})
    sender = dispatcher()
    for step in range(0, 6 * 60, 20):
        clock.now = due + timedelta(minutes=step)
        send_everything(sender)
    assert push_service.received() == []
    assert [o.status for o in occurrences(live_server.app, user)] == ["expired"]


def sent_prompt(user, subscribe, push_service, dispatcher, clock):
    phone, laptop = subscribe(user), subscribe(user)
    due = evening_soon(user)
    sender = dispatcher()
    clock.now = due - timedelta(minutes=5)
    send_everything(sender)
    clock.now = due
    send_everything(sender)
    [first] = push_service.delivered(phone)
    return sender, phone, laptop, first.payload["occurrence_id"]


def test_snooze_from_one_device_delays_the_prompt_for_all(user, subscribe, push_service, dispatcher, clock, live_server):
    sender, phone, laptop, occurrence_id = sent_prompt(user, subscribe, push_service, dispatcher, clock)
    snoozed_at = utcnow()
    response = user.post(f"/api/v1/reminders/{occurrence_id}/snooze", json={"minutes": 15})  # from the phone
    assert response.status_code == 200 and response.json()["status"] == "planned"
    for step in (1, 5, 14):
        clock.now = snoozed_at + timedelta(minutes=step)
        send_everything(sender)
    assert len(push_service.received(phone)) == len(push_service.received(laptop)) == 1, "held on every device"
    clock.now = snoozed_at + timedelta(minutes=15, seconds=5)
    send_everything(sender)
    again = push_service.delivered(phone)[-1], push_service.delivered(laptop)[-1]
    assert len(push_service.delivered(phone)) == len(push_service.delivered(laptop)) == 2
    assert {m.payload["occurrence_id"] for m in again} == {occurrence_id} and {m.topic for m in again} == {"evening"}


def test_done_stops_the_prompt_everywhere(user, subscribe, push_service, dispatcher, clock, live_server):
    from tests.support.push_service import Reply

    sender, phone, laptop, occurrence_id = sent_prompt(user, subscribe, push_service, dispatcher, clock)
    user.post(f"/api/v1/reminders/{occurrence_id}/snooze", json={"minutes": 5})
    push_service.script(phone, Reply(503))  # the phone's copy will wait for a retry...
    clock.now = utcnow() + timedelta(minutes=5, seconds=5)
    send_everything(sender)
    assert len(push_service.delivered(laptop)) == 2 and push_service.received(phone)[-1].status == 503
    assert user.post(f"/api/v1/reminders/{occurrence_id}/done").json()["status"] == "done"  # ...done on the laptop
    assert user.post(f"/api/v1/reminders/{occurrence_id}/snooze", json={"minutes": 15}).json()["status"] == "done"
    for hours in (0.1, 1, 3, 20):
        clock.now = utcnow() + timedelta(hours=hours)
        send_everything(sender)
    assert len(push_service.received(phone)) == 2 and len(push_service.received(laptop)) == 2
    states = {d.state for d in rows(live_server.app, PushDelivery, occurrence_id=occurrence_id)}
    assert states <= {"sent", "cancelled"} and "cancelled" in states


def test_pacing_prompts_every_n_minutes_and_a_synced_rest_restarts_the_count(user, subscribe, push_service, dispatcher, clock, live_server):
    device = subscribe(user)
    start = minute(utcnow()) - timedelta(hours=3)  # in the recent past, so synced rests are not in the future
    pacing = {"enabled": True, "every_minutes": 30, "active_from": hhmm(start), "active_to": hhmm(start + timedelta(minutes=150)),
              "days": list(range(7))}
    with live_server.app.app_context():
        service.replace_settings(user.user["id"], {"evening": {"enabled": False, "time": "21:00"}, "pacing": pacing,
                                                   "quiet_hours": None}, now=start - timedelta(minutes=1))
        db.session.commit()
    sender = dispatcher()

    def at(minutes: int) -> int:
        clock.now = start + timedelta(minutes=minutes)
        send_everything(sender)
        return len(push_service.delivered(device))

    assert at(29) == 0 and at(30) == 1
    message = push_service.delivered(device)[0]
    assert message.payload["kind"] == "pacing" and message.topic == "pacing"
    assert [a["title"] for a in message.payload["actions"]] == ["Snooze 15 min", "I rested"]
    rest = user.mutation("activity", str(uuid.uuid4()), {"started_at": format_instant(start + timedelta(minutes=40)),
                                                         "ended_at": format_instant(start + timedelta(minutes=45)), "level": "rest"})
    assert user.push([rest])["rejected"] == []
    assert at(60) == 1, "the rest at +45 moved the next prompt"
    assert at(74) == 1 and at(75) == 2 and at(104) == 2 and at(105) == 3 and at(135) == 4
    assert at(165) == 4 and at(300) == 4, "nothing after the window closes"


def test_i_rested_on_a_pacing_prompt_restarts_the_count(user, subscribe, push_service, dispatcher, clock, live_server):
    device = subscribe(user)
    start = minute(utcnow()) - timedelta(minutes=31)
    pacing = {"enabled": True, "every_minutes": 30, "active_from": hhmm(start), "active_to": hhmm(start + timedelta(hours=3)),
              "days": list(range(7))}
    with live_server.app.app_context():
        service.replace_settings(user.user["id"], {"evening": {"enabled": False, "time": "21:00"}, "pacing": pacing,
                                                   "quiet_hours": None}, now=start)
        db.session.commit()
    sender = dispatcher()
    clock.now = start + timedelta(minutes=30)
    send_everything(sender)
    [prompt] = push_service.delivered(device)
    assert user.post(f"/api/v1/reminders/{prompt.payload['occurrence_id']}/done").status_code == 200
    [settings] = rows(live_server.app, ReminderSettings, user_id=user.user["id"])
    rested = settings.rested_at.replace(microsecond=0)
    clock.now = rested + timedelta(minutes=29)
    send_everything(sender)
    assert len(push_service.delivered(device)) == 1
    clock.now = rested + timedelta(minutes=30, seconds=1)
    send_everything(sender)
    assert len(push_service.delivered(device)) == 2


def test_changing_the_time_replans_a_prompt_not_yet_sent(user, subscribe, push_service, dispatcher, clock, live_server):
    subscribe(user)
    due = evening_soon(user, minutes=8)
    sender = dispatcher()
    clock.now = due - timedelta(minutes=5)
    send_everything(sender)
    earlier = evening_soon(user, minutes=3)
    clock.now = earlier
    send_everything(sender)
    [occurrence] = occurrences(live_server.app, user)
    assert occurrence.due_at == earlier and len(push_service.delivered()) == 1
    clock.now = due
    send_everything(sender)
    assert len(push_service.delivered()) == 1


def test_planning_is_idempotent_under_concurrent_dispatchers(make_user, dispatcher, clock, live_server):
    people = [make_user() for _ in range(3)]
    dues = [evening_soon(person, minutes=5) for person in people]
    clock.now = max(dues)
    senders = [dispatcher() for _ in range(3)]
    threads = [threading.Thread(target=s.plan) for s in senders for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for person in people:
        assert len(occurrences(live_server.app, person)) == 1


@pytest.mark.parametrize("zone, at, night, fires", [
    ("America/New_York", "01:30", "2027-11-07", "2027-11-07T05:30:00+00:00"),  # repeated: the first one
    ("America/New_York", "02:30", "2027-03-14", "2027-03-14T07:30:00+00:00"),  # missing: 03:30 EDT
    ("Australia/Lord_Howe", "02:10", "2027-10-03", "2027-10-02T15:40:00+00:00"),  # missing by half an hour
])
def test_the_database_planner_fires_once_across_a_dst_night(make_user, dispatcher, clock, live_server, zone, at, night, fires):
    person = make_user(timezone=zone)
    day = datetime.fromisoformat(night)
    with live_server.app.app_context():
        service.replace_settings(person.user["id"], {"evening": {"enabled": True, "time": at}, "pacing": OFF_PACING,
                                                     "quiet_hours": None}, now=day.replace(tzinfo=ZoneInfo(zone)) - timedelta(days=2))
        db.session.commit()
    sender = dispatcher()
    clock.now = day.replace(tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC")) - timedelta(hours=3)
    end = clock.now + timedelta(hours=30)
    while clock.now < end:
        with live_server.app.app_context():
            sender._write(dispatch.plan_reminders, clock.now)
            sender._write(dispatch.fan_out, clock.now)
        clock.advance(minutes=7)
    tonight = [o for o in occurrences(live_server.app, person) if o.local_date.isoformat() == night]
    assert len(tonight) == 1 and tonight[0].due_at == datetime.fromisoformat(fires)
    assert tonight[0].status == "sent"
