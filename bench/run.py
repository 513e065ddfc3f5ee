"""Staff pages at council scale: time, SQL time and query counts through Django's full request stack.

    .venv/bin/python bench/data.py                                   # 100,000 cases (once; skipped if loaded)
    .venv/bin/python bench/data.py --cases 1000 --database asb_portal_bench_small
    .venv/bin/python bench/run.py [--runs 20] [--warmup 3] [--database …] [--compare db1,db2] [--no-small]
    .venv/bin/python bench/run.py --database asb_portal_bench_county --compare asb_portal_bench_small,asb_portal_bench_pages

On the data bench/data.py loaded (default database asb_portal_bench_pages), with the clock travelled to
the data's anchor instant (time_machine, ticking), each page is requested with django.test.Client as a
logged-in officer, manager or partner user (the police's case list and one shared case page, issue 11; a
person's page, and the intake match `person_candidates` called directly, issue 12):
--warmup requests first, then --runs timed ones. For each page it records
the median and 95th percentile wall time, the SQL query count (CaptureQueriesContext), the time spent in
SQL (an execute wrapper timing each statement) and the page's main query (its slowest statement) re-run
directly, timed, and through EXPLAIN (ANALYZE, BUFFERS). The query counts are compared with a run of the
same pages against the 1,000-case database, and any other --compare databases (a subprocess of this script with
--counts-only each): a page whose count differs anywhere is reported and the script exits with status 3.
Also the deadline sweep (rolled back) and, if it exists, the dashboard and its CSV export's peak memory.
Prints a table and writes bench/results/pages.json. See bench/README.md, "Pages at council scale".
"""

import argparse
import json
import os
import platform
import resource
import secrets
import statistics
import subprocess
import sys
import tracemalloc
from collections import deque
from datetime import datetime, timedelta
from pathlib import Path
from time import perf_counter

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.data_partners import PARTNER_PAGE_ENTRIES as PARTNER_ENTRIES  # noqa: E402
from bench.data_partners import PARTNER_USERNAME  # noqa: E402

RESULTS_DIR = BASE_DIR / "bench" / "results"
SMALL_DATABASE = "asb_portal_bench_small"

# Issue 6's targets; issue 16 tightens the case page to 30 ms at 1,000,000 cases.
TARGET_MS = 50
DETAIL_TARGET_MS = 30
TARGET_QUERIES = 15
DASHBOARD_TARGET_MS = 300
EXPORT_TARGET_MB = 150


def settings_env() -> None:
    """Production-like settings for a test client: DEBUG off, no HTTPS redirect, no collectstatic needed."""
    os.environ.setdefault("DEBUG", "false")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["SESSION_COOKIE_SECURE"] = "false"
    os.environ["CSRF_COOKIE_SECURE"] = "false"
    # The manifest storage would need collectstatic; the plain one renders the same HTML.
    os.environ.setdefault("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
    # Production settings refuse the development key with DEBUG off: a throwaway one for this process.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    # force_login cannot present a one-time code; the pages are measured as for a signed-in, verified user.
    os.environ.setdefault("TWO_FACTOR_REQUIRED", "false")


class Timer:
    """Execute wrapper: every statement with its params and duration (Django's own "time" is rounded)."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        started = perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, params, many, perf_counter() - started))

    @property
    def seconds(self) -> float:
        return sum(s[3] for s in self.statements)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _kind(sql: str) -> str:
    from bench.sweep import _query_kind

    return _query_kind(sql)


def measure(call, *, runs: int, warmup: int) -> dict:
    """Time `call()` (returns an HTTP status or a label), with queries, SQL time and the slowest statement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        status = call()
    samples = []
    for _ in range(runs):
        timer = Timer()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
            started = perf_counter()
            status = call()
            seconds = perf_counter() - started
        samples.append({"seconds": seconds, "queries": len(captured.captured_queries), "db_seconds": timer.seconds,
                        "status": status, "statements": timer.statements})
    times = [s["seconds"] for s in samples]
    median_run = sorted(samples, key=lambda s: s["seconds"])[len(samples) // 2]
    slowest = max(median_run["statements"], key=lambda s: s[3]) if median_run["statements"] else None
    return {
        "status": samples[-1]["status"],
        "runs": len(samples),
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": _percentile(times, 95) * 1000,
        "min_ms": min(times) * 1000,
        "max_ms": max(times) * 1000,
        "queries": samples[-1]["queries"],
        "queries_same_every_run": len({s["queries"] for s in samples}) == 1,
        "db_median_ms": statistics.median(s["db_seconds"] for s in samples) * 1000,
        "by_kind": _by_kind(median_run["statements"]),
        "_slowest": slowest,
    }


def _by_kind(statements) -> dict:
    out: dict[str, dict] = {}
    for sql, _params, _many, seconds in statements:
        entry = out.setdefault(_kind(sql), {"count": 0, "ms": 0.0})
        entry["count"] += 1
        entry["ms"] += seconds * 1000
    return dict(sorted(out.items(), key=lambda kv: -kv[1]["ms"]))


def main_query(statement, *, runs: int) -> dict | None:
    """The page's slowest statement re-run directly (timed) and through EXPLAIN (ANALYZE, BUFFERS)."""
    if statement is None:
        return None
    from django.db import connection, transaction

    sql, params, many, in_page = statement
    if many or not sql.lstrip().upper().startswith("SELECT"):
        return {"sql": sql, "in_page_ms": in_page * 1000, "note": "not a SELECT: not re-run"}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)  # warm
        cursor.fetchall()
        direct = []
        for _ in range(runs):
            started = perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            direct.append(perf_counter() - started)
        text = cursor.mogrify(sql, params).decode() if params else sql
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        explain = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    execution = next((float(line.split(":")[1].split()[0]) for line in explain.splitlines() if "Execution Time" in line), None)
    return {
        "kind": _kind(sql),
        "sql": text,
        "in_page_ms": in_page * 1000,
        "direct_median_ms": statistics.median(direct) * 1000,
        "explain_execution_ms": execution,
        "explain": explain,
    }


def pages(anchor, marker: dict) -> list[dict]:
    """The pages: (key, label, path, user role, target ms, query target applies)."""
    word = marker["search_word"]
    return [
        {"key": "report_start", "label": "public form start /report/", "path": "/report/", "user": None,
         "target_ms": None},
        {"key": "home", "label": "officer home /staff/", "path": "/staff/", "user": "officer", "target_ms": TARGET_MS,
         "scale": True},
        {"key": "list", "label": "case list /staff/cases/", "path": "/staff/cases/", "user": "officer",
         "target_ms": TARGET_MS, "scale": True},
        {"key": "search", "label": f"search ?q={word}&status=open_any", "path": f"/staff/cases/?q={word}&status=open_any",
         "user": "officer", "target_ms": TARGET_MS, "scale": True},
        {"key": "detail", "label": "case detail (30 timeline entries)", "path": f"/staff/cases/{marker['detail_reference']}/",
         "user": "officer", "target_ms": DETAIL_TARGET_MS, "scale": True},
        # Not held to the 15-query limit, but its count must not grow with the data either ("fixed").
        {"key": "dashboard", "label": "manager dashboard ?period=12m", "path": "/dashboard/?period=12m", "user": "manager",
         "target_ms": DASHBOARD_TARGET_MS, "fixed": True},
        # Issue 11: a police user's shared cases (1% of all cases) and one shared case within its scope.
        *([{"key": "partner_list", "label": "partner case list /partners/", "path": "/partners/", "user": "partner",
            "target_ms": TARGET_MS, "scale": True},
           {"key": "partner_case", "label": f"partner case page ({PARTNER_ENTRIES} entries)",
            "path": f"/partners/cases/{marker['partner_reference']}/", "user": "partner", "target_ms": TARGET_MS, "scale": True}]
          if marker.get("partner_reference") else []),
        # Issue 12: the person's page for someone on several cases (the register's page person).
        *([{"key": "person", "label": "person page (a person on several cases)",
            "path": f"/staff/people/{marker['register_person']}/", "user": "officer", "target_ms": TARGET_MS, "scale": True}]
          if marker.get("register_person") else []),
    ]


def match_run(marker: dict, *, runs: int, warmup: int, variant: str = "phone") -> dict:
    """Issue 12: the intake match, `person_candidates(...)` for a new report's caller, called directly as intake calls
    it. variant "phone": the page person's phone number and a shortened name (a strong match); "name": the page
    person's full name with a new phone, email and address (the generator has only 320 distinct names, so this reads
    the most people a name lookup can: a worst case)."""
    if not marker.get("register_caller"):
        return {"available": False, "note": "no register data: reload bench/data.py"}
    try:
        from cases.services.register import person_candidates
    except ImportError:
        return {"available": False, "note": "no cases.services.register.person_candidates"}
    caller = json.loads(marker["register_caller"])
    if variant == "name":
        from cases.models import Person

        caller = {"full_name": Person.objects.get(pk=marker["register_person"]).full_name, "phone": "07700 800001",
                  "email": "new.caller@example.invalid", "address": "1 Nowhere Lane", "postcode": "LE99 9ZZ"}
    found = []

    def call():
        found[:] = person_candidates(**caller)
        return 200

    result = measure(call, runs=runs, warmup=warmup)
    slowest = result.pop("_slowest")
    result["main_query"] = main_query(slowest, runs=5)
    result.update(available=True, caller=caller, found=[(c.person.pk, c.strength) for c in found])
    return result


def clients():
    from django.contrib.auth import get_user_model
    from django.test import Client

    User = get_user_model()
    out = {None: Client()}
    for role, username in (("officer", "bench-officer-01"), ("manager", "bench-manager-01"), ("partner", PARTNER_USERNAME)):
        user = User.objects.filter(username=username).first()
        if user is None:  # data loaded before the partner agency (DATA_VERSION 2): reload bench/data.py
            continue
        c = Client()
        c.force_login(user)
        out[role] = c
    return out


def page_run(client, path: str, *, runs: int, warmup: int, explain_runs: int) -> dict:
    def call():
        response = client.get(path)
        if getattr(response, "streaming", False):
            for _ in response.streaming_content:
                pass
        return response.status_code

    first = call()
    if first == 404:
        return {"status": 404, "available": False}
    if first != 200:
        return {"status": first, "available": False, "note": f"HTTP {first}"}
    result = measure(call, runs=runs, warmup=warmup)
    result["available"] = True
    result["main_query"] = main_query(result.pop("_slowest"), runs=explain_runs)
    return result


def sweep_run(anchor, *, runs: int, warmup: int, limit: int | None = None) -> dict:
    from django.db import transaction

    from cases.services.sweep import deadlines_sweep

    outcome = {}

    def call():
        with transaction.atomic():
            result = deadlines_sweep(now=anchor) if limit is None else deadlines_sweep(now=anchor, limit=limit)
            outcome.update(claimed=result.claimed, messages=result.messages, alerts=sum(result.alerts.values()))
            transaction.set_rollback(True)
        return 200

    result = measure(call, runs=runs, warmup=warmup)
    result.pop("_slowest")
    result.update(outcome)
    result["available"] = True
    return result


def export_run(client, anchor) -> dict:
    """Stream the dashboard's CSV export of every report over the ten years (~110,000 rows); peak memory."""
    from django.urls import Resolver404, resolve

    def date_boxes(name, day) -> str:  # the GOV.UK day, month and year boxes the dashboard's form reads
        return f"{name}_0={day.day}&{name}_1={day.month}&{name}_2={day.year}"

    first, last = anchor.replace(year=anchor.year - 10).date(), anchor.date()
    path = f"/dashboard/export/reports.csv?period=custom&{date_boxes('start', first)}&{date_boxes('end', last)}"
    start = date_boxes("start", first)
    try:
        resolve(path.split("?")[0])
    except Resolver404:
        return {"available": False, "note": "no /dashboard/export/<figure>.csv URL"}
    client.get(path.replace(start, date_boxes("start", last)))  # warm imports and the session, 1 day of rows
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = perf_counter()
    response = client.get(path)
    lines, size = 0, 0
    chunks = response.streaming_content if getattr(response, "streaming", False) else [response.content]
    for chunk in chunks:
        lines += chunk.count(b"\n")
        size += len(chunk)
    seconds = perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if response.status_code != 200:
        return {"available": False, "status": response.status_code, "note": f"HTTP {response.status_code}"}
    return {"available": True, "path": path, "status": response.status_code, "rows": lines - 1, "bytes": size,
            "streaming": getattr(response, "streaming", False), "seconds": seconds,
            "tracemalloc_peak_mb": peak / 2**20, "maxrss_mb": rss_after / 1024,
            "maxrss_growth_mb": (rss_after - rss_before) / 1024}


def counts_only(anchor, marker: dict) -> dict:
    """Query counts (one warm request each) for the pages whose counts must not grow with the data."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cs = clients()
    out = {}
    for page in pages(anchor, marker):
        if not (page.get("scale") or page.get("fixed")) or page["user"] not in cs:
            continue
        cs[page["user"]].get(page["path"])
        with CaptureQueriesContext(connection) as captured:
            status = cs[page["user"]].get(page["path"]).status_code
        out[page["key"]] = {"status": status, "queries": len(captured.captured_queries)}
    for key, variant in (("match", "phone"), ("match_name", "name")):
        match = match_run(marker, runs=1, warmup=1, variant=variant)
        if match.get("available"):
            out[key] = {"status": 200, "queries": match["queries"]}
    return out


def _setup(database: str):
    from bench import data

    settings_env()
    name = data.database_prepare(database)
    import django

    django.setup()
    from django.db import connection

    connection.queries_limit = 1_000_000
    connection.queries_log = deque(maxlen=connection.queries_limit)
    marker = data.marker_read()
    if marker is None:
        sys.exit(f"No bench data in {name}: run  .venv/bin/python bench/data.py --database {name}  first.")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT detail_reference, search_word FROM {data.MARKER}")
        marker["detail_reference"], marker["search_word"] = cursor.fetchone()
        marker["partner_reference"] = None
        cursor.execute("SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = 'partner_reference'",
                       [data.MARKER])
        if cursor.fetchone():
            cursor.execute(f"SELECT partner_reference FROM {data.MARKER}")
            marker["partner_reference"] = cursor.fetchone()[0]
        marker["register_person"] = marker["register_caller"] = None
        cursor.execute("SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = 'register_person'",
                       [data.MARKER])
        if cursor.fetchone():
            cursor.execute(f"SELECT register_person, register_caller FROM {data.MARKER}")
            marker["register_person"], marker["register_caller"] = cursor.fetchone()
    if marker["version"] != data.DATA_VERSION:
        print(f"Warning: {name} holds bench data version {marker['version']}, not {data.DATA_VERSION}: "
              f"reload it with  .venv/bin/python bench/data.py --database {name} --reload")
    return name, marker


def _scale(cases: int) -> str:
    return f"{cases // 1_000_000}M" if cases >= 1_000_000 and cases % 1_000_000 == 0 else (
        f"{cases // 1000}k" if cases >= 1000 else str(cases))


def _fmt(ms, width=9):
    return f"{'-':>{width}}" if ms is None else f"{ms:>{width - 3},.1f} ms"


def report_print(report: dict) -> None:
    print()
    print(f"Pages at {report['data']['cases']:,} cases ({report['database']}), {report['runs']} runs after "
          f"{report['warmup']} warm-up, clock at {report['anchor']}")
    compared = report.get("compare") or []
    cols = "".join(f"{_scale(c['cases']):>6}" for c in compared)
    head = (f"{'page':<38}{'median':>10}{'p95':>10}{'SQL time':>10}{'main q':>10}{'q direct':>10}{'queries':>8}"
            f"{cols}  target")
    print(head)
    print("-" * len(head) + "-" * 20)
    for page in report["pages"]:
        r = page["result"]
        if not r.get("available"):
            print(f"{page['label']:<38}{'not available (HTTP ' + str(r.get('status')) + ')':>40}")
            continue
        mq = r.get("main_query") or {}
        others = "".join(f"{c['counts'].get(page['key'], {}).get('queries', '')!s:>6}" for c in compared)
        verdict = page.get("verdict", "")
        print(f"{page['label']:<38}{_fmt(r['median_ms'], 10)}{_fmt(r['p95_ms'], 10)}{_fmt(r['db_median_ms'], 10)}"
              f"{_fmt(mq.get('in_page_ms'), 10)}{_fmt(mq.get('direct_median_ms'), 10)}{r['queries']:>8}{others}  {verdict}")
    for key, label in (("sweep", "deadline sweep (rolled back)"), ("sweep_1000", "deadline sweep, 1,000 due"),
                       ("sweep_backlog", "backlog sweep (rolled back)")):
        s = report.get(key) or {}
        if s.get("available"):
            print(f"{label:<38}{_fmt(s['median_ms'], 10)}{_fmt(s['p95_ms'], 10)}"
                  f"{_fmt(s['db_median_ms'], 10)}{'':>20}{s['queries']:>8}{'':>{6 * len(compared)}}  "
                  f"{s['claimed']:,} claimed, {s['messages']:,} messages; < 2 s {'met' if s['median_ms'] < 2000 else 'NOT met'}"
                  + (f" (now = anchor + {s['backlog_days']} days)" if s.get("backlog_days") else ""))
    for key, label in (("match", "intake match (phone, short name)"), ("match_name", "intake match (common full name)")):
        m = report.get(key) or {}
        if m.get("available"):
            others = "".join(f"{c['counts'].get(key, {}).get('queries', '')!s:>6}" for c in compared)
            print(f"{label:<38}{_fmt(m['median_ms'], 10)}{_fmt(m['p95_ms'], 10)}"
                  f"{_fmt(m['db_median_ms'], 10)}{_fmt((m.get('main_query') or {}).get('in_page_ms'), 10)}"
                  f"{_fmt((m.get('main_query') or {}).get('direct_median_ms'), 10)}{m['queries']:>8}{others}  "
                  f"< {TARGET_MS} ms {'met' if m['median_ms'] < TARGET_MS else 'NOT met'} ({m['runs']} runs; "
                  f"{len(m['found'])} found, {sum(1 for _, s in m['found'] if s == 'strong')} strong)")
        elif m:
            print(f"{label}: not available ({m.get('note')})")
    e = report["export"]
    if e.get("available"):
        print(f"CSV export {e['path']}: {e['rows']:,} rows, {e['bytes'] / 2**20:.1f} MB in {e['seconds']:.1f} s; peak "
              f"{e['tracemalloc_peak_mb']:.1f} MB (tracemalloc), max RSS {e['maxrss_mb']:.0f} MB "
              f"(+{e['maxrss_growth_mb']:.0f}); target < {EXPORT_TARGET_MB} MB: "
              f"{'met' if e['tracemalloc_peak_mb'] < EXPORT_TARGET_MB else 'NOT met'}")
    else:
        print(f"CSV export: not available ({e.get('note')})")
    print()
    for page in report["pages"]:
        mq = (page["result"].get("main_query") or {})
        if mq.get("explain"):
            print(f"{page['label']}: main query {mq['kind']} ({mq['in_page_ms']:.1f} ms in page, "
                  f"{mq['direct_median_ms']:.1f} ms direct, EXPLAIN ANALYZE {mq['explain_execution_ms']} ms)")
            kinds = ", ".join(f"{k} x{v['count']} {v['ms']:.1f} ms" for k, v in list(page["result"]["by_kind"].items())[:6])
            print(f"  statements: {kinds}")
    if compared:
        scales = " → ".join([*(_scale(c["cases"]) for c in compared), _scale(report["data"]["cases"])])
        differ = report.get("counts_differ") or []
        print(f"\nQuery counts {scales}: " + ("the same for every page" if not differ else f"DIFFER for {', '.join(differ)}"))
    print(f"\nResults written to {report['results_file']}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page after warm-up (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up requests per page (default 3)")
    parser.add_argument("--database", default=None, help="database with the big data (default asb_portal_bench_pages)")
    parser.add_argument("--compare", "--small-database", dest="compare", default=SMALL_DATABASE,
                        help=f"comma-separated databases whose query counts must equal this one's (default {SMALL_DATABASE})")
    parser.add_argument("--backlog-days", type=int, default=3,
                        help="also sweep as if the beat had been down this many days after the anchor (0: skip)")
    parser.add_argument("--no-small", action="store_true", help="skip the query-count comparison")
    parser.add_argument("--no-export", action="store_true", help="skip the CSV export memory measurement")
    parser.add_argument("--explain", action="store_true", help="print each page's main-query EXPLAIN ANALYZE")
    parser.add_argument("--only", default="", help="comma-separated page keys to measure (e.g. detail,person,match); "
                        "skips the sweep and export")
    parser.add_argument("--counts-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    name, marker = _setup(args.database)
    import time_machine

    from bench.data import ANCHOR

    anchor = marker["anchor"]
    if args.counts_only:
        with time_machine.travel(anchor, tick=True):
            print(json.dumps({"database": name, "cases": marker["cases"], "counts": counts_only(anchor, marker)}))
        return

    compared = []
    for other in ([] if args.no_small else [d for d in args.compare.split(",") if d and d != name]):
        print(f"Query counts on {other} (subprocess)")
        proc = subprocess.run([sys.executable, __file__, "--counts-only", "--database", other],
                              capture_output=True, text=True, cwd=BASE_DIR)
        if proc.returncode == 0:
            compared.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        else:
            print(f"  skipped: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}")
    compared.sort(key=lambda c: c["cases"])

    from django.db import connection

    report = {"when": datetime.now().isoformat(timespec="seconds"), "database": name, "anchor": anchor.isoformat(),
              "runs": args.runs, "warmup": args.warmup,
              "data": {"cases": marker["cases"], "seed": marker["seed"], "load_seconds": marker["load_seconds"],
                       "detail_reference": marker["detail_reference"], "search_word": marker["search_word"],
                       "anchor_expected": ANCHOR.isoformat()},
              "compare": compared}
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        cursor.execute("SELECT (SELECT count(*) FROM cases_timelineentry), (SELECT count(*) FROM cases_case WHERE status <> 'closed')")
        report["data"]["timeline_entries"], report["data"]["open_cases"] = cursor.fetchone()
    report["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "postgres": server}

    with time_machine.travel(anchor, tick=True):
        cs = clients()
        results = []
        only = {key for key in args.only.split(",") if key}
        for page in pages(anchor, marker):
            if only and page["key"] not in only:
                continue
            print(f"  {page['label']} …", flush=True)
            if page["user"] not in cs:
                results.append({**page, "result": {"available": False, "status": "no user"}})
                continue
            result = page_run(cs[page["user"]], page["path"], runs=args.runs, warmup=args.warmup, explain_runs=5)
            entry = {**page, "result": result}
            if result.get("available") and page["target_ms"]:
                ok_time = result["median_ms"] < page["target_ms"]
                verdict = f"< {page['target_ms']} ms {'met' if ok_time else 'NOT met'}"
                if page.get("scale") or page.get("fixed"):
                    if page.get("scale"):
                        ok_q = result["queries"] <= TARGET_QUERIES
                        verdict += f"; <= {TARGET_QUERIES} q {'met' if ok_q else 'NOT met'}"
                        entry["queries_target_met"] = ok_q
                    others = [c["counts"].get(page["key"], {}).get("queries") for c in compared]
                    same = None if not others else all(q == result["queries"] for q in others)
                    scales = ", ".join(_scale(c["cases"]) for c in compared)
                    verdict += "" if same is None else f"; same at {scales} {'yes' if same else 'NO'}"
                    entry["same_count_at_compared"] = same
                entry["time_target_met"] = ok_time
                entry["verdict"] = verdict
            results.append(entry)
        report["pages"] = results
        if not only or "match" in only:
            print("  intake match person_candidates(...) …", flush=True)
            report["match"] = match_run(marker, runs=max(30, args.runs), warmup=args.warmup)
            report["match_name"] = match_run(marker, runs=max(30, args.runs), warmup=args.warmup, variant="name")
        if only:
            report["sweep"] = {"available": False}
            report["export"] = {"available": False, "note": "skipped (--only)"}
        else:
            print("  deadline sweep …", flush=True)
            report["sweep"] = sweep_run(anchor, runs=max(3, args.runs // 4), warmup=1)
            # The measure: a sweep of 1,000 due deadlines (the 1,000 most urgent of those due at the anchor).
            print("  deadline sweep, 1,000 due …", flush=True)
            report["sweep_1000"] = sweep_run(anchor, runs=max(3, args.runs // 4), warmup=1, limit=1000)
            if args.backlog_days:
                print(f"  backlog sweep (anchor + {args.backlog_days} days) …", flush=True)
                report["sweep_backlog"] = sweep_run(anchor + timedelta(days=args.backlog_days), runs=3, warmup=1)
                report["sweep_backlog"]["backlog_days"] = args.backlog_days
            report["export"] = ({"available": False, "note": "skipped (--no-export)"} if args.no_export
                                else export_run(cs["manager"], anchor))

    report["counts_differ"] = sorted(
        {key for c in compared for key, got in c["counts"].items()
         if _queries_of(report, key) is not None and got.get("queries") != _queries_of(report, key)})
    results_file = RESULTS_DIR / f"pages-{name}.json"
    report["results_file"] = str(results_file.relative_to(BASE_DIR))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    results_file.write_text(json.dumps(report, indent=2, default=str) + "\n")
    report_print(report)
    if args.explain:
        for page in report["pages"]:
            mq = page["result"].get("main_query") or {}
            if mq.get("explain"):
                print(f"\n{page['label']}: {mq['sql'][:2000]}\n{mq['explain']}")
    if report["counts_differ"]:
        sys.exit(3)  # a page's query count grows with the data: the proof fails


def _queries_of(report: dict, key: str):
    for page in report["pages"]:
        if page["key"] == key:
            return page["result"].get("queries")
    return (report.get(key) or {}).get("queries")


if __name__ == "__main__":
    main()
