"""The account area follows the session the app learns after drawing (DESIGN §10: the cookie is
the truth): opened straight onto More, it shows the signed-in account once GET /me answers."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import PASSWORD

pytestmark = [pytest.mark.browser]


def test_more_opened_straight_away_shows_the_account_the_cookie_belongs_to(device, email):
    device.open("/")
    # signed in by the server only (as after a sign-in in another tab): this device's copy does not know yet
    status = device.page.evaluate("""async ([email, password]) => (await fetch('/api/v1/auth/register', {
        method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({email, password, timezone: 'Europe/Berlin'})})).status""", [email, PASSWORD])
    assert status == 201
    device.page.evaluate("location.hash = '#/more'")
    device.page.reload()  # a fresh start straight onto More
    device.page.get_by_role("button", name="Sign out").wait_for(timeout=15000)
    assert device.page.get_by_text(f"Signed in as {email}").count() == 1
