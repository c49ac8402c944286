"""Every write endpoint answers while two phones push back to back and the dispatcher ticks (§9).

On SQLite, before issue 17, a request that read first and wrote later (sign-up, sign-in, tokens,
shares, /me...) got SQLITE_BUSY at once whenever another connection held or had just taken the
write lock, and answered 503; the busy timeout never applied. Each test calls one endpoint
`REPEATS` times under that load and wants the expected answer every time, never a 5xx.
"""
from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from server.extensions import db
from server.instants import utcnow
from server.push.models import ReminderOccurrence
from tests.concurrency.conftest import OFF_PACING, REPEATS
from tests.concurrency.load import Tally
from tests.support.api import PASSWORD, ApiClient

pytestmark = [pytest.mark.slow]


class Context:
    def __init__(self, server, push_service, tally: Tally):
        self.url, self.app, self.push_service, self.tally = server.url, server.app, push_service, tally

    def person(self, label: str = "setup: POST /auth/register", attempts: int = 30) -> ApiClient | None:
        """A new person, signed in. A set-up sign-up that fails is counted (a 5xx fails the test
        too) and tried again, so the endpoint under test is still called and counted on its own."""
        api = ApiClient(self.url)
        email = f"load-{uuid.uuid4().hex[:12]}@example.org"
        for _ in range(attempts):
            response = self.tally.call(api, "POST", "/api/v1/auth/register", 201, label=label,
                                       json={"email": email, "password": PASSWORD, "timezone": "Europe/Berlin"})
            if response is not None:
                api.user, api.password = response.json(), PASSWORD
                return api
        return None

    def occurrence(self, api: ApiClient) -> str:
        """A sent evening prompt of this person, seeded straight in (the dispatcher's job elsewhere)."""
        now = utcnow()
        with self.app.app_context():
            from server.transactions import begin_write

            begin_write()
            row = ReminderOccurrence(user_id=api.user["id"], kind="evening", dedupe_key=f"load:{uuid.uuid4()}",
                                     local_date=now.date(), due_at=now, send_at=now, expires_at=now + timedelta(hours=4),
                                     status="sent")
            db.session.add(row)
            db.session.commit()
            return row.id


def sign_up(ctx: Context) -> None:
    ctx.person(label="POST /auth/register", attempts=1)


def sign_in(ctx: Context) -> None:
    if api := ctx.person():
        ctx.tally.call(ApiClient(ctx.url), "POST", "/api/v1/auth/login", 200, json={"email": api.user["email"], "password": PASSWORD})


def sign_out(ctx: Context) -> None:
    if api := ctx.person():
        ctx.tally.call(api, "POST", "/api/v1/auth/logout", 204)


def sign_out_everywhere(ctx: Context) -> None:
    if api := ctx.person():
        ctx.tally.call(api, "POST", "/api/v1/auth/logout-all", 204, json={})


def token_create_and_revoke(ctx: Context) -> None:
    if api := ctx.person():
        made = ctx.tally.call(api, "POST", "/api/v1/auth/tokens", 201,
                              json={"email": api.user["email"], "password": PASSWORD, "label": "script"})
        if made:
            ctx.tally.call(api, "DELETE", f"/api/v1/auth/tokens/{made.json()['id']}", 204, label="DELETE /auth/tokens/<id>")


def me_patch(ctx: Context) -> None:
    if api := ctx.person():
        ctx.tally.call(api, "PATCH", "/api/v1/me", 200, json={"timezone": "Europe/Paris"})


def me_delete(ctx: Context) -> None:
    if api := ctx.person():
        ctx.tally.call(api, "DELETE", "/api/v1/me", 204, json={"password": PASSWORD})


def shares_create_accept_revoke(ctx: Context) -> None:
    owner, caregiver = ctx.person(), ctx.person()
    if owner and caregiver:
        made = ctx.tally.call(owner, "POST", "/api/v1/shares", 201, json={"kind": "caregiver", "scopes": ["summary"]})
        if made:
            ctx.tally.call(caregiver, "POST", "/api/v1/shares/accept", 200, json={"token": made.json()["token"]})
            ctx.tally.call(owner, "DELETE", f"/api/v1/shares/{made.json()['id']}", 204, label="DELETE /shares/<id>")


def reminders_put(ctx: Context) -> None:
    if api := ctx.person():
        body = {"evening": {"enabled": True, "time": "20:30"}, "pacing": OFF_PACING, "quiet_hours": None}
        ctx.tally.call(api, "PUT", "/api/v1/reminders", 200, json=body)


def push_subscriptions(ctx: Context) -> None:
    if api := ctx.person():
        key = api.get("/api/v1/push/key").json()["public_key"]
        device = ctx.push_service.subscribe(application_server_key=key)
        if ctx.tally.call(api, "PUT", "/api/v1/push/subscriptions", 201, json=device.to_json()):
            ctx.tally.call(api, "DELETE", "/api/v1/push/subscriptions", 204, json={"endpoint": device.endpoint})


def snooze_and_done(ctx: Context) -> None:
    if api := ctx.person():
        occurrence_id = ctx.occurrence(api)
        ctx.tally.call(api, "POST", f"/api/v1/reminders/{occurrence_id}/snooze", 200, json={"minutes": 15},
                       label="POST /reminders/<id>/snooze")
        ctx.tally.call(api, "POST", f"/api/v1/reminders/{occurrence_id}/done", 200, label="POST /reminders/<id>/done")


def sync_from_a_second_person(ctx: Context) -> None:
    if api := ctx.person():
        mutation = api.mutation("twitch", str(uuid.uuid4()), {"occurred_at": "2026-11-25T19:42:10Z"})
        ctx.tally.call(api, "POST", "/api/v1/sync/push", 200, json={"client_id": api.client_id, "mutations": [mutation]})
        ctx.tally.call(api, "POST", "/api/v1/sync/pull", 200, json={"client_id": api.client_id, "cookie": None, "limit": 500})


# Endpoints added by the other issues of this round: tested when the route is there.
def password_change(ctx: Context) -> None:
    if api := ctx.person():
        ctx.tally.call(api, "POST", "/api/v1/auth/password", 204,
                       json={"current_password": PASSWORD, "new_password": "another long password"})


def password_reset_request(ctx: Context) -> None:
    if api := ctx.person():
        ctx.tally.call(ApiClient(ctx.url), "POST", "/api/v1/auth/password-reset", 202, json={"email": api.user["email"]})


def me_settings(ctx: Context) -> None:
    if api := ctx.person():
        ctx.tally.call(api, "PATCH", "/api/v1/me", 200, json={"display_name": "Sam", "calm_mode": True})


def imports(ctx: Context) -> None:
    if api := ctx.person():
        body = (Path(__file__).parent.parent / "imports" / "fixtures" / "daylio.csv").read_bytes()
        ctx.tally.call(api, "POST", "/api/v1/imports?source=daylio", 201, data=body, headers={"Content-Type": "text/csv"},
                       label="POST /imports")


def passkey_options(ctx: Context) -> None:
    if api := ctx.person():
        ctx.tally.call(api, "POST", "/api/v1/auth/passkeys/register/options", 200)
        ctx.tally.call(ApiClient(ctx.url), "POST", "/api/v1/auth/passkeys/login/options", 200)


ENDPOINTS = {
    "sign-up": (sign_up, None),
    "sign-in": (sign_in, None),
    "sign-out": (sign_out, None),
    "sign-out-everywhere": (sign_out_everywhere, None),
    "tokens-create-revoke": (token_create_and_revoke, None),
    "me-patch": (me_patch, None),
    "me-delete": (me_delete, None),
    "shares-create-accept-revoke": (shares_create_accept_revoke, None),
    "reminders-put": (reminders_put, None),
    "push-subscriptions-put-delete": (push_subscriptions, None),
    "snooze-done": (snooze_and_done, None),
    "sync-second-person": (sync_from_a_second_person, None),
    "password-change": (password_change, "/api/v1/auth/password"),
    "password-reset-request": (password_reset_request, "/api/v1/auth/password-reset"),
    "me-settings": (me_settings, "display_name+calm_mode"),
    "imports": (imports, "/api/v1/imports"),
    "passkey-options": (passkey_options, "/api/v1/auth/passkeys/register/options"),
}


def _route_exists(app, needs: str | None) -> bool:
    if needs is None:
        return True
    if needs == "display_name+calm_mode":
        from server.accounts.schemas import MePatchSchema

        return {"display_name", "calm_mode"} <= set(MePatchSchema().fields)
    return any(rule.rule == needs for rule in app.url_map.iter_rules())


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_write_endpoint_answers_while_phones_sync_and_the_dispatcher_ticks(name, load_server, push_service, sync_load):
    operation, needs = ENDPOINTS[name]
    if not _route_exists(load_server.app, needs):
        pytest.skip(f"{needs} is not in this tree yet")
    tally = Tally()
    ctx = Context(load_server, push_service, tally)
    pushes_before = sync_load.pushes
    for _ in range(REPEATS):
        operation(ctx)
    assert sync_load.pushes > pushes_before, "the phones did not push while the endpoint was called"
    errors = tally.server_errors()
    assert not errors, f"{name}: {sum(errors.values())} answers of {sum(tally.answers.values())} were 5xx ({tally.summary()})"
    assert not tally.unexpected({200, 201, 202, 204}), f"{name}: unexpected answers ({tally.summary()})"
