"""GET /metrics (§15): guarded by a token, and exact across gunicorn workers and a dispatcher."""
from __future__ import annotations

import secrets
import signal
import subprocess
import uuid
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.operations.conftest import BIN, free_port, process_env, wait_for
from tests.support.api import ApiClient
from tests.support.push_service import PushService

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow]


def samples(text: str) -> dict:
    """{(name, frozenset(labels)): value} of every sample."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found: dict, name: str, **labels) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_metrics_are_hidden_without_a_token(client):
    response = client.get("/metrics")
    assert response.status_code == 404
    assert response.json()["code"] == 404


def test_metrics_want_the_token(make_app):
    server = make_app(metrics_token="s3cret-metrics-token")
    assert requests.get(f"{server.url}/metrics", timeout=10).status_code == 401
    wrong = requests.get(f"{server.url}/metrics", headers={"Authorization": "Bearer nope"}, timeout=10)
    assert wrong.status_code == 401 and wrong.json()["code"] == 401
    right = requests.get(f"{server.url}/metrics", headers={"Authorization": "Bearer s3cret-metrics-token"}, timeout=10)
    assert right.status_code == 200
    assert right.headers["Content-Type"].startswith("text/plain")
    names = {family.name for family in text_string_to_metric_families(right.text)}
    assert {"twitchlog_http_requests", "twitchlog_http_request_duration_seconds", "twitchlog_sync_mutations",
            "twitchlog_push_deliveries", "twitchlog_push_queue_depth"} <= names


def test_counts_are_exact_across_two_gunicorn_workers_and_a_dispatcher(own_database, tmp_path):
    database_url, instance = own_database
    token = secrets.token_urlsafe(16)
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = process_env(database_url, instance, TWITCHLOG_METRICS_TOKEN=token, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
                      WEB_CONCURRENCY="2", TWITCHLOG_THREADS="2", TWITCHLOG_BIND=f"127.0.0.1:{port}")
    log = open(tmp_path / "gunicorn.log", "w")
    web = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(REPO / "deploy/gunicorn.conf.py"), "server:create_app()"],
                           env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/healthz", process=web)
        baseline = samples(requests.get(f"{url}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10).text)

        # 40 health checks on new connections, so both workers answer some
        for _ in range(40):
            assert requests.get(f"{url}/healthz", timeout=10, headers={"Connection": "close"}).status_code == 200
        person = ApiClient(url)
        person.register(email=f"ops-{uuid.uuid4().hex[:8]}@example.org")
        mutations = [person.mutation("twitch", str(uuid.uuid4()), {"occurred_at": "2026-11-25T19:42:10Z"}) for _ in range(7)]
        person.push(mutations[:3])
        person.push(mutations)  # a replay of the first three and four new ones: seven mutations in all
        with PushService() as push_service:
            key = person.get("/api/v1/push/key").json()["public_key"]
            devices = [push_service.subscribe(application_server_key=key) for _ in range(2)]
            for device in devices:
                assert person.put("/api/v1/push/subscriptions", json=device.to_json()).status_code == 201
            assert person.post("/api/v1/push/test").status_code == 202
            dispatcher = subprocess.run([str(BIN / "twitchlog"), "worker", "--once"], env=env, cwd=REPO,
                                        capture_output=True, text=True, timeout=120)
            assert dispatcher.returncode == 0, dispatcher.stderr[-3000:]
            assert len(push_service.delivered()) == 2

        scraped = requests.get(f"{url}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert scraped.status_code == 200
        after = samples(scraped.text)

        def grew(name, **labels):
            return value(after, name, **labels) - value(baseline, name, **labels)

        assert grew("twitchlog_http_requests_total", method="GET", route="/healthz", status="200") == 40
        assert grew("twitchlog_http_requests_total", method="POST", route="/api/v1/sync/push", status="200") == 2
        assert grew("twitchlog_http_requests_total", method="PUT", route="/api/v1/push/subscriptions", status="201") == 2
        assert grew("twitchlog_http_request_duration_seconds_count", method="GET", route="/healthz") == 40
        assert grew("twitchlog_sync_mutations_total") == 7
        assert grew("twitchlog_push_deliveries_total", outcome="sent") == 2
        assert value(after, "twitchlog_push_queue_depth", state="queued") == 0
        # both workers answered: each left its own file of counts behind
        assert len({path.name.split("_")[-1] for path in metrics_dir.glob("counter_*.db")}) >= 2
    finally:
        web.send_signal(signal.SIGTERM)
        web.wait(timeout=30)
        log.close()
