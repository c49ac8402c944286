"""The `twitchlog` command as an operator runs it."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from server.cli import main

TWITCHLOG = Path(sys.executable).parent / "twitchlog"


def test_backup_copies_the_live_sqlite_database(database_url, user, tmp_path, monkeypatch):
    if not database_url.startswith("sqlite"):
        pytest.skip("the online backup command is for the embedded SQLite default")
    record_id = user.log_twitch("2026-11-25T19:42:10Z", note="kept in the backup")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TWITCHLOG_INSTANCE_PATH", str(tmp_path / "instance"))
    copy = tmp_path / "backup.sqlite3"
    result = CliRunner().invoke(main, ["backup", str(copy)])
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    assert oct(os.stat(copy).st_mode & 0o777) == "0o600"
    with sqlite3.connect(copy) as connection:
        notes = connection.execute("SELECT note FROM twitches WHERE record_id = ?", (record_id,)).fetchall()
    assert notes == [("kept in the backup",)]
    again = CliRunner().invoke(main, ["backup", str(copy)])
    assert again.exit_code != 0 and "exists" in again.output


def test_backup_refuses_postgresql(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/x")
    monkeypatch.setenv("TWITCHLOG_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["backup", str(tmp_path / "b.sqlite3")])
    assert result.exit_code != 0 and "pg_dump" in result.output


def test_vapid_key_prints_a_p256_private_key():
    result = subprocess.run([str(TWITCHLOG), "vapid-key"], capture_output=True, text=True, check=True, timeout=60)
    key = serialization.load_pem_private_key(result.stdout.encode(), password=None)
    assert key.curve.name == "secp256r1"
    assert "applicationServerKey" in result.stderr


def test_production_refuses_to_start_without_a_secret(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWITCHLOG_")}
    env.update(TWITCHLOG_ENV="production", TWITCHLOG_INSTANCE_PATH=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/{uuid.uuid4()}.db")
    result = subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "server", "db", "upgrade"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "TWITCHLOG_SECRET_KEY is not set" in result.stderr
