"""Benchmark of the deadline sweep: 100,000 open cases, 1,000 deadlines due, in a database of its own.

    .venv/bin/python bench/sweep.py [--cases 100000] [--due 1000] [--runs 5] [--seed 1] [--reload]

Loads seeded data once (COPY), then times `deadlines_sweep` inside rolled-back transactions, counts its
queries, EXPLAIN ANALYZEs its claim query and checks that the query count stays bounded as more
deadlines fall due. Writes bench/results/sweep.json. See bench/README.md.
"""

import argparse
import io
import json
import math
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import uuid
from collections import Counter, deque
from datetime import date, datetime, timedelta
from pathlib import Path
from time import perf_counter
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results" / "sweep.json"
DEFAULT_DATABASE_URL = "postgres://asb_portal:asb_portal@127.0.0.1:5432/asb_portal_bench"

LONDON = ZoneInfo("Europe/London")
# The sweep runs at this fixed instant, and the data is laid out around it, so results do not depend on
# the day the benchmark is run. A Wednesday morning in GMT with no bank holiday within a week.
NOW = datetime(2025, 3, 12, 10, 0, tzinfo=LONDON)
# Bump when the generated data changes shape, so an old bench database is reloaded.
DATA_VERSION = 1

OFFICERS = 20
MANAGERS = 2
CHUNK = 10_000
# Due deadlines are dealt round these buckets in id order, so the first N due keep the same mix.
DUE_BUCKETS = [
    "overdue (breach: officer + managers)",
    "first contact due today (reminder: officer)",
    "victim update due within 2 days (reminder: officer)",
    "unassigned first contact due tomorrow (managers)",
    "victim update due in 3-5 days (claimed, nothing to send yet)",
]

FIRST_NAMES = ["Amira", "Ben", "Chloe", "Dev", "Ellie", "Farhan", "Grace", "Harry", "Isla", "Jay", "Kiran", "Lily",
               "Mo", "Nadia", "Owen", "Priya", "Rosa", "Sam", "Tom", "Zara"]
LAST_NAMES = ["Ahmed", "Baker", "Clarke", "Davies", "Evans", "Green", "Hussain", "Khan", "Lewis", "Mistry",
              "Patel", "Roberts", "Shah", "Taylor", "Walker", "Wright"]
STREETS = ["Station Road", "Paddock Street", "Bell Street", "Leicester Road", "Blaby Road", "Newton Lane",
           "Aylestone Lane", "Long Street", "Moat Street", "Launceston Road"]


# --- Database: our own, created if missing -----------------------------------------------------------

def database_prepare() -> str:
    """Point Django at the bench database (never the development one), creating it if it is missing."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if "bench" not in name:
        # The loader truncates tables: refuse anything that does not look like a bench database.
        sys.exit(f"Refusing to use database {name!r}: its name must contain 'bench'.")
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(
        dbname="postgres", host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
        user=unquote(parts.username or ""), password=unquote(parts.password or ""),
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            print(f"Creating database {name}")
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "asb_portal.settings"
    sys.path.insert(0, str(BASE_DIR))
    return name


# --- Data ----------------------------------------------------------------------------------------------

def _progress(total: int, desc: str):
    try:
        from tqdm import tqdm
    except ImportError:  # the numbers matter more than the bar
        class _Quiet:
            def update(self, n):
                pass

            def close(self):
                print(f"  {desc}: {total:,} rows")
        return _Quiet()
    return tqdm(total=total, desc=f"  {desc}", unit=" rows", unit_scale=True, leave=True, file=sys.stdout)


def _ts(value: datetime) -> str:
    return value.isoformat()


def _copy(cursor, table: str, columns: list[str], rows, total: int) -> None:
    """COPY rows (tuples of text, None for NULL) into a table in chunks, with a progress bar."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    bar = _progress(total, table)
    buffer, count = io.StringIO(), 0
    for row in rows:
        buffer.write("\t".join(r"\N" if v is None else str(v) for v in row))
        buffer.write("\n")
        count += 1
        if count % CHUNK == 0:
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)
            bar.update(CHUNK)
            buffer = io.StringIO()
    if count % CHUNK:
        buffer.seek(0)
        cursor.copy_expert(statement, buffer)
        bar.update(count % CHUNK)
    bar.close()


def _fingerprint(cases: int, due: int, seed: int) -> str:
    return f"asb bench v{DATA_VERSION}: cases={cases} due={due} seed={seed} now={NOW.isoformat()}"


def data_present(cases: int, due: int, seed: int) -> bool:
    """The database already holds exactly what was asked for, untouched by any committed sweep."""
    from django.db import connection

    from cases.models import Case, Deadline, DeadlineAlert
    from cases.services.sweep import HORIZON
    from notifications.models import Message

    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description('cases_deadline'::regclass, 'pg_class')")
        stored = cursor.fetchone()[0]
    return (
        stored == _fingerprint(cases, due, seed)
        and Case.objects.count() == cases
        and Deadline.objects.open().count() == cases
        and Deadline.objects.open().filter(due_at__lte=NOW + HORIZON).count() == due
        and not DeadlineAlert.objects.exists()
        and not Message.objects.exists()
    )


def _users_create() -> tuple[list[int], list[int]]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from cases.roles import GROUP_NAMES, Role

    User = get_user_model()
    User.objects.filter(username__startswith="bench-").delete()
    ids = {}
    for role, count in ((Role.OFFICER, OFFICERS), (Role.MANAGER, MANAGERS)):
        group = Group.objects.get(name=GROUP_NAMES[role])
        ids[role] = []
        for n in range(1, count + 1):
            user = User(
                username=f"bench-{role.value}-{n:02d}", email=f"bench-{role.value}-{n:02d}@example.invalid",
                first_name=FIRST_NAMES[n % len(FIRST_NAMES)], last_name=f"{role.value.title()} {n}", is_staff=True,
            )
            user.set_unusable_password()
            user.save()
            user.groups.add(group)
            ids[role].append(user.pk)
    return ids[Role.OFFICER], ids[Role.MANAGER]


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, datetime.max.time().replace(microsecond=0), tzinfo=LONDON)


def _due_deadline(bucket: int, rng: random.Random) -> tuple[str, datetime, bool]:
    """(kind, due_at, assigned) for a deadline in one of DUE_BUCKETS."""
    today = NOW.date()
    if bucket == 0:
        kind = "first_contact" if rng.random() < 0.5 else "victim_update"
        return kind, _end_of_day(today - timedelta(days=rng.randint(1, 4))), True
    if bucket == 1:
        return "first_contact", _end_of_day(today), True
    if bucket == 2:
        # Inside the 2-day reminder window.
        return "victim_update", NOW + timedelta(days=2) - timedelta(minutes=rng.randint(30, 600)), True
    if bucket == 3:
        return "first_contact", _end_of_day(today + timedelta(days=1)), False
    return "victim_update", NOW + timedelta(days=3, minutes=rng.randint(0, 2 * 24 * 60 - 60)), True


def data_load(cases: int, due: int, seed: int) -> float:
    """Replace the bench data with `cases` open cases, `due` of whose deadlines the sweep has to look at."""
    from django.db import connection, transaction

    from cases.models import Category

    started = perf_counter()
    rng = random.Random(seed)
    print(f"Loading {cases:,} cases ({due:,} due) with seed {seed}")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_case, notifications_message RESTART IDENTITY CASCADE")
    officers, _managers = _users_create()
    categories = list(Category.objects.filter(is_active=True).values_list("pk", flat=True))
    due_rank = {i: rank for rank, i in enumerate(sorted(rng.sample(range(cases), due)))}
    created = _ts(NOW)

    # Lay every case out first, so the four tables agree with each other.
    plan = []
    for i in range(cases):
        if i in due_rank:
            kind, due_at, assigned = _due_deadline(due_rank[i] % len(DUE_BUCKETS), rng)
        else:
            kind, due_at, assigned = "victim_update", NOW + timedelta(days=rng.uniform(10, 60)), True
        risk = rng.choices(["standard", "medium", "high"], weights=[70, 20, 10])[0]
        if kind == "first_contact":
            starts_at = received_at = due_at - timedelta(days=3, hours=rng.randint(0, 60))
        else:
            starts_at = due_at - timedelta(days=7 if risk == "high" else 14)
            received_at = starts_at - timedelta(days=rng.randint(1, 120), minutes=rng.randint(0, 1440))
        plan.append((kind, due_at, starts_at, received_at, risk, rng.choice(officers) if assigned else None))

    with transaction.atomic(), connection.cursor() as cursor:
        def case_rows():
            for i, (_kind, _due, _starts, received_at, risk, officer) in enumerate(plan):
                street = f"{rng.randint(1, 200)} {rng.choice(STREETS)}"
                postcode = f"LE18 {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                yield (i + 1, f"ASB-{received_at.year}-{i + 1:06d}", "open" if officer else "new", rng.choice(categories),
                       risk, officer, street, postcode, "", "false", _ts(received_at), "", 1, created, created)

        def party_rows():
            for i, _ in enumerate(plan):
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                phone = f"07700 9{i % 100_000:05d}"
                yield (i + 1, i + 1, "victim", name, "false", "", f"resident{i + 1}@example.invalid", phone,
                       phone.replace(" ", ""), "", "", rng.choice(["phone", "email", "text"]), "", "", "[]", "",
                       "false", "", created)

        def report_rows():
            for i, (_kind, _due, _starts, received_at, _risk, _officer) in enumerate(plan):
                yield (i + 1, i + 1, "online", _ts(received_at), i + 1, "victim", "false", rng.choice(categories),
                       "", "", "", "true", "weekly", "Loud music and shouting late at night, most weekends.", "",
                       "no", "[]", uuid.UUID(int=rng.getrandbits(128), version=4), created)

        def deadline_rows():
            for i, (kind, due_at, starts_at, _received, _risk, _officer) in enumerate(plan):
                yield (i + 1, kind, i + 1, i + 1, _ts(starts_at), _ts(due_at), "false", created)

        _copy(cursor, "cases_case",
              ["id", "reference", "status", "category_id", "risk_level", "officer_id", "address", "postcode",
               "location_description", "hate_motivated", "received_at", "closure_reason", "version", "created_at",
               "updated_at"], case_rows(), cases)
        _copy(cursor, "cases_party",
              ["id", "case_id", "role", "full_name", "is_unknown", "description", "email", "phone", "phone_normalised",
               "address", "postcode", "preferred_contact_method", "best_times", "customer_group", "support_needs",
               "support_details", "staff_safety_warning", "staff_safety_note", "created_at"], party_rows(), cases)
        _copy(cursor, "cases_report",
              ["id", "case_id", "channel", "received_at", "reporter_id", "reporter_role", "is_anonymous", "category_id",
               "address", "postcode", "location_description", "is_ongoing", "frequency", "description", "impact",
               "hate_motivated", "hate_characteristics", "submission_key", "created_at"], report_rows(), cases)
        _copy(cursor, "cases_deadline",
              ["id", "kind", "case_id", "party_id", "starts_at", "due_at", "breached", "created_at"],
              deadline_rows(), cases)
        for table in ("cases_case", "cases_party", "cases_report", "cases_deadline"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute("COMMENT ON TABLE cases_deadline IS %s", [_fingerprint(cases, due, seed)])
    with connection.cursor() as cursor:
        # As autovacuum would have left a real database: statistics and visibility map up to date.
        cursor.execute("VACUUM (ANALYZE) cases_case, cases_party, cases_report, cases_deadline, cases_deadlinealert, "
                       "notifications_message, auth_user, auth_user_groups")
    return perf_counter() - started


# --- Measuring ----------------------------------------------------------------------------------------

def _query_kind(sql: str) -> str:
    """A short label for a statement: SAVEPOINT, RELEASE SAVEPOINT, or verb + first table (+ FOR UPDATE)."""
    words = sql.split()
    head = words[0].upper()
    if head == "SAVEPOINT":
        return "SAVEPOINT"
    if head in ("RELEASE", "ROLLBACK"):
        return " ".join(w.upper() for w in words[:2 if head == "RELEASE" else 3])
    match = re.search(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql, re.IGNORECASE)
    return f"{head} {match.group(1) if match else '?'}{' FOR UPDATE' if 'FOR UPDATE' in sql else ''}"


def _due_keep_only(keep: int) -> None:
    """Push all but the first `keep` due deadlines (by id) out of the sweep's window. Caller rolls back."""
    from django.db import connection

    from cases.services.sweep import HORIZON

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_deadline SET due_at = due_at + interval '400 days' WHERE id IN ("
            " SELECT id FROM cases_deadline WHERE met_at IS NULL AND cancelled_at IS NULL AND due_at <= %s"
            " ORDER BY id OFFSET %s)",
            [NOW + HORIZON, keep],
        )


class _QueryTimer:
    """An execute wrapper timing every statement (Django's captured "time" is rounded to the millisecond)."""

    def __init__(self):
        self.seconds = Counter()

    def __call__(self, execute, sql, params, many, context):
        started = perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds[_query_kind(sql)] += perf_counter() - started


def sweep_once(*, keep: int | None = None, profile: bool = False) -> dict:
    """One sweep in a transaction that is rolled back: nothing is committed, so on_commit never dispatches."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from cases.models import DeadlineAlert
    from cases.services.sweep import deadlines_sweep
    from notifications.models import Message

    timer = _QueryTimer()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    with transaction.atomic():
        if keep is not None:
            _due_keep_only(keep)
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
            if profiler:
                profiler.enable()
            started = perf_counter()
            result = deadlines_sweep(now=NOW)
            seconds = perf_counter() - started
            if profiler:
                profiler.disable()
        alerted_deadlines = DeadlineAlert.objects.values("deadline_id").distinct().count()
        message_rows = Message.objects.count()
        transaction.set_rollback(True)
    queries = captured.captured_queries
    claim_sql = next((q["sql"] for q in queries if "FOR UPDATE" in q["sql"]), None)
    return {
        "seconds": seconds,
        "queries": len(queries),
        "db_seconds": sum(timer.seconds.values()),
        "claim_seconds": timer.seconds.get(_query_kind(claim_sql)) if claim_sql else None,
        "claim_sql": claim_sql,
        "by_kind": dict(Counter(_query_kind(q["sql"]) for q in queries).most_common()),
        "db_seconds_by_kind": dict(timer.seconds.most_common()),
        "claimed": result.claimed,
        "alerts": sum(result.alerts.values()),
        "alerts_by_stage": {str(stage): n for stage, n in sorted(result.alerts.items())},
        "alerted_deadlines": alerted_deadlines,
        "messages": result.messages,
        "message_rows": message_rows,
        "newly_breached": result.newly_breached,
        "profiler": profiler,
    }


def _plan_walk(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_walk(child)


def claim_query_explain(sql: str, runs: int) -> dict:
    """EXPLAIN ANALYZE the sweep's claim query and time it run on its own, each in a rolled-back transaction."""
    from django.db import connection, transaction

    def rolled_back(statement):
        with transaction.atomic(), connection.cursor() as cursor:
            started = perf_counter()
            cursor.execute(statement)
            rows = cursor.fetchall()
            seconds = perf_counter() - started
            transaction.set_rollback(True)
        return rows, seconds

    text = "\n".join(row[0] for row in rolled_back(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")[0])
    plan = rolled_back(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")[0][0][0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    plan = plan[0]
    nodes = list(_plan_walk(plan["Plan"]))
    deadline_scans = [n for n in nodes if n.get("Relation Name") == "cases_deadline"]
    rolled_back(sql)  # warm
    direct = [rolled_back(sql)[1] for _ in range(runs)]
    return {
        "explain": text,
        "planning_ms": plan.get("Planning Time"),
        "execution_ms": plan.get("Execution Time"),
        "rows": plan["Plan"].get("Actual Rows"),
        "deadline_scan": [
            {"node": n["Node Type"], "index": n.get("Index Name"), "rows": n.get("Actual Rows"),
             "removed_by_filter": n.get("Rows Removed by Filter", 0)}
            for n in deadline_scans
        ],
        "indexes_used": sorted({n["Index Name"] for n in nodes if n.get("Index Name")}),
        "direct_seconds": direct,
        "direct_median_seconds": statistics.median(direct),
    }


def _bulk_chunk() -> int:
    from notifications.services import BULK_CHUNK  # after django.setup()

    return BULK_CHUNK


def _driver(level: dict, driver: str) -> int:
    # Messages are inserted in chunks by notifications.services.messages_queue_many: one INSERT per chunk.
    if driver == "message_chunks":
        return math.ceil(level["messages"] / _bulk_chunk())
    return level[driver]


def scaling_attribute(levels: list[dict]) -> dict:
    """Split each kind of query into a constant plus a whole number per message or per alerted deadline.

    The due mix is the same at every level, so messages and alerted deadlines grow together; a kind is put
    on the driver that gives a whole-number slope and intercept fitting every level (messages first).
    """
    low, high = levels[0], levels[-1]
    kinds = sorted({kind for level in levels for kind in level["by_kind"]})
    terms = {}
    for kind in kinds:
        counts = [level["by_kind"].get(kind, 0) for level in levels]
        terms[kind] = {"term": "grows otherwise", "constant": None, "slope": None}
        for driver in ("constant", "message_chunks", "messages", "alerted_deadlines"):
            xs = [0 if driver == "constant" else _driver(level, driver) for level in levels]
            slope = 0.0 if driver == "constant" else (counts[-1] - counts[0]) / max(xs[-1] - xs[0], 1)
            constant = counts[0] - slope * xs[0]
            whole = slope.is_integer() and constant.is_integer() and constant >= 0
            if whole and all(constant + slope * x == c for x, c in zip(xs, counts, strict=True)):
                terms[kind] = {"term": driver, "constant": int(constant), "slope": int(slope)}
                break
    unexplained = [kind for kind, t in terms.items() if t["term"] == "grows otherwise"]
    per_chunk = sum(t["slope"] for t in terms.values() if t["term"] == "message_chunks")
    constant = sum(t["constant"] for t in terms.values() if t["constant"] is not None)
    per_message = sum(t["slope"] for t in terms.values() if t["term"] == "messages")
    per_alerted = sum(t["slope"] for t in terms.values() if t["term"] == "alerted_deadlines")
    time_per_message = (high["seconds"] - low["seconds"]) / max(high["messages"] - low["messages"], 1)
    return {
        "terms": terms,
        "constant": constant,
        "per_message": per_message,
        "per_alerted_deadline": per_alerted,
        "per_chunk_of_messages": per_chunk,
        "messages_per_chunk": _bulk_chunk(),
        "unexplained": unexplained,
        # Only a deadline that queues a message renders (and so loads its category), so alerted deadlines
        # that cost queries are never more than the messages: queries <= constant + (a + b) x messages.
        "bounded_by_constant_plus_per_message": not unexplained,
        "constant_overall": not unexplained and per_message == 0 and per_alerted == 0,
        "seconds_per_message": time_per_message,
        "seconds_fixed": low["seconds"] - time_per_message * low["messages"],
    }


# --- Output ---------------------------------------------------------------------------------------------

def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:,.1f} ms"


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True)
        return out.stdout.strip()
    except OSError:
        return ""


def report_print(report: dict) -> None:
    sweep, claim, scaling = report["sweep"], report["claim_query"], report["scaling"]
    runs = sweep["runs"]
    print()
    print(f"Deadline sweep over {report['data']['cases']:,} open cases, {report['data']['due']:,} due "
          f"(now = {NOW:%a %d %b %Y %H:%M} London), {len(runs)} runs after 1 warm-up")
    print(f"{'run':>4} {'time':>11} {'db time':>11} {'claim q':>10} {'queries':>8} {'claimed':>8} {'alerts':>7} "
          f"{'messages':>9} {'breached':>9}")
    for n, run in enumerate(runs, 1):
        print(f"{n:>4} {_ms(run['seconds']):>11} {_ms(run['db_seconds']):>11} {_ms(run['claim_seconds']):>10} "
              f"{run['queries']:>8,} {run['claimed']:>8,} {run['alerts']:>7,} {run['messages']:>9,} "
              f"{run['newly_breached']:>9,}")
    print(f"median {_ms(sweep['median_seconds'])} (min {_ms(sweep['min_seconds'])}, max {_ms(sweep['max_seconds'])}); "
          f"target < 2,000 ms: {'met' if sweep['median_seconds'] < 2 else 'NOT met'}")
    print(f"queries per run: {sweep['queries']:,} ({'same every run' if sweep['queries_same_every_run'] else 'VARIED'}); "
          f"alerts by stage: {runs[0]['alerts_by_stage']}")
    print(f"time in the database (sum of per-statement round trips) ~{_ms(sweep['median_db_seconds'])}; "
          f"the rest is Python (ORM, templates, bookkeeping)")
    print()
    print("Claim query (SELECT … FOR UPDATE SKIP LOCKED over open deadlines due within the window):")
    scans = ", ".join(f"{s['node']}{' using ' + s['index'] if s['index'] else ''} ({s['rows']:,} rows, "
                      f"{s['removed_by_filter']:,} removed by filter)" for s in claim["deadline_scan"])
    print(f"  EXPLAIN ANALYZE: execution {claim['execution_ms']:.1f} ms, planning {claim['planning_ms']:.1f} ms, "
          f"{claim['rows']:,} rows; cases_deadline: {scans}")
    print(f"  run directly: median {_ms(claim['direct_median_seconds'])}; inside the sweep: "
          f"{_ms(sweep['median_claim_seconds'])}; whole sweep {_ms(sweep['median_seconds'])}")
    print("  " + claim["explain"].replace("\n", "\n  "))
    print()
    print("Queries as more deadlines fall due (each level in a rolled-back transaction):")
    print(f"{'due':>8} {'claimed':>8} {'alerted':>8} {'messages':>9} {'queries':>8} {'time':>11} {'db time':>11}")
    for level in scaling["levels"]:
        print(f"{level['due']:>8,} {level['claimed']:>8,} {level['alerted_deadlines']:>8,} {level['messages']:>9,} "
              f"{level['queries']:>8,} {_ms(level['seconds']):>11} {_ms(level['db_seconds']):>11}")
    a = scaling["attribution"]
    print(f"  {'query kind':<36}" + "".join(f"{'due ' + format(lv['due'], ','):>11}" for lv in scaling["levels"])
          + f"{'db ms at ' + format(scaling['levels'][-1]['due'], ','):>16}   term")
    for kind, term in a["terms"].items():
        counts = "".join(f"{lv['by_kind'].get(kind, 0):>11,}" for lv in scaling["levels"])
        db_ms = scaling["levels"][-1]["db_seconds_by_kind"].get(kind, 0) * 1000
        if term["term"] == "constant":
            what = f"constant {term['constant']}"
        elif term["term"] == "grows otherwise":
            what = "grows (not a whole number per message, per chunk of messages or per alerted deadline)"
        else:
            what = f"{term['slope']} per {term['term'].replace('_', ' ')[:-1]}" + (
                f" + {term['constant']}" if term["constant"] else "")
        print(f"  {kind:<36}{counts}{db_ms:>16,.1f}   {what}")
    print(f"  queries = {a['constant']} + {a['per_chunk_of_messages']} x ceil(messages / {a['messages_per_chunk']})"
          f" + {a['per_message']} x messages + {a['per_alerted_deadline']} x alerted deadlines"
          + (f"; unexplained: {', '.join(a['unexplained'])}" if a["unexplained"] else ""))
    print(f"  bounded by a constant plus a per-message term: {'yes' if a['bounded_by_constant_plus_per_message'] else 'NO'}; "
          f"constant: {'yes' if a['constant_overall'] else 'no'}")
    print(f"  time ~ {_ms(a['seconds_fixed'])} + {a['seconds_per_message'] * 1000:.2f} ms x messages")
    print()
    print(f"Results written to {RESULTS.relative_to(BASE_DIR)}")


# --- Main -----------------------------------------------------------------------------------------------

def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="open cases to load (default 100,000)")
    parser.add_argument("--due", type=int, default=1_000, help="deadlines within the sweep's window (default 1,000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs after one warm-up (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the data (default 1)")
    parser.add_argument("--levels", default="",
                        help="comma-separated due counts for the scaling check (default: due/10 and due)")
    parser.add_argument("--reload", action="store_true", help="reload the data even if it is already there")
    parser.add_argument("--profile", action="store_true", help="also profile one sweep (cProfile) and print the top")
    args = parser.parse_args(argv)
    if not 0 < args.due <= args.cases or args.runs < 1:
        parser.error("need 0 < --due <= --cases and --runs >= 1")
    levels = sorted({int(x) for x in args.levels.split(",") if x.strip()} or {max(args.due // 10, 1), args.due})
    if any(not 0 < n <= args.due for n in levels) or len(levels) < 2:
        parser.error("--levels needs at least two due counts between 1 and --due")

    database = database_prepare()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    print(f"Database {database}: migrating")
    call_command("migrate", verbosity=0)
    # CaptureQueriesContext reads connection.queries_log, capped at 9,000 entries: a big sweep would be undercounted.
    connection.queries_limit = 10_000_000
    connection.queries_log = deque(maxlen=connection.queries_limit)

    load_seconds = None
    if args.reload or not data_present(args.cases, args.due, args.seed):
        load_seconds = data_load(args.cases, args.due, args.seed)
        print(f"Loaded in {load_seconds:.1f} s")
    else:
        print(f"Data already loaded ({args.cases:,} cases, {args.due:,} due, seed {args.seed}): reusing it")
        with connection.cursor() as cursor:
            # Earlier runs' rolled-back updates leave dead rows in the deadline index; clear them, as autovacuum would.
            cursor.execute("VACUUM (ANALYZE) cases_deadline, cases_deadlinealert, notifications_message")

    print("Warm-up run")
    sweep_once()
    runs = []
    for n in range(args.runs):
        runs.append(sweep_once())
        print(f"  run {n + 1}: {_ms(runs[-1]['seconds'])}, {runs[-1]['queries']:,} queries")
    times = [r["seconds"] for r in runs]
    sweep = {
        "runs": [{k: v for k, v in r.items() if k not in ("claim_sql", "profiler")} for r in runs],
        "median_seconds": statistics.median(times),
        "min_seconds": min(times),
        "max_seconds": max(times),
        "median_db_seconds": statistics.median(r["db_seconds"] for r in runs),
        "median_claim_seconds": statistics.median(r["claim_seconds"] for r in runs),
        "queries": runs[0]["queries"],
        "queries_same_every_run": len({r["queries"] for r in runs}) == 1,
        "target_seconds": 2.0,
    }

    print("EXPLAIN ANALYZE of the claim query")
    claim = claim_query_explain(runs[0]["claim_sql"], args.runs)
    claim["sql"] = runs[0]["claim_sql"]

    print(f"Scaling check at due = {', '.join(map(str, levels))}")
    scaled = []
    for due in levels:
        level_runs = [sweep_once(keep=None if due == args.due else due) for _ in range(min(args.runs, 3))]
        if len({r["queries"] for r in level_runs}) != 1:
            print(f"  warning: query count varied at due = {due}: {[r['queries'] for r in level_runs]}")
        level = {k: v for k, v in level_runs[0].items() if k not in ("claim_sql", "profiler")}
        level["due"] = due
        level["seconds"] = statistics.median(r["seconds"] for r in level_runs)
        scaled.append(level)
    scaling = {"levels": scaled, "attribution": scaling_attribute(scaled)}

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    report = {
        "when": datetime.now(LONDON).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "postgres": server_version,
                    "platform": platform.platform(), "commit": _git_commit()},
        "database": database,
        "sweep_now": NOW.isoformat(),
        "data": {"cases": args.cases, "due": args.due, "seed": args.seed, "load_seconds": load_seconds,
                 "due_mix": DUE_BUCKETS, "officers": OFFICERS, "managers": MANAGERS},
        "sweep": sweep,
        "claim_query": claim,
        "scaling": scaling,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, default=str) + "\n")
    report_print(report)
    if args.profile:
        import pstats

        print("\nProfile of one more sweep (cumulative time, top 30):")
        pstats.Stats(sweep_once(profile=True)["profiler"], stream=sys.stdout).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
