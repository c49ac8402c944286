"""The account's security in the app (§12), in a real Chromium: passkeys with a CDP virtual
authenticator (sign up, add a passkey, sign in with no email typed), "Forgot password?" and the
/reset#<token> screen with a real SMTP server, a 401 clearing the device, "Remove this account's
data from this device", and parked work that expires after 30 days. axe in light and dark."""
from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.accounts.test_password_reset import Inbox, free_port, stop
from tests.e2e.conftest import PASSWORD
from tests.e2e.screens import shoot
from tests.support.api import ApiClient

aiosmtpd = pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402

axe = Axe()
DAY_MS = 86_400_000


def assert_no_violations(device, where: str):
    results = axe.run(device.page)
    violations = [f"{v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']][:4]}" for v in results.response["violations"]]
    assert violations == [], f"axe on {where}: {violations}"


def localhost(url: str) -> str:
    """WebAuthn wants a domain as relying party: http://localhost is a secure context, 127.0.0.1 is not a valid RP id."""
    return url.replace("127.0.0.1", "localhost")


def virtual_authenticator(device):
    cdp = device.context.new_cdp_session(device.page)
    cdp.send("WebAuthn.enable")
    made = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    return cdp, made["authenticatorId"]


def sign_out(device):
    device.screen("more")
    device.page.get_by_role("button", name="Sign out", exact=True).click()
    device.page.get_by_role("button", name="Create account").wait_for()


def test_passkey_added_after_sign_up_signs_in_with_no_email(make_device, live_server, email):
    device = make_device(localhost(live_server.url)).open().wait_controlled()
    cdp, authenticator = virtual_authenticator(device)
    device.sign_up(email)
    page = device.page
    page.get_by_role("button", name="Add a passkey").click()
    page.get_by_text("Passkey added").wait_for()
    page.locator(".passkey-list li", has_text="Passkey 1").wait_for()
    page.locator("#passkeys-title").scroll_into_view_if_needed()
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(stored) == 1 and stored[0]["isResidentCredential"] and stored[0]["rpId"] == "localhost"
    shoot(device, "account-security-signed-in")
    assert_no_violations(device, "account security, signed in")

    sign_out(device)
    assert page.get_by_label("Email").input_value() == ""
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.get_by_role("button", name="Sign out", exact=True).wait_for()
    assert page.get_by_label("Email").count() == 0, "no email was typed or asked"
    me = page.evaluate("fetch('/api/v1/me').then((r) => r.json())")
    assert me["email"] == email
    device.wait_local("s.device.signed_in === true && s.device.user.email === arg", email)

    # removed in settings: the list empties and the passkey no longer signs in
    page.get_by_role("button", name="Remove Passkey 1").click()
    page.get_by_text("No passkeys yet.").wait_for()
    sign_out(device)
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.get_by_role("alert").filter(has_text="passkey").wait_for()


def test_forgot_password_then_the_reset_screen(make_app, make_device):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        server = make_app(smtp_url=f"smtp://127.0.0.1:{controller.port}")
        owner = ApiClient(server.url)
        owner.register(password=PASSWORD)
        device = make_device(server.url).open().wait_controlled()
        page = device.page
        device.screen("more")
        page.get_by_role("button", name="Forgot password?").click()
        page.get_by_role("heading", name="Reset your password").wait_for()
        page.get_by_label("Email of your account").fill(owner.user["email"])
        shoot(device, "forgot-password")
        assert_no_violations(device, "forgot password")
        page.get_by_role("button", name="Send the link").click()
        page.get_by_text("a link is on its way").wait_for()
        _, message = inbox.wait_for(1)
        link = re.search(r"https?://\S+/reset#\S+", message.get_content()).group(0)
        token = link.split("#", 1)[1]

        sent = []
        page.on("request", lambda request: sent.append(request.url + " " + (request.post_data or "")))
        page.goto(link)
        page.get_by_role("heading", name="Choose a new password").wait_for()
        assert token not in page.url, "the token leaves the address bar at once"
        assert page.evaluate("location.pathname + location.hash") == "/"
        shoot(device, "reset-password")
        assert_no_violations(device, "reset screen")
        page.get_by_label("New password").fill("my new calm password")
        page.get_by_role("button", name="Save the new password").click()
        page.get_by_text("Your password is changed").wait_for()
        assert [s for s in sent if token in s.split(" ", 1)[0]] == [], "never in a URL"
        assert any(token in s.split(" ", 1)[1] for s in sent if "/confirm" in s), "only in the confirm body"
        page.get_by_role("button", name="Go to sign in").click()
        device.sign_in(owner.user["email"], "my new calm password")
        assert owner.get("/api/v1/me").status_code == 401, "the reset signed every device out"

        dark = make_device(server.url, color_scheme="dark").open()
        dark.page.goto(link)  # a used link: the screen still draws, and says so when sent
        dark.page.get_by_role("heading", name="Choose a new password").wait_for()
        shoot(dark, "reset-password", "dark")
        assert_no_violations(dark, "reset screen, dark")
        dark.page.get_by_label("New password").fill("yet another password")
        dark.page.get_by_role("button", name="Save the new password").click()
        dark.page.get_by_text("expired or was already used").wait_for()
    finally:
        stop(controller)


def test_a_401_takes_the_accounts_records_off_the_device(make_device, live_server, email):
    device = make_device().open().wait_controlled()
    device.sign_up(email)
    device.screen("")
    device.log_twitch()
    device.log_twitch()
    device.wait_synced()
    device.offline()
    device.log_twitch()  # not backed up yet when the session ends elsewhere
    elsewhere = ApiClient(live_server.url)
    assert elsewhere.login(email, PASSWORD).status_code == 200
    assert elsewhere.post("/api/v1/auth/logout-all", json={"tokens": True}).status_code == 204
    device.offline(False)
    device.wait_local("s.records.length === 0 && s.outbox.length === 0 && s.device.owner === null")
    device.reload()
    device.screen("")
    assert device.page.locator(".entry").count() == 0, "none of the account's records shown"
    device.screen("more")
    device.page.get_by_text("You were signed out").wait_for()
    device.page.locator("[data-parked='1']").wait_for()  # the unsynced entry waits for its account
    device.sign_in(email)
    device.wait_synced()
    device.wait_local("s.records.filter((r) => !r.view.deleted).length === 3")


def _park_one(device, live_server, email):
    device.sign_up(email)
    device.screen("")
    device.log_twitch()
    device.wait_synced()
    device.offline()
    device.log_twitch()
    elsewhere = ApiClient(live_server.url)
    assert elsewhere.login(email, PASSWORD).status_code == 200
    assert elsewhere.post("/api/v1/auth/logout-all", json={}).status_code == 204
    device.offline(False)
    device.wait_local("s.device.owner === null")


PARKED = """async () => {
  const db = await new Promise((ok) => { const r = indexedDB.open('twitchlog'); r.onsuccess = () => ok(r.result); });
  const rows = await new Promise((ok) => { const r = db.transaction('parked').objectStore('parked').getAll(); r.onsuccess = () => ok(r.result); });
  db.close();
  return rows;
}"""


@pytest.mark.parametrize("days, kept", [(29, True), (31, False)])
def test_parked_work_is_dropped_after_thirty_days(make_device, live_server, email, days, kept):
    device = make_device().open().wait_controlled()
    _park_one(device, live_server, email)
    rows = device.page.evaluate(PARKED)
    assert len(rows) == 1 and isinstance(rows[0]["parked_at"], (int, float))
    # The page's clock moves on; the app reads time from Date like any page.
    device.context.add_init_script("(() => { const shift = %d; const now = Date.now; Date.now = () => now() + shift; })()" % (days * DAY_MS))
    device.reload()
    device.screen("more")
    device.wait_until("() => document.querySelector('#account-title') !== null")
    device.page.wait_for_timeout(300)
    assert (len(device.page.evaluate(PARKED)) == 1) is kept


def test_remove_this_accounts_data_from_this_device(make_device, live_server, email, server_view):
    device = make_device(color_scheme="dark").open().wait_controlled()
    device.sign_up(email)
    device.screen("")
    device.log_twitch()
    device.wait_synced()
    device.screen("more")
    page = device.page
    page.locator("#passkeys-title").scroll_into_view_if_needed()
    shoot(device, "account-security-signed-in", "dark")
    assert_no_violations(device, "account security, signed in, dark")
    page.get_by_role("button", name="Remove this account's data from this device").click()
    page.get_by_role("button", name="Remove from this device").click()
    page.get_by_role("button", name="Create account").wait_for()
    device.wait_local("s.records.length === 0 && s.outbox.length === 0 && s.device.owner === null && !s.device.signed_in")
    assert page.evaluate("fetch('/api/v1/me').then((r) => r.status)") == 401, "this device's session ended too"
    assert len([r for r in server_view(email).values() if r["entity"] == "twitch"]) == 1, "the account keeps its entries"


def test_change_password_in_settings(make_device, live_server, email):
    device = make_device().open().wait_controlled()
    device.sign_up(email)
    other = ApiClient(live_server.url)
    assert other.login(email, PASSWORD).status_code == 200
    device.screen("more")
    page = device.page
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill("a second calm password")
    page.get_by_role("button", name="Change password").click()
    page.get_by_text("The current password is not right").wait_for()
    assert page.get_by_label("Current password").get_attribute("aria-invalid") == "true"
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.get_by_text("Password changed. Other devices were signed out.").wait_for()
    assert other.get("/api/v1/me").status_code == 401, "the other session ended"
    assert page.evaluate("fetch('/api/v1/me').then((r) => r.status)") == 200, "this one stays"
    assert ApiClient(live_server.url).login(email, "a second calm password").status_code == 200
