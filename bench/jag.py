"""The JAG agenda build at council scale: jag.services.agenda.agenda_build at 100,000 cases with realistic JAG data.

    .venv/bin/python bench/data.py --database asb_bench_jag              # 100,000 cases (once; skipped if loaded)
    .venv/bin/python bench/jag.py --database asb_bench_jag [--runs 30] [--warmup 3] [--seed 1]

On bench/data.py's data, with the clock travelled to its anchor (time_machine, ticking), a group "Bench JAG" is
added once (skipped when present): a year of held monthly meetings before the anchor, each with 150 items on open
and closed cases, locations and themes; the last held meeting's items carry 1,000 open actions (and 20 items kept on
the agenda), so about 150 items carry over; the next meeting has 50 accepted nominations. With the open high-risk
cases whose victim update is overdue (from the data) the build adds about 230 items (50 nominated, 150 carried over,
the rest high-risk), reading 1,000 open actions. The Case Review source runs its query; the bench data has none.

Each timed call builds the next meeting's agenda from nothing inside a transaction that is rolled back, so every
run sees the same data. Reports the median and p95 time, the query count (the same every run?), the statements by
kind, and the items added by source. Target: under 200 ms median. Writes bench/results/jag-<database>.json.
"""

import argparse
import json
import os
import random
import statistics
import sys
from datetime import date, time, timedelta
from pathlib import Path
from time import perf_counter

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

RESULTS_DIR = BASE_DIR / "bench" / "results"
TARGET_MS = 200
GROUP_NAME = "Bench JAG"
ITEMS_PER_MEETING, OPEN_ACTIONS, KEPT, NOMINATIONS = 150, 1000, 20, 50


class _Rollback(Exception):
    pass


def _second_tuesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


def jag_data_ensure(anchor, seed: int) -> dict:
    """The bench group, its year of meetings and the next one's nominations (made once, committed)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from cases.models import OPEN_STATUSES, Case, PartnerAgency, Place
    from jag.models import (
        ActionStatus,
        AgendaItem,
        ItemKind,
        ItemOutcome,
        ItemSource,
        JagAction,
        JagGroup,
        JagMember,
        Meeting,
        MeetingStatus,
        Nomination,
    )

    group = JagGroup.objects.filter(name=GROUP_NAME).first()
    today = anchor.date()
    months = []
    year, month = today.year, today.month
    for _ in range(13):
        months.append(_second_tuesday(year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    upcoming = next(d for d in sorted(months) if d >= today) if any(d >= today for d in months) else None
    if upcoming is None:
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        upcoming = _second_tuesday(year, month)
    held_days = sorted(d for d in months if d < today)[-12:]
    if group is not None:
        return {"group": group, "meeting": Meeting.objects.get(group=group, rule_date=upcoming), "made": False}

    rng = random.Random(seed)
    users = list(get_user_model().objects.filter(is_active=True).order_by("pk")[:25])
    agency = PartnerAgency.objects.order_by("pk").first()
    open_cases = list(Case.objects.filter(status__in=OPEN_STATUSES).order_by("pk").values_list("pk", flat=True))
    closed_cases = list(Case.objects.exclude(status__in=OPEN_STATUSES).order_by("pk").values_list("pk", flat=True)[:20000])
    places = list(Place.objects.order_by("pk").values_list("pk", flat=True)[:5000])
    with transaction.atomic():
        group = JagGroup.objects.create(name=GROUP_NAME, week=2, weekday=1, starts_at=time(10), location="Council Offices",
                                        confidentiality_statement="Confidential to the members of the group.")
        for n, user in enumerate(users[:8]):
            JagMember.objects.create(group=group, user=user, is_co_chair=n == 0)
        meetings = [Meeting(group=group, rule_date=d, held_on=d, starts_at=group.starts_at, location=group.location,
                            status=MeetingStatus.HELD) for d in held_days]
        meetings.append(Meeting(group=group, rule_date=upcoming, held_on=upcoming, starts_at=group.starts_at,
                                location=group.location))
        Meeting.objects.bulk_create(meetings)
        *held, nxt = meetings
        items = []
        for meeting in held:
            case_ids = rng.sample(open_cases, 60) + rng.sample(closed_cases, 60)
            place_ids = rng.sample(places, 20)
            for position in range(1, ITEMS_PER_MEETING + 1):
                if position <= 120:
                    kind, values = ItemKind.CASE, {"case_id": case_ids[position - 1]}
                elif position <= 140:
                    kind, values = ItemKind.LOCATION, {"place_id": place_ids[position - 121]}
                else:
                    kind, values = ItemKind.THEME, {"theme": f"Theme {position} of {meeting.held_on:%b %Y}"}
                outcome = rng.choice([ItemOutcome.CLOSE, ItemOutcome.CLOSE, ItemOutcome.KEEP, ItemOutcome.ESCALATE])
                items.append(AgendaItem(meeting=meeting, position=position, kind=kind, source=ItemSource.NOMINATION,
                                        why="Nominated for the bench", notes="Discussed", outcome=outcome, **values))
        AgendaItem.objects.bulk_create(items, batch_size=2000)
        last = held[-1]
        last_items = [i for i in items if i.meeting_id == last.pk]
        for i, item in enumerate(last_items):  # the last meeting: 20 kept on, the rest closed unless actions stay open
            item.outcome = ItemOutcome.KEEP if i < KEPT else ItemOutcome.CLOSE
        AgendaItem.objects.bulk_update(last_items, ["outcome"])
        actions = []
        creator = users[0]
        for meeting in held:
            meeting_items = [i for i in items if i.meeting_id == meeting.pk]
            for n in range(OPEN_ACTIONS if meeting is last else 150):
                item = meeting_items[KEPT + n % (len(meeting_items) - KEPT) if meeting is last else n % len(meeting_items)]
                is_open = meeting is last
                actions.append(JagAction(
                    meeting=meeting, item=item, text=f"Bench action {n}", owner_agency=agency if n % 3 == 0 else None,
                    owner=rng.choice(users), due_on=meeting.held_on + timedelta(days=28),
                    status=ActionStatus.OPEN if is_open else ActionStatus.DONE,
                    completed_at=None if is_open else anchor - timedelta(days=40), created_by=creator,
                    created_at=anchor - timedelta(days=60)))
        JagAction.objects.bulk_create(actions, batch_size=2000)
        already = {i.case_id for i in last_items if i.case_id}
        nominated = rng.sample([c for c in open_cases if c not in already], NOMINATIONS - 10)
        nominations = [Nomination(meeting=nxt, kind=ItemKind.CASE, case_id=c, reason="Bench nomination", nominated_by=creator,
                                  created_at=anchor - timedelta(days=3), accepted=True) for c in nominated]
        nominations += [Nomination(meeting=nxt, kind=ItemKind.LOCATION, place_id=p, reason="Bench nomination",
                                   nominated_by=creator, created_at=anchor - timedelta(days=3), accepted=True)
                        for p in rng.sample(places, 5)]
        nominations += [Nomination(meeting=nxt, kind=ItemKind.THEME, theme=f"Bench theme {n}", reason="Bench nomination",
                                   nominated_by=creator, created_at=anchor - timedelta(days=3), accepted=True)
                        for n in range(5)]
        Nomination.objects.bulk_create(nominations)
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("jag_meeting", "jag_agendaitem", "jag_jagaction", "jag_nomination"):
            cursor.execute(f"ANALYZE {table}")
    return {"group": group, "meeting": nxt, "made": True}


def one_build(meeting, anchor) -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from bench.run import Timer
    from jag.models import AgendaItem
    from jag.services.agenda import agenda_build

    result = {}
    try:
        with transaction.atomic():
            AgendaItem.objects.filter(meeting=meeting).delete()  # nothing there: the data never commits a build
            timer = Timer()
            with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
                started = perf_counter()
                items = agenda_build(meeting=meeting, at=anchor)
                seconds = perf_counter() - started
            sources = {}
            for item in items:
                sources[item.source] = sources.get(item.source, 0) + 1
            result = {"seconds": seconds, "queries": len(captured.captured_queries), "statements": timer.statements,
                      "items": len(items), "sources": sources}
            raise _Rollback
    except _Rollback:
        pass
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=None, help="database with bench/data.py's data (default asb_portal_bench_pages)")
    parser.add_argument("--runs", type=int, default=30, help="timed builds (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up builds (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    from bench.run import _by_kind, _percentile, _setup

    name, marker = _setup(args.database)
    import time_machine
    from django.db import connection

    from cases.models import Case
    from jag.models import ActionStatus, JagAction

    anchor = marker["anchor"]
    with time_machine.travel(anchor, tick=True):
        data = jag_data_ensure(anchor, args.seed)
        meeting = data["meeting"]
        samples = [one_build(meeting, anchor) for _ in range(args.warmup + args.runs)][args.warmup:]
    times = [s["seconds"] * 1000 for s in samples]
    median_row = sorted(samples, key=lambda s: s["seconds"])[len(samples) // 2]
    report = {
        "database": name, "cases": Case.objects.count(), "anchor": anchor.isoformat(), "runs": args.runs,
        "postgres": connection.cursor().connection.server_version, "load": os.getloadavg(),
        "open_actions": JagAction.objects.filter(status=ActionStatus.OPEN, meeting__group=data["group"]).count(),
        "median_ms": statistics.median(times), "p95_ms": _percentile(times, 95), "min_ms": min(times),
        "queries": samples[-1]["queries"], "queries_same_every_run": len({s["queries"] for s in samples}) == 1,
        "items": samples[-1]["items"], "sources": samples[-1]["sources"], "by_kind": _by_kind(median_row["statements"]),
        "sql_ms": sum(s[3] for s in median_row["statements"]) * 1000,
    }
    print(f"agenda_build at {report['cases']:,} cases ({name}), {args.runs} runs, load {report['load'][0]:.1f}")
    print(f"  {report['items']} items added {report['sources']}; {report['open_actions']:,} open actions in the group")
    print(f"  median {report['median_ms']:.1f} ms, p95 {report['p95_ms']:.1f} ms, min {report['min_ms']:.1f} ms; "
          f"SQL {report['sql_ms']:.1f} ms; {report['queries']} queries (same every run: {report['queries_same_every_run']})")
    print(f"Target: under {TARGET_MS} ms median: {'met' if report['median_ms'] < TARGET_MS else 'MISSED'}")
    results = RESULTS_DIR / f"jag-{name}.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(report, indent=2, default=str))
    print(f"Written {results.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
