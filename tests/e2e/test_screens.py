"""The screens do what a person expects, stored as §2 records."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from tests.e2e.conftest import TIMEZONE, Device


def records(device: Device, entity: str) -> list[dict]:
    return [r["view"]["fields"] for r in device.live_records(entity)]


def test_checkin_starts_empty_keeps_one_record_per_date_and_saves_only_what_changed(device: Device):
    page = device.page
    today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    device.screen("checkin")
    page.get_by_label("Date").fill(yesterday)
    page.get_by_label("Date").dispatch_event("change")
    page.get_by_label("Sleep last night (hours)").fill("6.5")
    page.get_by_role("radio", name="4").first.check()
    page.get_by_label("Stress (0–10)").fill("7")
    page.get_by_label("Note").fill("long day")
    page.get_by_role("button", name="Save check-in").click()
    page.locator("#toast", has_text=f"Check-in for {yesterday} saved").wait_for()
    assert page.get_by_label("Note").input_value() == "long day", "the saved note shows again"

    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("Date").dispatch_event("change")
    device.wait_until("() => document.querySelector('#checkin-notice').textContent === ''"
                      " && document.querySelector('.checkin textarea').value === ''", what="today's empty check-in")
    assert page.get_by_label("Sleep last night (hours)").input_value() == "", "yesterday's answers are not copied"
    assert page.get_by_label("Note").input_value() == ""
    page.get_by_label("Caffeine (mg)").fill("80")
    page.get_by_role("button", name="Save check-in").click()
    page.locator("#toast", has_text="saved").wait_for()
    page.get_by_role("button", name="Save check-in").click()  # saving again changes nothing
    device.wait_local("s.records.filter((r) => r.entity === 'checkin').length === 2")
    by_date = {c["local_date"]: c for c in records(device, "checkin")}
    assert by_date[today.isoformat()] == {"local_date": today.isoformat(), "caffeine_mg": 80}
    assert by_date[yesterday]["note"] == "long day"
    assert by_date[yesterday]["stress"] == 7 and by_date[yesterday]["sleep_quality"] == 4
    assert len(device.local()["outbox"]) == 2


def test_a_red_flag_symptom_gets_a_calm_talk_to_a_doctor_and_others_do_not(device: Device):
    page = device.page
    device.screen("symptoms")
    page.get_by_role("radio", name="Cramp").check()
    page.get_by_role("button", name="Log symptom").click()
    page.locator("#toast", has_text="Symptom logged").wait_for()
    assert page.locator("#red-flag").count() == 0
    page.get_by_role("radio", name="Trouble swallowing").check()
    page.get_by_label("It is getting worse over time").check()
    page.get_by_role("button", name="Log symptom").click()
    advice = page.locator("#red-flag")
    advice.wait_for()
    assert "talk to a doctor" in advice.inner_text().lower()
    assert "trouble swallowing" in advice.inner_text()
    assert page.evaluate("document.activeElement.id") == "red-flag"
    kinds = sorted((s["kind"], s["progressive"]) for s in records(device, "symptom"))
    assert kinds == [("cramp", False), ("swallowing_difficulty", True)]


def test_pacing_rest_breaks_activities_and_intakes(device: Device):
    page = device.page
    device.screen("pacing")
    page.get_by_role("button", name="Start rest break").click()
    page.get_by_role("button", name="End rest break").click()
    page.get_by_role("button", name="Start rest break").wait_for()
    page.get_by_role("radio", name="Moderate").check()
    page.get_by_label("What was it? (optional)").fill("walk")
    page.get_by_role("radio", name="30 min").check()  # minutes by chips (issue 12)
    page.get_by_role("button", name="Log activity").click()
    page.locator("#toast", has_text="Activity logged").wait_for()
    page.get_by_label("What", exact=True).select_option("magnesium")
    page.get_by_label("Amount (optional)").fill("200")
    page.get_by_role("button", name="Log intake").click()
    page.locator("#toast", has_text="Intake logged").wait_for()

    activities = sorted(records(device, "activity"), key=lambda a: a["level"])
    assert [a["level"] for a in activities] == ["moderate", "rest"]
    walk, rest = activities
    assert rest["ended_at"] >= rest["started_at"]
    assert walk["label"] == "walk"
    assert dt.datetime.fromisoformat(walk["ended_at"]) - dt.datetime.fromisoformat(walk["started_at"]) == dt.timedelta(minutes=30)
    [intake] = records(device, "intake")
    assert (intake["kind"], intake["amount"], intake["unit"]) == ("magnesium", 200, "mg")


def test_any_entry_can_be_edited_in_the_editor(device: Device):
    page = device.page
    device.screen("symptoms")
    page.get_by_role("radio", name="Numbness or tingling").check()
    page.get_by_label("Note (optional)").fill("left foot")
    page.get_by_role("button", name="Log symptom").click()
    page.locator(".entry").first.get_by_role("button", name="Edit").click()
    editor = page.locator("dialog.editor")
    assert editor.get_by_label("Note").input_value() == "left foot"
    editor.get_by_label("Note").fill("left foot, worse at night")
    editor.get_by_label("Body region").select_option("foot")
    editor.get_by_role("button", name="Save").click()
    editor.wait_for(state="detached")
    device.wait_local("s.records.some((r) => r.view.fields.note === 'left foot, worse at night')")
    [symptom] = records(device, "symptom")
    assert symptom["body_region"] == "foot"
    assert symptom["kind"] == "numbness"
