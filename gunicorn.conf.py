"""Gunicorn settings for production (Procfile.prod): each value from an environment variable, with a safe default."""

import multiprocessing
import os
from pathlib import Path

# Only the TLS proxy (nginx, Caddy) on this machine talks to gunicorn; set GUNICORN_BIND=0.0.0.0:8000
# when the proxy runs on another machine.
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Gunicorn's own rule of thumb for sync workers; WEB_CONCURRENCY is the usual variable to override it.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# A request taking longer than this is a hang: the worker is killed and replaced. Evidence uploads
# arrive whole from the proxy (nginx buffers request bodies), so this is not the resident's upload time.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On reload or shutdown, requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak never grows; the jitter stops them all restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Logs go to stdout/stderr, where systemd's journal or the process manager collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Addresses of the proxies whose X-Forwarded-* headers gunicorn trusts (comma-separated; the proxy's address).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Worker heartbeats in memory, not on a disk that may stall (gunicorn's advice; its files are private mkstemp ones).
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108
# No runtime control socket: nothing here uses it, and two instances would share ~/.gunicorn/gunicorn.ctl.
control_socket_disable = True
