"""The sharing screen says who accepted a caregiver share and when (§12), in light and dark, with
zero axe violations."""
from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import PASSWORD, browser, email, make_device  # noqa: F401 (fixtures)
from tests.sharing.helpers import make_share
from tests.support.api import ApiClient

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_sharing_screen_names_who_accepted(make_device, email, scheme, live_server):  # noqa: F811
    device = make_device(color_scheme=scheme).open().wait_controlled()
    device.sign_up(email)
    owner = ApiClient(live_server.url)
    assert owner.login(email, PASSWORD).status_code == 200
    caregiver = ApiClient(live_server.url)
    caregiver.register()
    accepted = make_share(owner, "caregiver", ("summary", "alerts"), label="Sam")
    assert caregiver.post("/api/v1/shares/accept", json={"token": accepted["token"]}).status_code == 200
    make_share(owner, "caregiver", ("summary",), label="Not yet")
    device.screen("sharing")
    page = device.page
    sam = page.locator(f"li.share-item[data-share-id='{accepted['id']}'] .share-accepted")
    sam.wait_for()
    assert sam.inner_text().startswith(f"Accepted by {caregiver.user['email']} on ")
    assert page.locator("li.share-item .share-accepted", has_text="Not accepted yet").count() == 1
    violations = [v["id"] for v in Axe().run(page).response["violations"]]
    assert violations == [], violations
    if os.environ.get("TWITCHLOG_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["TWITCHLOG_SCREENSHOTS"], f"sharing-accepted-{scheme}.png"), full_page=True)
