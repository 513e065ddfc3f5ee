"""What the ASB Case Review hook adds to intake: report_submit with and without casereview.intake.report_taken, at scale.

    .venv/bin/python bench/data.py --database asb_bench_ha           # 100,000 cases (once; skipped if loaded)
    .venv/bin/python bench/intake.py --database asb_bench_ha [--runs 30] [--warmup 3]

On bench/data.py's data, with the clock travelled to its anchor (time_machine, ticking), report_submit is called
directly, as the online form and the phone report call it, for three reporters:

- new:     someone never seen before, on a new case (the hook finds no earlier report and no threshold);
- repeat:  the register's page person (a victim on about a dozen cases over ten years), by phone with a shortened
           name, on a new case: the register links them and the hook reads their whole history;
- third:   someone whose two earlier reports (60 and 30 days before) are on the case the report is added to: the
           hook explains the Case Review (a second report within six months), opens the first-contact prompt,
           finds the threshold met and stores the flag: everything the hook can do.

Each call runs inside a transaction that is rolled back (the third reporter's two earlier reports are made inside it,
untimed), so every run sees the same data and nothing is committed; on_commit dispatch never happens. The variants
alternate run by run (with the hook, without it), so the machine's noise falls on both alike. For each variant: the
median and p95 time, the query count (the same every run?), and the statements by kind; and the hook's own time,
measured around the callback. Writes bench/results/intake-<database>.json. See bench/README.md, "Intake with the Case Review".
"""

import argparse
import json
import os
import statistics
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from time import perf_counter

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

RESULTS_DIR = BASE_DIR / "bench" / "results"
TARGET_ADDED_MS = 10


class _Rollback(Exception):
    pass


def _submission(kind: str, marker: dict, n: int):
    from cases.models import Category
    from cases.services import ReportSubmission

    category = Category.objects.filter(is_active=True).order_by("display_order", "id").first()
    base = dict(category=category, description="Music until 3am every night", reporter_role="victim",
                address=f"{100 + n} Benchmark Road", postcode="LE18 9ZZ", customer_group="council_tenant",
                preferred_contact_method="phone", consent_to_share=True)
    if kind == "repeat":
        caller = json.loads(marker["register_caller"])
        return ReportSubmission(**{**base, "full_name": caller.get("full_name", ""), "phone": caller.get("phone", ""),
                                   "email": caller.get("email", "")})
    # A name and number nobody in the data has (the generator's numbers are 07700 9xxxxx).
    return ReportSubmission(**base, full_name=f"Benchmark Caller{n}", phone=f"07700 1{n:05d}",
                            email=f"bench.caller{n}@example.invalid")


def one_call(kind: str, marker: dict, n: int, *, hook: bool, anchor) -> dict:
    """One report_submit in a rolled-back transaction; its time, queries and statements, and the hook's own time."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from bench.run import Timer
    from casereview import intake
    from cases import hooks
    from cases.models import Channel
    from cases.services import report_submit

    data = _submission(kind, marker, n)
    hook_seconds = []

    def timed_hook(*, report):
        started = perf_counter()
        try:
            return intake.report_taken(report=report)
        finally:
            hook_seconds.append(perf_counter() - started)

    saved = list(hooks._report_taken)
    hooks._report_taken[:] = [timed_hook if cb is intake.report_taken else cb for cb in saved] if hook else [
        cb for cb in saved if cb is not intake.report_taken]
    result = {}
    try:
        with transaction.atomic():
            existing = None
            if kind == "third":
                for days in (60, 30):  # untimed: her two earlier reports on the case
                    earlier = report_submit(data=data, channel=Channel.ONLINE, submission_key=uuid.uuid4(),
                                            received_at=anchor - timedelta(days=days), existing_case=existing)
                    existing = earlier.case
                hook_seconds.clear()
            timer = Timer()
            with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
                started = perf_counter()
                report = report_submit(data=data, channel=Channel.ONLINE, submission_key=uuid.uuid4(),
                                       received_at=anchor - timedelta(hours=1), existing_case=existing)
                seconds = perf_counter() - started
            from casereview.models import ThresholdFlag
            from cases.models import ContactPrompt

            result = {"seconds": seconds, "queries": len(captured.captured_queries), "statements": timer.statements,
                      "hook_seconds": sum(hook_seconds), "flagged": ThresholdFlag.objects.filter(case=report.case).exists(),
                      "prompted": ContactPrompt.objects.filter(report=report).exists()}
            raise _Rollback
    except _Rollback:
        pass
    finally:
        hooks._report_taken[:] = saved
    return result


def run_kind(kind: str, marker: dict, *, runs: int, warmup: int, anchor) -> dict:
    from bench.run import _by_kind, _percentile

    samples = {True: [], False: []}
    n = 0
    for i in range(warmup + runs):
        for hook in ((True, False) if i % 2 == 0 else (False, True)):
            n += 1
            sample = one_call(kind, marker, n, hook=hook, anchor=anchor)
            if i >= warmup:
                samples[hook].append(sample)
    out = {}
    for hook, rows in samples.items():
        times = [r["seconds"] * 1000 for r in rows]
        median_row = sorted(rows, key=lambda r: r["seconds"])[len(rows) // 2]
        out["with_hook" if hook else "without_hook"] = {
            "median_ms": statistics.median(times), "p95_ms": _percentile(times, 95), "min_ms": min(times),
            "queries": rows[-1]["queries"], "queries_same_every_run": len({r["queries"] for r in rows}) == 1,
            "by_kind": _by_kind(median_row["statements"]),
            "hook_median_ms": statistics.median(r["hook_seconds"] * 1000 for r in rows) if hook else None,
            "flagged": rows[-1]["flagged"], "prompted": rows[-1]["prompted"],
        }
    out["added_median_ms"] = out["with_hook"]["median_ms"] - out["without_hook"]["median_ms"]
    out["added_queries"] = out["with_hook"]["queries"] - out["without_hook"]["queries"]
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=None, help="database with bench/data.py's data (default asb_portal_bench_pages)")
    parser.add_argument("--runs", type=int, default=30, help="timed calls per variant and reporter (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up calls per variant and reporter (default 3)")
    args = parser.parse_args(argv)

    from bench.run import _setup

    name, marker = _setup(args.database)
    import time_machine
    from django.db import connection

    from casereview.defaults import case_review_defaults_ensure
    from cases.models import Case

    case_review_defaults_ensure()  # the data loader may have emptied the rules
    anchor = marker["anchor"]
    kinds = ["new", "third"] + (["repeat"] if marker.get("register_caller") else [])
    report = {"database": name, "cases": Case.objects.count(), "anchor": anchor.isoformat(), "runs": args.runs,
              "postgres": connection.cursor().connection.server_version, "load": os.getloadavg(), "kinds": {}}
    with time_machine.travel(anchor, tick=True):
        for kind in kinds:
            report["kinds"][kind] = run_kind(kind, marker, runs=args.runs, warmup=args.warmup, anchor=anchor)
    report["load_after"] = os.getloadavg()

    print(f"report_submit at {report['cases']:,} cases ({name}), {args.runs} runs per variant, load {report['load'][0]:.1f}")
    print(f"{'reporter':<10}{'without':>10}{'with':>10}{'added':>10}{'hook':>9}  queries without -> with (same every run)")
    for kind, r in report["kinds"].items():
        w, wo = r["with_hook"], r["without_hook"]
        print(f"{kind:<10}{wo['median_ms']:>8.1f}ms{w['median_ms']:>8.1f}ms{r['added_median_ms']:>8.1f}ms{w['hook_median_ms']:>7.1f}ms"
              f"  {wo['queries']} -> {w['queries']} (+{r['added_queries']}; {wo['queries_same_every_run'] and w['queries_same_every_run']})"
              f"{'  flagged' if w['flagged'] else ''}{'  prompted' if w['prompted'] else ''}")
    worst = max(r["with_hook"]["hook_median_ms"] for r in report["kinds"].values())
    print(f"Target: the hook adds under {TARGET_ADDED_MS} ms median: {'met' if worst < TARGET_ADDED_MS else 'MISSED'} "
          f"(slowest hook median {worst:.1f} ms)")
    results = RESULTS_DIR / f"intake-{name}.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(report, indent=2, default=str))
    print(f"Written {results.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
