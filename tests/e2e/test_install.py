"""Installable and offline (DESIGN §10): manifest, icons, service worker, offline start."""
from __future__ import annotations

import struct

import requests

from tests.e2e.conftest import Device


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_manifest_and_its_icons_load_and_are_valid(device: Device, live_server):
    href = device.page.locator("link[rel=manifest]").get_attribute("href")
    response = requests.get(live_server.url + href, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/manifest+json")
    manifest = response.json()
    for key in ("name", "short_name", "start_url", "theme_color", "background_color"):
        assert manifest[key], key
    assert manifest["display"] == "standalone"
    assert any("maskable" in icon.get("purpose", "").split() for icon in manifest["icons"])
    assert manifest["shortcuts"][0]["name"] == "Log a twitch"
    seen = set()
    for icon in manifest["icons"]:
        data = requests.get(live_server.url + icon["src"], timeout=10)
        assert data.status_code == 200, icon["src"]
        assert data.headers["Content-Type"].split(";")[0] == icon["type"], icon["src"]
        if icon["type"] == "image/png":
            width, height = png_size(data.content)
            assert f"{width}x{height}" == icon["sizes"], icon["src"]
            seen.add(icon["sizes"])
        else:
            assert data.content.lstrip().startswith(b"<svg"), icon["src"]
    assert {"192x192", "512x512"} <= seen
    # The browser itself accepts the manifest: it decodes every icon it lists.
    for icon in manifest["icons"]:
        assert device.page.evaluate(
            "(src) => new Promise((ok) => { const i = new Image(); i.onload = () => ok(i.naturalWidth > 0);"
            " i.onerror = () => ok(false); i.src = src; })", icon["src"]), icon["src"]


def test_the_service_worker_controls_the_page_at_root_scope(device: Device):
    info = device.page.evaluate(
        "async () => { const r = await navigator.serviceWorker.ready;"
        " return {scope: r.scope, script: navigator.serviceWorker.controller.scriptURL,"
        " caches: await caches.keys()}; }")
    assert info["scope"] == device.base_url + "/"
    assert info["script"] == device.base_url + "/sw.js"
    assert len([name for name in info["caches"] if name.startswith("twitchlog-shell-")]) == 1


def test_every_screen_opens_offline_and_logging_works_there(device: Device):
    device.offline()
    device.reload()
    assert device.page.get_by_role("button", name="Log a twitch").is_visible()
    for route in ("checkin", "pacing", "symptoms", "more", "reminders", "insights", "sharing", "caregiver"):
        device.screen(route)
    device.screen("")
    device.log_twitch()
    assert len(device.live_records()) == 1
    device.page.locator("#sync-status", has_text="1 entry on this device only").wait_for()


def test_the_log_shortcut_logs_once_on_open_even_offline(device: Device):
    device.offline()
    device.page.goto("/?action=log")
    device.page.locator("#toast .toast-text", has_text="Twitch logged").wait_for()
    assert device.page.evaluate("location.search") == ""
    assert len(device.live_records()) == 1
    device.reload()
    device.page.locator("#today-count", has_text="1 twitch").wait_for()
    assert len(device.live_records()) == 1
