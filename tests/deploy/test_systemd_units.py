"""deploy/systemd: the units parse cleanly, the dispatchers are sandboxed at least as tightly as the
web app, secrets arrive as credentials the app reads, and migrations run as another role."""
from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from server.config import ConfigError, Settings

REPO = Path(__file__).resolve().parents[2]
UNITS = REPO / "deploy" / "systemd"
SANDBOX = {
    "NoNewPrivileges": "yes", "CapabilityBoundingSet": "", "UMask": "0077", "PrivateTmp": "yes", "PrivateDevices": "yes",
    "ProtectSystem": "strict", "ProtectHome": "yes", "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes", "ProtectControlGroups": "yes", "ProtectProc": "invisible", "RestrictNamespaces": "yes",
    "RestrictSUIDSGID": "yes", "LockPersonality": "yes", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "SystemCallArchitectures": "native",
}


def service_section(name: str) -> dict[str, list[str]]:
    """The [Service] keys of a unit, each with every value it is given (units repeat keys)."""
    found: dict[str, list[str]] = {}
    section = None
    for line in (UNITS / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]":
            key, _, value = line.partition("=")
            found.setdefault(key, []).append(value)
    return found


@pytest.mark.parametrize("unit", ["twitchlog-web.service", "twitchlog-worker@.service", "twitchlog-migrate.service"])
def test_every_unit_is_sandboxed_and_gets_its_secrets_as_credentials(unit):
    service = service_section(unit)
    for key, value in SANDBOX.items():
        assert service.get(key) == [value], f"{unit}: {key}={value}"
    assert "@system-service" in service["SystemCallFilter"]
    credentials = {value.split(":", 1)[0] for value in service["LoadCredential"]}
    assert {"secret_key", "database_url", "vapid_private_key"} <= credentials


def test_the_worker_is_sandboxed_at_least_as_well_as_the_web_app():
    web, worker = service_section("twitchlog-web.service"), service_section("twitchlog-worker@.service")
    hardening = {k: v for k, v in web.items() if k not in {"ExecStart", "ExecReload", "Type", "KillMode", "Restart", "RestartSec",
                                                          "TimeoutStopSec", "Description"}}
    for key, values in hardening.items():
        assert worker.get(key) == values, f"the worker differs from the web app on {key}"


def test_migrations_run_as_the_schema_owner_not_the_app():
    web, migrate = service_section("twitchlog-web.service"), service_section("twitchlog-migrate.service")
    assert migrate["User"] != web["User"]
    assert "database_url:/etc/twitchlog/credentials/migrate_database_url" in migrate["LoadCredential"]
    assert "database_url:/etc/twitchlog/credentials/database_url" in web["LoadCredential"]
    assert migrate["UnsetEnvironment"] == ["DATABASE_URL"], "the app's URL in the environment file must not win"
    assert not any("db upgrade" in v for v in web.get("ExecStartPre", [])), "the web app no longer migrates as itself"
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(UNITS / "twitchlog-web.service")
    assert "twitchlog-migrate.service" in unit["Unit"]["Requires"] and "twitchlog-migrate.service" in unit["Unit"]["After"]


def _copies_with_real_paths(tmp_path: Path) -> list[Path]:
    """The units with /opt/twitchlog pointing at this checkout, so their commands exist."""
    made = []
    for path in UNITS.glob("*.service"):
        text = path.read_text().replace("/opt/twitchlog", str(REPO))
        name = path.name.replace("@.", "@1.")
        (tmp_path / name).write_text(text)
        made.append(tmp_path / name)
    return made


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed (apt-get install systemd)")
def test_systemd_analyze_verifies_the_units_and_rates_them_well(tmp_path):
    units = _copies_with_real_paths(tmp_path)
    verified = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, units)], capture_output=True, text=True)
    assert verified.returncode == 0 and verified.stderr.strip() == "", verified.stderr
    exposure = {}
    for unit in units:
        rated = subprocess.run(["systemd-analyze", "security", "--offline=true", "--no-pager", str(unit)],
                               capture_output=True, text=True)
        exposure[unit.name] = float(re.search(r"Overall exposure level for \S+: ([0-9.]+)", rated.stdout).group(1))
    assert all(level <= 2.0 for level in exposure.values()), exposure
    assert exposure["twitchlog-worker@1.service"] <= exposure["twitchlog-web.service"]


def test_secrets_are_read_from_credentials_or_files(tmp_path, monkeypatch):
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "secret_key").write_text("from-a-credential\n")
    (credentials / "database_url").write_text("postgresql://twitchlog_app:pw@127.0.0.1/twitchlog\n")
    for name in ("TWITCHLOG_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "TWITCHLOG_VAPID_PRIVATE_KEY", "REDIS_URL_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWITCHLOG_ENV", "production")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(credentials))
    redis = tmp_path / "redis"
    redis.write_text("redis://127.0.0.1:6379/3")
    monkeypatch.setenv("REDIS_URL_FILE", str(redis))
    settings = Settings.from_environment(tmp_path)
    assert settings.secret_key == "from-a-credential"
    assert settings.database_url == "postgresql+psycopg://twitchlog_app:pw@127.0.0.1/twitchlog"
    assert settings.redis_url == "redis://127.0.0.1:6379/3"
    monkeypatch.setenv("TWITCHLOG_SECRET_KEY", "from-the-environment")
    assert Settings.from_environment(tmp_path).secret_key == "from-the-environment", "a variable set on purpose wins"
    monkeypatch.setenv("REDIS_URL_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="REDIS_URL_FILE"):
        Settings.from_environment(tmp_path)
