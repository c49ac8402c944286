"""Browser fixtures: Debian's Chromium driven by Playwright against the real app (live_server).

Where /usr/bin/chromium is missing the browser tests skip with a loud notice, unless
TWITCHLOG_REQUIRE_BROWSER=1 (CI), where that is a failure. Never `playwright install`.
"""
from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.support.api import ApiClient

CHROMIUM = Path(os.environ.get("TWITCHLOG_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PASSWORD = "a calm password 42"
TIMEZONE = "Europe/Berlin"
PHONE = {"width": 390, "height": 844}

# Local state straight from IndexedDB, without test hooks in the app.
READ_LOCAL = """
async () => {
  const db = await new Promise((resolve, reject) => {
    const req = indexedDB.open("twitchlog");
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const tx = db.transaction(["records", "outbox", "meta"], "readonly");
  const all = (store) => new Promise((resolve) => {
    const req = tx.objectStore(store).getAll();
    req.onsuccess = () => resolve(req.result);
  });
  const [records, outbox, meta] = await Promise.all([all("records"), all("outbox"), all("meta")]);
  db.close();
  return { records, outbox, device: meta.find((m) => m.key === "device") };
}
"""


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


_shared: dict = {}


def shared_browser():
    """One Playwright and one Chromium per test process. Other test packages import the `browser`
    fixture, which makes a second session fixture; a second sync_playwright() in the same thread
    would fail, so every copy hands out this one."""
    if "browser" not in _shared:
        from playwright.sync_api import sync_playwright

        manager = sync_playwright()
        playwright = manager.start()
        _shared.update(manager=manager, browser=playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS))
    return _shared["browser"]


def close_shared_browser():
    if "browser" in _shared:
        _shared.pop("browser").close()
        _shared.pop("manager").__exit__(None, None, None)


@pytest.fixture(scope="session")
def browser(request):
    if not CHROMIUM.exists():
        notice = f"!!! {CHROMIUM} is missing: the PWA browser tests did NOT run (apt-get install -y chromium) !!!"
        print("\n" + notice, file=sys.stderr)
        if os.environ.get("TWITCHLOG_REQUIRE_BROWSER") == "1":
            pytest.fail(notice)
        pytest.skip(notice)
    request.addfinalizer(close_shared_browser)
    return shared_browser()


class Device:
    """One browser profile (a phone) running the app."""

    def __init__(self, browser, base_url: str, color_scheme: str = "light"):
        self.base_url = base_url
        self.context = browser.new_context(
            base_url=base_url, viewport=PHONE, timezone_id=TIMEZONE, locale="en-GB",
            color_scheme=color_scheme, service_workers="allow",
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    # --- navigation ---------------------------------------------------------------------------

    def open(self, path: str = "/"):
        self.page.goto(path)
        self.page.wait_for_selector("#nav a")
        return self

    def wait_until(self, expression: str, arg=None, timeout: float = 15.0, what: str | None = None):
        """Poll a JS expression until it is truthy. (wait_for_function evaluates strings, which the
        app's CSP forbids; page.evaluate goes through DevTools and is allowed.)"""
        deadline = time.monotonic() + timeout
        while True:
            value = self.page.evaluate(expression, arg)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or expression}")
            self.page.wait_for_timeout(50)

    def wait_controlled(self):
        self.wait_until("navigator.serviceWorker.controller !== null", what="the service worker to control the page")
        return self

    def screen(self, route: str):
        self.page.evaluate("(route) => { location.hash = route; }", f"#/{route}")
        self.page.locator(f"body[data-screen='{route or 'home'}'] main h1").first.wait_for()

    def offline(self, value: bool = True):
        self.context.set_offline(value)

    def reload(self):
        self.page.reload()
        self.page.wait_for_selector("#nav a")

    # --- doing things -------------------------------------------------------------------------

    def log_twitch(self):
        """One tap; returns once the confirmation is on screen (the record is stored by then)."""
        self.page.evaluate("document.getElementById('toast').replaceChildren()")
        self.page.get_by_role("button", name="Log a twitch").click()
        self.page.locator("#toast .toast-text", has_text="Twitch logged").wait_for()

    def local(self) -> dict:
        return self.page.evaluate(READ_LOCAL)

    def live_records(self, entity: str = "twitch") -> list[dict]:
        return [r for r in self.local()["records"] if r["entity"] == entity and not r["view"]["deleted"]]

    def wait_local(self, condition: str, arg=None, timeout: float = 15.0):
        """Wait until `condition` (JS over `s`, the local state, and `arg`) holds."""
        self.wait_until(f"async (arg) => {{ const s = await ({READ_LOCAL.strip()})(); return {condition}; }}",
                        arg, timeout, what=condition)

    def wait_synced(self, timeout: float = 15.0):
        """Nothing waiting to upload (in IndexedDB itself), and the status line says so."""
        self.wait_local("s.outbox.length === 0", timeout=timeout)
        self.wait_until("() => { const s = document.getElementById('sync-status');"
                        " return s && s.dataset.pending === '0' && s.dataset.tone === 'ok'; }",
                        timeout=timeout, what="everything to be backed up")

    def sign_up(self, email: str, password: str = PASSWORD):
        self._auth(email, password, signing_up=True)

    def sign_in(self, email: str, password: str = PASSWORD):
        self._auth(email, password, signing_up=False)

    def _auth(self, email, password, signing_up):
        self.screen("more")
        page = self.page
        title = "Create an account" if signing_up else "Sign in"
        page.locator("#account-title").wait_for()
        if page.get_by_role("heading", name=title).count() == 0:
            page.get_by_role("button", name="New here? Create an account" if signing_up else "Have an account? Sign in").click()
        page.get_by_role("heading", name=title).wait_for()
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Create account" if signing_up else "Sign in", exact=True).click()
        page.get_by_role("button", name="Sign out").wait_for()

    def close(self):
        self.context.close()


@pytest.fixture
def make_device(browser, live_server):
    devices = []

    def factory(base_url: str | None = None, **kwargs) -> Device:
        device = Device(browser, base_url or live_server.url, **kwargs)
        devices.append(device)
        return device

    yield factory
    errors = [error for device in devices for error in device.errors]
    for device in devices:
        device.close()
    assert errors == [], f"uncaught errors in the page: {errors}"


@pytest.fixture
def device(make_device) -> Device:
    return make_device().open().wait_controlled()


@pytest.fixture
def email() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}@example.org"


class ServerView:
    """The server's copy of one account, read through the sync API with a session of its own."""

    def __init__(self, base_url: str, email: str, password: str):
        self.api = ApiClient(base_url)
        response = self.api.login(email, password)
        assert response.status_code == 200, response.text


@pytest.fixture
def server_view(live_server):
    """server_view(email) -> {(entity, record_id): change} as the server holds them."""
    views = {}

    def read(email: str, password: str = PASSWORD) -> dict:
        if email not in views:
            views[email] = ServerView(live_server.url, email, password)
        records, _ = views[email].api.pull_all()
        return records

    return read
