"""gunicorn settings for Twitchlog behind nginx: `gunicorn -c deploy/gunicorn.conf.py "server:create_app()"`.

Every worker is stateless (sessions, limits and queues live in PostgreSQL and Redis), so more
workers or more machines is only a matter of starting more.
"""
import multiprocessing
import os
import tempfile

# Metrics add up across workers through files in one directory (prometheus_client's multiprocess
# mode). Set PROMETHEUS_MULTIPROC_DIR in the environment file, the same for the web unit and the
# dispatchers, on a tmpfs such as /run/twitchlog/metrics (a reboot empties it, as it must); without
# it each start of the web unit gets a fresh directory of its own.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="twitchlog-metrics-")

bind = os.environ.get("TWITCHLOG_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("TWITCHLOG_THREADS", "2"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 15  # nginx keeps upstream connections open (see the site's `keepalive`)
max_requests = 5000
max_requests_jitter = 500
preload_app = False  # each worker opens its own database pool; nothing is shared across fork
forwarded_allow_ips = os.environ.get("TWITCHLOG_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # nginx keeps the access log, with share tokens redacted; never log them twice
errorlog = "-"
loglevel = os.environ.get("TWITCHLOG_LOG_LEVEL", "info")
proc_name = "twitchlog-web"
