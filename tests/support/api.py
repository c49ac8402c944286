"""A real HTTP client for the real app: requests against a live server on 127.0.0.1."""
from __future__ import annotations

import itertools
import threading
import uuid

import requests
from werkzeug.serving import make_server

_emails = itertools.count(1)
PASSWORD = "correct horse battery"


class LiveServer:
    """The app served by werkzeug's threaded server in a background thread."""

    def __init__(self, app, host: str = "127.0.0.1"):
        self.app = app
        self._server = make_server(host, 0, app, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class ApiClient:
    """requests.Session with the app's origin sent on every call, as a browser would."""

    def __init__(self, base_url: str, origin: str | None = "same"):
        self.base_url = base_url
        self.http = requests.Session()
        if origin == "same":
            self.http.headers["Origin"] = base_url
        elif origin:
            self.http.headers["Origin"] = origin
        self.user: dict | None = None
        self.client_id = str(uuid.uuid4())
        self._next_mutation = 1
        self._clock = 0

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.http.request(method, self.base_url + path, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # --- accounts ---------------------------------------------------------------------------

    def register(self, email: str | None = None, password: str = PASSWORD, timezone: str = "Europe/Berlin") -> dict:
        email = email or f"person{next(_emails)}-{uuid.uuid4().hex[:8]}@example.org"
        response = self.post("/api/v1/auth/register", json={"email": email, "password": password, "timezone": timezone})
        assert response.status_code == 201, response.text
        self.user = response.json()
        self.password = password
        return self.user

    def login(self, email: str, password: str = PASSWORD) -> requests.Response:
        return self.post("/api/v1/auth/login", json={"email": email, "password": password})

    # --- sync -------------------------------------------------------------------------------

    def hlc(self, instant: str = "2026-11-25T19:42:10.123Z") -> str:
        self._clock += 1
        return f"{instant}-{self._clock % 65536:04x}-{self.client_id}"

    def mutation(self, entity: str, record_id: str, fields: dict | None = None, op: str = "set", hlc: str | None = None) -> dict:
        mutation = {"id": self._next_mutation, "hlc": hlc or self.hlc(), "entity": entity, "record_id": record_id, "op": op}
        if fields is not None:
            mutation["fields"] = fields
        self._next_mutation += 1
        return mutation

    def push(self, mutations: list[dict], expect: int = 200) -> dict:
        response = self.post("/api/v1/sync/push", json={"client_id": self.client_id, "mutations": mutations})
        assert response.status_code == expect, response.text
        return response.json()

    def pull_all(self, limit: int = 500) -> tuple[dict, dict]:
        """Every record as the server has it, following `more`; and the last page."""
        cookie, records = None, {}
        while True:
            response = self.post("/api/v1/sync/pull", json={"client_id": self.client_id, "cookie": cookie, "limit": limit})
            assert response.status_code == 200, response.text
            page = response.json()
            for change in page["changes"]:
                records[(change["entity"], change["record_id"])] = change
            cookie = page["cookie"]
            if not page["more"]:
                return records, page

    def log_twitch(self, occurred_at: str = "2026-11-25T19:42:10Z", **fields) -> str:
        record_id = str(uuid.uuid4())
        result = self.push([self.mutation("twitch", record_id, {"occurred_at": occurred_at, **fields})])
        assert result["rejected"] == [], result
        return record_id
