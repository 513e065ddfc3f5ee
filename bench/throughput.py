"""Requests per second through gunicorn: four staff pages at 10 concurrent connections (wrk).

    .venv/bin/python bench/throughput.py [--database asb_portal_bench_pages] [--seconds 20] [--workers 3]
        [--only list,detail,home,dashboard] [--port 8301] [--project PATH] [--warmup 3] [--no-two-factor]

Starts gunicorn (`asb_portal.wsgi`, sync workers, production's gunicorn.conf.py through bench/gunicorn_bench.py,
which fixes each worker's clock at the data's anchor, ticking) from --project (default: this checkout; give a
`git worktree` to measure other code against the same data), with DEBUG off, a throwaway SECRET_KEY,
ALLOWED_HOSTS 127.0.0.1, no HTTPS redirect and plain static storage. Two factors stay required: the script gives
bench-officer-01 and bench-manager-01 a confirmed authenticator app (removed again at the end) and signs them in
as the code page does (`login`, then `django_otp.login`), so every request is a verified one. While it runs,
bench/run.py's force_login sessions for those two users would be sent to the code page: run the two apart, or on
a copy of the data (CREATE DATABASE asb_x_bench_pages TEMPLATE asb_portal_bench_pages). --no-two-factor instead
sets TWO_FACTOR_REQUIRED=false and adds no device.

For each page: one request checked by hand (200, not a redirect), --warmup seconds of wrk, then --seconds of
`wrk -c 10 -t 2` with the session cookie. Every response must be 200 (counted in wrk's Lua `response`): any
other status fails the run. Prints req/s and latency p50/p99 and writes bench/results/throughput-<db>.json.
"""

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

RESULTS_DIR = BASE_DIR / "bench" / "results"
DEVICE_NAME = "bench-throughput"
USERS = {"officer": "bench-officer-01", "manager": "bench-manager-01"}
PAGE_KEYS = ("list", "detail", "home", "dashboard")

# wrk counts only 4xx/5xx as errors; a redirect to the sign-in page would pass. This counts every non-200.
WRK_SCRIPT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; bad_status = 0 end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1; bad_status = status end
end
function done(summary, latency, requests)
  local total, status = 0, 0
  for _, t in ipairs(threads) do
    total = total + t:get("bad")
    if t:get("bad_status") ~= 0 then status = t:get("bad_status") end
  end
  io.write(string.format("BENCH {\"non200\": %d, \"bad_status\": %d, \"requests\": %d, \"duration_us\": %d, " ..
    "\"p50_us\": %d, \"p90_us\": %d, \"p99_us\": %d, \"mean_us\": %.1f, \"max_us\": %d, " ..
    "\"errors\": {\"connect\": %d, \"read\": %d, \"write\": %d, \"status\": %d, \"timeout\": %d}}\n",
    total, status, summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.mean, latency.max, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout))
end
"""


def environment(database_url: str, *, two_factor: bool) -> dict:
    """Production settings, except what a local plain-HTTP run needs; the same in this process and the server."""
    env = {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "asb_portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "LOG_LEVEL": "WARNING",
    }
    if not two_factor:
        env["TWO_FACTOR_REQUIRED"] = "false"
    return env


def _marker():
    from django.db import connection

    from bench import data

    marker = data.marker_read()
    if marker is None:
        sys.exit("No bench data here: run bench/data.py first.")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT detail_reference FROM {data.MARKER}")
        marker["detail_reference"] = cursor.fetchone()[0]
    return marker


def sessions_make(*, two_factor: bool) -> dict[str, str]:
    """A signed-in (and, with two factors, verified) session per role, made as the sign-in pages make them."""
    import django_otp
    from django.conf import settings
    from django.contrib.auth import get_user_model, login
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory
    from django_otp.plugins.otp_totp.models import TOTPDevice

    keys = {}
    for role, username in USERS.items():
        user = get_user_model().objects.get(username=username)
        request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")
        request.session = SessionStore()
        request.user = user
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if two_factor:
            device, _ = TOTPDevice.objects.get_or_create(user=user, name=DEVICE_NAME, defaults={"confirmed": True})
            django_otp.login(request, device)
        from accounts.middleware import session_touch

        session_touch(request, force=True)
        request.session.save()
        keys[role] = f"{settings.SESSION_COOKIE_NAME}={request.session.session_key}"
    return keys


def devices_remove() -> int:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user__username__in=USERS.values(), name=DEVICE_NAME).delete()[0]


def server_start(project: Path, env: dict, *, port: int, workers: int, anchor, log_path: Path) -> subprocess.Popen:
    conf = project / "gunicorn.conf.py"
    server_env = {**os.environ, **env, "BENCH_ANCHOR": anchor.isoformat(), "BENCH_GUNICORN_CONF": str(conf),
                  "PYTHONPATH": str(project)}
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "asb_portal.wsgi", "--config", str(BASE_DIR / "bench" / "gunicorn_bench.py"),
         "--chdir", str(project), "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=project, env=server_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited ({proc.returncode}): see {log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.3)
    server_stop(proc)
    sys.exit(f"gunicorn did not answer on port {port} within 60 s: see {log_path}")


def server_stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def check_page(port: int, path: str, cookie: str) -> tuple[int, int]:
    """One request: (status, body bytes). Redirects are not followed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    body = response.read()
    return response.status, len(body)


def wrk(port: int, path: str, cookie: str, *, seconds: int, script: Path) -> dict:
    proc = subprocess.run(
        ["wrk", "-c", "10", "-t", "2", "-d", f"{seconds}s", "--timeout", "30s", "--latency", "-s", str(script),
         "-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True,
    )
    line = next(line for line in proc.stdout.splitlines() if line.startswith("BENCH "))
    result = json.loads(line[len("BENCH "):])
    result["requests_per_second"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="asb_portal_bench_pages", help="bench database (default asb_portal_bench_pages)")
    parser.add_argument("--seconds", type=int, default=20, help="measured seconds per page (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="wrk seconds per page before measuring (default 3)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (default 3)")
    parser.add_argument("--only", default="", help=f"comma-separated pages among {','.join(PAGE_KEYS)}")
    parser.add_argument("--port", type=int, default=8301)
    parser.add_argument("--project", type=Path, default=BASE_DIR, help="checkout to serve (default this one)")
    parser.add_argument("--label", default="", help="a name for this run in the results file (e.g. base, after)")
    parser.add_argument("--no-two-factor", action="store_true", help="TWO_FACTOR_REQUIRED=false, no authenticator")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    project = args.project.resolve()
    if not (project / "asb_portal" / "wsgi.py").is_file():
        sys.exit(f"{project} is not an ASB Portal checkout")
    only = [k for k in args.only.split(",") if k] or list(PAGE_KEYS)
    if unknown := set(only) - set(PAGE_KEYS):
        sys.exit(f"Unknown pages: {', '.join(sorted(unknown))}")

    from bench import data

    two_factor = not args.no_two_factor
    url = data.database_url(args.database)
    name = url.rsplit("/", 1)[1]
    if "bench" not in name:
        sys.exit(f"Refusing database {name!r}: its name must contain 'bench'.")
    env = environment(url, two_factor=two_factor)
    os.environ.update(env)
    import django

    django.setup()
    import time_machine

    marker = _marker()
    anchor = marker["anchor"]
    pages = {
        "list": ("case list /staff/cases/", "/staff/cases/", "officer"),
        "detail": ("case page", f"/staff/cases/{marker['detail_reference']}/", "officer"),
        "home": ("officer home /staff/", "/staff/", "officer"),
        "dashboard": ("dashboard ?period=12m", "/dashboard/?period=12m", "manager"),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log_path = RESULTS_DIR / f"throughput-{name}-gunicorn.log"
    results = {}
    proc = None
    try:
        with time_machine.travel(anchor, tick=True):
            cookies = sessions_make(two_factor=two_factor)
        from django.db import connection

        connection.close()
        proc = server_start(project, env, port=args.port, workers=args.workers, anchor=anchor, log_path=log_path)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            handle.write(WRK_SCRIPT)
            script = Path(handle.name)
        print(f"{name}: {marker['cases']:,} cases, {args.workers} workers, {project}, "
              f"two factors {'required (verified sessions)' if two_factor else 'off'}")
        for key in only:
            label, path, role = pages[key]
            status, size = check_page(args.port, path, cookies[role])
            if status != 200:
                sys.exit(f"{label}: {path} answered {status}, not 200 (see {log_path})")
            if args.warmup:
                wrk(args.port, path, cookies[role], seconds=args.warmup, script=script)
            result = wrk(args.port, path, cookies[role], seconds=args.seconds, script=script)
            if result["non200"] or any(result["errors"].values()):
                sys.exit(f"{label}: {result['non200']} responses were not 200 (last {result['bad_status']}), "
                         f"errors {result['errors']}: see {log_path}")
            results[key] = {"label": label, "path": path, "user": USERS[role], "bytes": size, **result}
            print(f"  {label:<28} {result['requests_per_second']:>7.1f} req/s   p50 {result['p50_us'] / 1000:>7.1f} ms"
                  f"   p99 {result['p99_us'] / 1000:>7.1f} ms   ({result['requests']:,} requests, {size:,} bytes)")
        script.unlink()
    finally:
        if proc is not None:
            server_stop(proc)
        if two_factor:
            devices_remove()

    report = {"when": datetime.now().isoformat(timespec="seconds"), "database": name, "cases": marker["cases"],
              "anchor": anchor.isoformat(), "project": str(project), "label": args.label, "workers": args.workers,
              "connections": 10, "threads": 2, "seconds": args.seconds, "warmup_seconds": args.warmup,
              "two_factor_required": two_factor, "cpus": os.cpu_count(), "python": platform.python_version(),
              "pages": results}
    out = RESULTS_DIR / f"throughput-{name}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Results written to {out.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
