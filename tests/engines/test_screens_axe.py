"""The §11 screens in Chromium, light and dark: zero axe-core violations, and a look at 390x844
(the install guide is drawn as Firefox gets it: no beforeinstallprompt, a Firefox user agent)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import PHONE, READ_LOCAL, browser  # noqa: F401 - the e2e Chromium fixture
from tests.engines.conftest import PASSWORD

pytestmark = pytest.mark.browser
FIREFOX_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
NO_INSTALL_PROMPT = "delete Window.prototype.onbeforeinstallprompt; delete window.onbeforeinstallprompt;"
SHOTS = os.environ.get("TWITCHLOG_SCREENSHOTS")  # a folder to keep the pictures in, when set


def violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']][:4]}" for v in results.response["violations"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_prompt_screen_and_the_install_guide_have_zero_axe_violations(browser, live_server, email, scheme):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, color_scheme=scheme, user_agent=FIREFOX_UA)
    context.add_init_script(NO_INSTALL_PROMPT)
    page = context.new_page()
    try:
        page.goto("/")
        page.wait_for_selector("#nav a")
        status = page.evaluate("""async (a) => (await fetch("/api/v1/auth/register", {method: "POST",
            headers: {"Content-Type": "application/json"}, body: JSON.stringify(a)})).status""",
                               {"email": email, "password": PASSWORD, "timezone": "Europe/Berlin"})
        assert status == 201
        page.reload()  # the app learns the session on start (GET /api/v1/me) ...
        for _ in range(200):  # ... and keeps it on the device
            if page.evaluate(f"async () => ((await ({READ_LOCAL.strip()})()).device || {{}}).signed_in"):
                break
            page.wait_for_timeout(50)
        page.evaluate("location.hash = '#/more'")
        page.locator("#install-guide[data-kind='firefox-desktop']").wait_for()
        page.locator("#device-storage-status[data-state]").wait_for()
        assert page.get_by_role("heading", name="Add Twitchlog to your Home Screen").is_visible()
        found = violations(page)
        if SHOTS:
            page.locator("#install-guide").scroll_into_view_if_needed()
            page.screenshot(path=str(Path(SHOTS) / f"engines-more-{scheme}.png"))
        page.goto("/#/prompt/0b6c1f5e-2f0a-4c55-9d1c-7a6e1c0b9a11?kind=pacing")
        page.get_by_role("heading", name="Time for a rest").wait_for()
        assert page.get_by_role("button", name="I rested").is_visible()
        assert page.get_by_role("button", name="Snooze 15 min").is_visible()
        found += violations(page)
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"engines-prompt-{scheme}.png"))
        assert found == []
    finally:
        context.close()
