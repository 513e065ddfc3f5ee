"""`make run` serves the web app at the address its banner prints (honcho's own default port is 5000)."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    db = connection.settings_dict  # pytest-django has pointed the connection at the test database
    credentials = f"{quote(db['USER'], safe='')}:{quote(db['PASSWORD'], safe='')}@" if db["USER"] else ""
    return f"postgres://{credentials}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def make_run_commands(port: int) -> tuple[str, str]:
    """The banner and honcho command lines `make run PORT=...` would run (make -n prints without running)."""
    plan = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", f"PORT={port}"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.splitlines()
    banner = next(line for line in plan if "scripts/banner.py" in line)
    honcho = next(line for line in plan if "honcho start" in line)
    return banner, honcho


def get(url: str, deadline: float):
    """GET url, retrying while the server is still starting; (status, body)."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local URL we built
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_make_run_serves_the_address_it_prints(db, tmp_path):
    port = free_port()
    banner_command, honcho_command = make_run_commands(port)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",  # the tests' Redis database, not a developer's
        "DATABASE_URL": test_database_url(),
    }
    env.pop("PORT", None)

    banner = subprocess.run(["bash", "-c", banner_command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    printed = re.search(r"starting at (http://\S+/)", banner.stdout)
    assert printed, banner.stdout + banner.stderr
    address = printed.group(1)
    assert address == f"http://127.0.0.1:{port}/"

    # Only the web process of the Procfile, started by the same honcho command line.
    log = tmp_path / "honcho.log"
    with open(log, "wb") as out:
        honcho = subprocess.Popen(
            ["bash", "-c", f"exec {honcho_command} web"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        try:
            status, body = get(address + "healthz", deadline=time.monotonic() + 30)
        except urllib.error.URLError:
            pytest.fail(f"nothing answered at {address}:\n{log.read_text()}")
        assert status == 200, (status, body, log.read_text())
        assert json.loads(body) == {"database": "ok", "redis": "ok", "status": "ok"}
    finally:
        stop(honcho, log)


def stop(honcho: subprocess.Popen, log: Path) -> None:
    # honcho stops its processes (each in a process group of its own) on SIGTERM; whatever is
    # still running after that is killed by its process group, so no server outlives the test.
    children = [int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", log.read_text())]
    try:
        os.killpg(honcho.pid, signal.SIGTERM)
        honcho.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(honcho.pid, signal.SIGKILL)
        honcho.wait(timeout=5)
    for pid in children:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def test_make_run_defaults_to_port_8000():
    env = {k: v for k, v in os.environ.items() if k != "PORT"}
    plan = subprocess.run(
        ["make", "--no-print-directory", "-n", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    ).stdout
    assert "honcho start -f Procfile -p 8000" in plan
    banner = next(line for line in plan.splitlines() if "scripts/banner.py" in line)
    printed = subprocess.run(["bash", "-c", banner], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30).stdout
    assert "starting at http://127.0.0.1:8000/" in printed


def test_redis_is_imported_before_any_server_thread_starts():
    """Two threads importing redis-py for the first time at once can get a half-made module; the
    project package imports it first, so threads importing the cache backend later never race."""
    script = (
        "import threading, asb_portal\n"
        "errors = []\n"
        "def cache():\n"
        "    try:\n"
        "        import django_redis.client\n"
        "    except Exception as exc:\n"
        "        errors.append(repr(exc))\n"
        "def health():\n"
        "    try:\n"
        "        import redis\n"
        "        redis.Redis\n"
        "    except Exception as exc:\n"
        "        errors.append(repr(exc))\n"
        "threads = [threading.Thread(target=f) for f in (cache, health, cache, health)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print(errors)\n"
    )
    for _ in range(5):  # without the early import this failed 20 times out of 20 here
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "[]", result.stdout
