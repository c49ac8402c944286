"""The engine layer: the core journeys in Chromium, WebKit and Firefox (DESIGN §11).

One browser per engine for the whole session (launching is the slow part). Every phone reaches
the live server through a Relay of its own, so its origin (and storage) is new and the test can
cut its network. Where an engine cannot run here the tests skip loudly; with
TWITCHLOG_REQUIRE_BROWSER=1 (.ci/run) that is a failure instead.
"""
from __future__ import annotations

import os
import sys
import uuid

import pytest

from tests.engines import drivers
from tests.engines.relay import Relay

ENGINES = ["chromium", "webkit", "firefox"]
PASSWORD = "a calm password 42"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/engines/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _unavailable(engine: str) -> None:
    why = drivers.missing(engine)
    if why:
        notice = f"!!! {engine} cannot run here ({why} missing): its engine journeys did NOT run !!!"
        print("\n" + notice, file=sys.stderr)
        if os.environ.get("TWITCHLOG_REQUIRE_BROWSER") == "1":
            pytest.fail(notice)
        pytest.skip(notice)


@pytest.fixture(scope="session")
def xvfb():
    """A private X display for MiniBrowser (its --headless hangs)."""
    process, display = drivers.start_xvfb()
    yield display
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="session", params=ENGINES)
def engine(request):
    """(name, factory(base_url) -> Tab) for one engine, its browser made once."""
    name = request.param
    _unavailable(name)
    if name == "chromium":
        from tests.e2e.conftest import close_shared_browser, shared_browser

        request.addfinalizer(close_shared_browser)
        browser = shared_browser()
        return name, lambda url: drivers.ChromiumTab(browser, url)
    if name == "webkit":
        driver = drivers.launch_webkit(request.getfixturevalue("xvfb"))
        request.addfinalizer(driver.quit)
        return name, lambda url: drivers.WebKitTab(driver, url)
    bridge = drivers.FirefoxBridge()
    request.addfinalizer(bridge.quit)
    return name, lambda url: drivers.FirefoxTab(bridge, url)


@pytest.fixture
def phones(engine, live_server):
    """phones(host_name="127.0.0.1") -> (tab, relay): a phone with its own origin and network.
    Two phones of one person use different host names, since cookies ignore the port."""
    name, factory = engine
    made: list[tuple[drivers.Tab, Relay]] = []

    def make(host_name: str = "127.0.0.1"):
        relay = Relay(int(live_server.url.rsplit(":", 1)[1]), name=host_name)
        tab = factory(relay.url)
        made.append((tab, relay))
        return tab, relay

    yield make
    errors = []
    for tab, relay in reversed(made):
        relay.restore()
        errors += tab.errors
        try:
            tab.close()
        finally:
            relay.cut()
    assert errors == [], f"[{name}] uncaught errors in the page: {errors}"


@pytest.fixture
def email() -> str:
    return f"engines-{uuid.uuid4().hex[:12]}@example.org"
