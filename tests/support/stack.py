"""The production stack on one machine, started from the files in deploy/: a private PostgreSQL
cluster, gunicorn with several workers, nginx with TLS in front, and reminder dispatchers.

Used by tests/deploy (faults included: the private cluster can be restarted without touching the
machine's shared PostgreSQL) and by benchmarks/load_bench.py.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.push_service import self_signed_certificate

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None) if Path("/usr/lib/postgresql").exists() else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout: float = 30.0, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as error:  # the thing is still starting
            last_error = error
        time.sleep(interval)
    raise TimeoutError(f"timed out waiting for {what}: {last_error!r}")


def open_directory(prefix: str) -> Path:
    """A temporary folder that the postgres user and nginx's workers can enter (pytest's are 0700)."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(path, 0o755)
    return path


REDIS_URL = "redis://127.0.0.1:6379/14"


def stack_available() -> str | None:
    """Why the stack cannot run here, or None when it can."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()  # limits from an earlier run
    except Exception as error:  # no Redis server here
        return f"Redis is not reachable at {REDIS_URL}: {error}"
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        return "nginx is not installed (apt-get install nginx)"
    if PG_BIN is None:
        return "PostgreSQL server binaries are not installed"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "runuser is missing"
    return None


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on its own port, so faults never hit the shared server."""

    def __init__(self, root: Path):
        self.root = root
        self.data = root / "pgdata"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def start(self) -> "PrivatePostgres":
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "pg.log"), "-w", "-t", "60", "start",
                  "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200")
        return self

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "pg.log"), "-w", "-t", "60", "-m", "fast", "restart",
                  "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop", check=False)


def nginx_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that nginx's workers can read after dropping root (a test key only)."""
    cert, key = self_signed_certificate(directory)
    os.chmod(key, 0o644)
    return Path(cert), Path(key)


class Stack:
    """gunicorn + nginx (+ dispatchers) from deploy/, against a database URL."""

    def __init__(self, root: Path, database_url: str, workers: int = 3, dispatchers: int = 0, extra_env: dict | None = None):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)
        self.database_url = database_url
        self.app_port = free_port()
        self.https_port = free_port()
        self.http_port = free_port()
        self.url = f"https://127.0.0.1:{self.https_port}"
        self.workers = workers
        self.dispatcher_count = dispatchers
        self.processes: dict[str, subprocess.Popen] = {}
        self.dispatchers: list[subprocess.Popen] = []
        self._logs: list = []
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TWITCHLOG_")},
            "DATABASE_URL": database_url,
            # Production in every file and setting but one: its reminders go to a push-service
            # stand-in on 127.0.0.1, which TWITCHLOG_ENV=production refuses to allow (§12). The
            # production-only __Host- cookie is covered by tests/accounts/test_host_cookie.py.
            "TWITCHLOG_ENV": "staging",
            "TWITCHLOG_SECRET_KEY": secrets.token_urlsafe(32),
            "TWITCHLOG_PUBLIC_URL": self.url,
            "TWITCHLOG_TRUSTED_PROXIES": "1",
            "TWITCHLOG_BIND": f"127.0.0.1:{self.app_port}",
            "WEB_CONCURRENCY": str(workers),
            "TWITCHLOG_INSTANCE_PATH": str(root / "instance"),
            "TWITCHLOG_VAPID_KEY_FILE": str(root / "vapid_private.pem"),
            "TWITCHLOG_VAPID_SUBJECT": "mailto:ops@twitchlog.invalid",
            "TWITCHLOG_ALLOW_LOCAL_PUSH": "1",
            "TWITCHLOG_REGISTER_LIMIT": "100000/hour",
            "TWITCHLOG_LOGIN_LIMIT": "5/minute",  # failed logins only; shared by every worker through Redis
            "REDIS_URL": REDIS_URL,
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }

    def _log(self, path: Path):
        handle = open(path, "ab")
        self._logs.append(handle)
        return handle

    # --- pieces -------------------------------------------------------------------------------

    def write_vapid_key(self) -> None:
        """What an operator does once: make the deployment's VAPID key file (see the README)."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        path = Path(self.env["TWITCHLOG_VAPID_KEY_FILE"])
        if not path.exists():
            pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            path.write_bytes(pem)
            os.chmod(path, 0o600)

    def migrate(self) -> None:
        """The production upgrade command of DESIGN §8, as the operator runs it."""
        subprocess.run([str(BIN / "flask"), "--app", "server", "db", "upgrade"], cwd=REPO, env=self.env,
                       check=True, capture_output=True, text=True, timeout=120)

    def start_gunicorn(self) -> None:
        log = self._log(self.root / "gunicorn.log")
        self.processes["gunicorn"] = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(REPO / "deploy/gunicorn.conf.py"), "server:create_app()"],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_until(lambda: requests.get(f"http://127.0.0.1:{self.app_port}/healthz", timeout=2).status_code == 200,
                   what="gunicorn", timeout=60)

    def worker_pids(self) -> list[int]:
        """The gunicorn workers (children of the master)."""
        master = self.processes["gunicorn"].pid
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == master:
                pids.append(int(stat.parent.name))
        return pids

    def render_nginx(self) -> Path:
        cert, key = nginx_certificate(self.root)
        self.ca_file = str(cert)
        snippets = REPO / "deploy/nginx"
        site = (snippets / "twitchlog.conf").read_text()
        replacements = {
            "/etc/letsencrypt/live/twitchlog.example.org/fullchain.pem": str(cert),
            "/etc/letsencrypt/live/twitchlog.example.org/privkey.pem": str(key),
            "/etc/nginx/snippets/": f"{snippets}/",
            "/opt/twitchlog/pwa": str(REPO / "pwa"),
            "/var/log/nginx/twitchlog.access.log": str(self.root / "access.log"),
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{self.app_port};",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{self.https_port} ssl http2;",
            "listen [::]:443 ssl http2;": "",
            "listen 80;": f"listen 127.0.0.1:{self.http_port};",
            "listen [::]:80;": "",
            "twitchlog.example.org": "127.0.0.1",
        }
        for old, new in replacements.items():
            assert old in site, f"deploy/nginx/twitchlog.conf no longer has {old!r}; update the stack test"
            site = site.replace(old, new)
        (self.root / "site.conf").write_text(site)
        temp = self.root / "nginx-temp"
        temp.mkdir(exist_ok=True)
        os.chmod(temp, 0o777)
        main = f"""
worker_processes 2;
pid {self.root}/nginx.pid;
error_log {self.root}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    sendfile on;
    keepalive_timeout 30;
    include {self.root}/site.conf;
}}
"""
        path = self.root / "nginx.conf"
        path.write_text(main)
        return path

    def start_nginx(self) -> None:
        conf = self.render_nginx()
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(self.root)], check=True, capture_output=True, text=True)
        log = self._log(self.root / "nginx.out")
        self.processes["nginx"] = subprocess.Popen([nginx, "-c", str(conf), "-p", str(self.root), "-g", "daemon off;"],
                                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(lambda: requests.get(f"{self.url}/healthz", timeout=2, verify=self.ca_file).status_code == 200, what="nginx")

    def start_dispatcher(self) -> subprocess.Popen:
        log = self._log(self.root / f"dispatcher-{len(self.dispatchers)}.log")
        process = subprocess.Popen([str(BIN / "twitchlog"), "worker"], cwd=REPO, env=self.env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.dispatchers.append(process)
        return process

    def logs(self, name: str, tail: int = 3000) -> str:
        """The end of each log file whose name starts with `name` (for failure messages)."""
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-tail:]}" for path in sorted(self.root.glob(f"{name}*")))

    # --- whole ---------------------------------------------------------------------------------

    def start(self) -> "Stack":
        self.write_vapid_key()
        self.migrate()
        self.start_gunicorn()
        self.start_nginx()
        for _ in range(self.dispatcher_count):
            self.start_dispatcher()
        return self

    def stop(self) -> None:
        for process in [*self.dispatchers, *self.processes.values()]:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in [*self.dispatchers, *self.processes.values()]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for handle in self._logs:
            handle.close()

    def session(self) -> requests.Session:
        http = requests.Session()
        http.trust_env = False  # an environment CA bundle would override verify=
        http.verify = self.ca_file
        http.headers["Origin"] = self.url
        return http
