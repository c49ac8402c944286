"""A new version waits for the person: "Update available", one tap, then the new shell."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.e2e.conftest import Device
from tests.e2e.test_accessibility import assert_no_violations

PWA = Path(__file__).resolve().parents[2] / "pwa"
SHELL_CACHES = "async () => (await caches.keys()).filter((n) => n.startsWith('twitchlog-shell-')).sort()"


def ship_new_version(shell: Path, version: str) -> None:
    """What a release does: change a file and the version that sw.js carries."""
    worker = shell / "sw.js"
    text, count = re.subn(r'^const VERSION = "[^"]*";$', f'const VERSION = "{version}";', worker.read_text(), flags=re.M)
    assert count == 1
    worker.write_text(text)
    css = shell / "css" / "app.css"
    css.write_text(css.read_text() + "\n.update-marker { order: 1; }\n")


def test_an_update_waits_for_one_tap_and_then_takes_over(make_app, make_device, tmp_path):
    shell = tmp_path / "pwa"
    shutil.copytree(PWA, shell)
    server = make_app(pwa_dir=shell)
    device: Device = make_device(server.url).open().wait_controlled()
    [old_cache] = device.page.evaluate(SHELL_CACHES)
    device.page.evaluate("caches.open('someone-elses-cache')")
    device.log_twitch()
    other_tab = device.context.new_page()
    other_tab.goto("/#/checkin")
    other_tab.wait_for_selector("#nav a")

    ship_new_version(shell, "e2enext00001")
    device.page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    reload_button = device.page.get_by_role("button", name="Reload now")
    reload_button.wait_for()
    assert device.page.get_by_text("Update available").is_visible()
    assert_no_violations(device, "the update banner")
    # Nothing was swapped under the person's hand: the old worker still serves the old shell.
    assert device.page.evaluate("navigator.serviceWorker.getRegistration().then((r) => !!r.waiting)")
    assert old_cache in device.page.evaluate(SHELL_CACHES)

    with device.page.expect_navigation():
        reload_button.click()
    device.page.wait_for_selector("#nav a")
    device.wait_until(f"({SHELL_CACHES})().then((names) => names.join() === 'twitchlog-shell-e2enext00001')",
                      what="the old shell cache to be replaced by the new one")
    assert device.page.evaluate("navigator.serviceWorker.getRegistration().then((r) => !r.waiting)")
    assert "someone-elses-cache" in device.page.evaluate("caches.keys()"), "only our own old caches are deleted"
    css = device.page.evaluate("fetch('/css/app.css').then((r) => r.text())")
    assert ".update-marker" in css, "the page now runs on the new shell"
    device.page.locator("#today-count", has_text="1 twitch").wait_for()
    # The other tab was not reloaded under the person's hand; it offers the reload instead.
    assert other_tab.evaluate("location.hash") == "#/checkin"
    other_tab.bring_to_front()
    other_tab.get_by_role("button", name="Reload now").wait_for()
