"""Settings -> Import in a real Chromium: pick a file, preview, change a mapping, confirm, see the records.

The screen sends the real file to the real server (multipart, dry_run for the preview), and the
device pulls what was added through sync. Axe runs on the preview in light and dark; screenshots
at 390x844 go to screenshots/ for a reviewer.
"""
from __future__ import annotations

import random
import uuid
from pathlib import Path

import pytest

from benchmarks.import_bench import daylio_file
from tests.e2e.conftest import Device
from tests.e2e.screens import shoot
from tests.e2e.test_accessibility import assert_no_violations

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).resolve().parents[1] / "imports" / "fixtures"


def open_import(device: Device):
    device.open("/")
    device.sign_up(f"import-{uuid.uuid4().hex[:8]}@example.org")
    device.screen("more")
    device.page.get_by_role("link", name="Bring in your history").click()
    device.page.get_by_role("heading", name="Bring in your history").wait_for()


def preview_of(device: Device, source: str, path: Path):
    page = device.page
    page.get_by_label(source, exact=True).check()
    page.get_by_label("The exported file (CSV, up to 10 MB)").set_input_files(str(path))
    page.get_by_role("heading", name="What will be added").wait_for()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_person_previews_changes_a_mapping_and_imports(make_device, scheme):
    device = make_device(color_scheme=scheme)
    open_import(device)
    page = device.page
    preview_of(device, "Bearable", FIXTURES / "bearable.csv")
    preview = page.locator("section.card", has=page.get_by_role("heading", name="What will be added"))
    preview.get_by_text("15 rows in the file.").wait_for()
    preview.get_by_text("4 twitches").wait_for()
    assert preview.get_by_text("activities").count() == 0
    assert page.get_by_label("Muscle twitching").input_value() == "twitch"
    assert page.get_by_label("Walk").input_value() == "note"
    shoot(device, "import preview", scheme)
    assert_no_violations(device, f"import preview ({scheme})")

    page.get_by_label("Walk").select_option("activity:light")
    preview.get_by_text("1 activities").wait_for()  # the preview follows the change
    page.get_by_label("Headache").select_option("ignore")
    button = page.get_by_role("button", name="Add 15 records")
    button.wait_for()
    button.click()
    page.get_by_text("Done: 15 records added.").wait_for()
    shoot(device, "import done", scheme)
    assert_no_violations(device, f"import done ({scheme})")
    device.wait_local("s.records.filter((r) => r.entity === 'twitch' && !r.view.deleted).length === 4")
    device.wait_local("s.records.filter((r) => r.entity === 'activity' && JSON.stringify(r.view).includes('Walk')).length === 1")
    local = device.local()["records"]
    checkins = [r for r in local if r["entity"] == "checkin"]
    assert len(checkins) == 3 and not any("Headache" in str(r["view"]) for r in checkins), "a label left out is not in any note"


def test_a_large_file_shows_progress_and_a_bad_file_says_what_is_wrong(make_device, tmp_path):
    device = make_device()
    open_import(device)
    page = device.page
    bad = tmp_path / "notes.csv"
    bad.write_bytes(b"this,is,not\nan,export,at all\n")
    page.get_by_label("Visible", exact=True).check()
    page.get_by_label("The exported file (CSV, up to 10 MB)").set_input_files(str(bad))
    page.get_by_role("alert").get_by_text("This is not a Visible export").wait_for()
    shoot(device, "import bad file")
    assert_no_violations(device, "import bad file")

    large = tmp_path / "daylio.csv"
    large.write_bytes(daylio_file(6000, random.Random(14)))
    preview_of(device, "Daylio", large)
    page.get_by_text("6,000 rows in the file.").wait_for()
    page.get_by_role("button", name="Add").filter(has_text="records").click()
    progress = page.get_by_role("progressbar", name="Import progress")
    progress.wait_for(state="visible")
    shoot(device, "import in progress")
    page.get_by_text("records added").wait_for(timeout=60_000)
    assert progress.is_hidden()


def test_choosing_the_right_app_after_a_refusal_reads_the_file_again(make_device):
    device = make_device()
    open_import(device)
    page = device.page
    page.get_by_label("Visible", exact=True).check()
    page.get_by_label("The exported file (CSV, up to 10 MB)").set_input_files(str(FIXTURES / "daylio.csv"))
    page.get_by_role("alert").get_by_text("This is not a Visible export").wait_for()
    page.get_by_label("Daylio", exact=True).check()
    page.get_by_text("8 rows in the file.").wait_for()
    assert page.locator(".import-problem").inner_text() == "", "the refusal is gone"
