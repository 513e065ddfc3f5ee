"""The resident's case page and a letter's rendering, at council scale (bench/data.py's 100,000 cases).

    .venv/bin/python bench/data.py                        # 100,000 cases (once; skipped if loaded)
    .venv/bin/python bench/residents.py [--database asb_portal_bench_pages] [--runs 30] [--warmup 3]

On the bench data, with the clock travelled to its anchor (time_machine, ticking), two open cases are given a victim
with a personal link (made once, committed; found again by the marker note): a busy one (60 entries shareable with
the resident, 12 of them updates for this person and 12 for another person, 25 diary entries, 10 requests) and a
quiet one (one shareable entry). Each is opened by its link through Django's full request stack (a test client), as
a resident on a phone would. Reports the median and p95, the queries (the same on both pages, whatever their data?)
and the statements by kind. Target: under 30 ms median. Then a Community Protection Notice is rendered to PDF from
its template (letters.render.document_pdf, WeasyPrint), the same call an officer's "Create" makes. Target: under 1 s
median. Writes bench/results/residents-<database>.json.
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
PAGE_TARGET_MS = 30
LETTER_TARGET_MS = 1000
MARKER = "bench-residents: "


def _victim_with_link(case, *, busy: bool, rng_seed: int):
    """The case's victim (made if it has none), their link, and (busy) a long shareable history. Made once."""
    from django.db import transaction
    from django.utils import timezone

    from cases.models import (
        DiaryEntry,
        Party,
        PartyRole,
        ResidentRequest,
        ResidentRequestKind,
        TimelineEntry,
        TimelineKind,
        Visibility,
    )
    from cases.services.resident_links import resident_link_issue

    with transaction.atomic():
        victim = Party.objects.filter(case=case, role=PartyRole.VICTIM, is_unknown=False).order_by("pk").first()
        if victim is None:
            victim = Party.objects.create(case=case, role=PartyRole.VICTIM, full_name="Bench Victim",
                                          email="bench.victim@example.com", preferred_contact_method="email")
        other = Party.objects.create(case=case, role=PartyRole.COMPLAINANT, full_name="Bench Neighbour") if busy else None
        link = resident_link_issue(case=case, party=victim)
        now = timezone.now()
        entries = [TimelineEntry(case=case, kind=TimelineKind.NOTE, summary=f"{MARKER}{'busy' if busy else 'quiet'}",
                                 body="Marker", visibility=Visibility.STAFF, occurred_at=now - timedelta(days=400))]
        if busy:
            for n in range(36):
                entries.append(TimelineEntry(case=case, kind=TimelineKind.NOTE, summary=f"Shareable note {n}",
                                             body=f"We visited the street again ({n}).", visibility=Visibility.RESIDENT,
                                             occurred_at=now - timedelta(days=n, hours=3)))
            for n in range(12):
                for party in (victim, other):
                    entries.append(TimelineEntry(case=case, kind=TimelineKind.UPDATE, summary=f"Update to {party}",
                                                 body=f"Update {n} for {party.full_name}.", visibility=Visibility.RESIDENT,
                                                 for_party=party, occurred_at=now - timedelta(days=n, hours=5)))
            DiaryEntry.objects.bulk_create([
                DiaryEntry(case=case, party=victim, link=link, happened_at=now - timedelta(days=n, hours=22),
                           what_happened=f"Music until 3am again ({n}).", who_involved="The flat above",
                           how_affected="No sleep.", received_at=now - timedelta(days=n, hours=10), submission_key=uuid.uuid4())
                for n in range(25)])
            ResidentRequest.objects.bulk_create([
                ResidentRequest(case=case, party=victim, link=link, kind=ResidentRequestKind.CALLBACK,
                                details="Call 07700 900123 after 6pm", created_at=now - timedelta(days=n, hours=2),
                                submission_key=uuid.uuid4()) for n in range(10)])
        else:
            entries.append(TimelineEntry(case=case, kind=TimelineKind.NOTE, summary="Shareable note", body="We have your report.",
                                         visibility=Visibility.RESIDENT, occurred_at=now - timedelta(days=1)))
        TimelineEntry.objects.bulk_create(entries)
    return link


def pages_ensure(seed: int) -> dict:
    from cases.models import OPEN_STATUSES, Case, ResidentLink, TimelineEntry

    found = {}
    for entry in TimelineEntry.objects.filter(summary__startswith=MARKER).select_related("case"):
        found[entry.summary.removeprefix(MARKER)] = entry.case
    if found and not all(ResidentLink.objects.filter(case=case, revoked_at__isnull=True).exists() for case in found.values()):
        found = {}
    made = False
    cases = list(Case.objects.filter(status__in=OPEN_STATUSES).order_by("pk").values_list("pk", flat=True)[1000:1002])
    for n, size in enumerate(("busy", "quiet")):
        if size not in found:
            case = Case.objects.get(pk=cases[n])
            _victim_with_link(case, busy=size == "busy", rng_seed=seed)
            found[size] = case
            made = True
    links = {size: ResidentLink.objects.filter(case=case, revoked_at__isnull=True, party__isnull=False).order_by("pk").first()
             for size, case in found.items()}
    return {"links": links, "made": made}


def letter_run(*, runs: int, warmup: int) -> dict:
    from django.utils import timezone

    from cases.models import Case, Party, PartyRole
    from letters.builtin import templates_install_current
    from letters.fields import values_for
    from letters.models import DocumentKind, DocumentTemplate
    from letters.render import document_pdf

    templates_install_current()  # the bench load empties every table, the built-in templates' too
    template = DocumentTemplate.objects.get(kind=DocumentKind.CPN)
    case = Case.objects.order_by("pk").first()
    recipient = Party(case=case, role=PartyRole.PERPETRATOR, full_name="Kyle Mercer", address="18 Brabazon Road, Oadby",
                      postcode="LE2 5HH")
    now = timezone.now()
    entered = {
        "conduct": "Gathering with others in the car park behind The Parade, Oadby, revving engines and playing loud music "
                   "between 6pm and 2am, which has a detrimental effect on the quality of life of those in the locality.",
        "requirements": "You must not gather in, or drive a vehicle in, the car park behind The Parade between 6pm and 6am.",
        "comply_by": (now + timedelta(days=14)).date().isoformat(),
    }
    values = values_for(case=case, kind=DocumentKind.CPN, recipient=recipient, entered=entered, at=now)
    times, size = [], 0
    for n in range(warmup + runs):
        started = perf_counter()
        pdf = document_pdf(heading=template.heading, wording=template.wording, values=values, number=f"BENCH/CPN/{n}")
        if n >= warmup:
            times.append(perf_counter() - started)
        size = len(pdf)
    return {"runs": runs, "median_ms": statistics.median(times) * 1000, "max_ms": max(times) * 1000,
            "min_ms": min(times) * 1000, "bytes": size}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=None, help="database with the bench data (default asb_portal_bench_pages)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--letter-runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    # Links are found by a digest made with SECRET_KEY: a fixed key keeps the links made in an earlier run working
    # (bench.run.settings_env would give each run a random one).
    os.environ.setdefault("SECRET_KEY", "Bnch-Rsdnt-Pg-7Qw9zK2mVx4LpT8aJ3cR6yN1uF5hG0dS2eW4iO9kM7bZ")
    from bench.run import _setup, measure

    name, marker = _setup(args.database)
    import time_machine
    from django.test import Client
    from django.urls import reverse

    from bench import data
    from cases.services.resident_links import link_token

    with time_machine.travel(data.ANCHOR, tick=True):
        made = pages_ensure(args.seed)
        client = Client()
        report = {"database": name, "cases": marker.get("cases"), "made_now": made["made"], "pages": {}}
        for size, link in made["links"].items():
            path = reverse("resident:case", kwargs={"token": link_token(link)})

            def call(path=path):
                return client.get(path).status_code

            result = measure(call, runs=args.runs, warmup=args.warmup)
            result.pop("_slowest", None)
            report["pages"][size] = result
        report["letter"] = letter_run(runs=args.letter_runs, warmup=2)
    busy, quiet = report["pages"]["busy"], report["pages"]["quiet"]
    print(f"\nResident case page at {report['cases']:,} cases ({name}); target {PAGE_TARGET_MS} ms median")
    for size, r in report["pages"].items():
        print(f"  {size:<6} status {r['status']}  median {r['median_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  "
              f"queries {r['queries']} (same every run: {r['queries_same_every_run']})  db {r['db_median_ms']:.1f} ms")
    print(f"  same queries on the busy and the quiet page: {busy['queries'] == quiet['queries']}")
    letter = report["letter"]
    print(f"\nCommunity Protection Notice to PDF; target {LETTER_TARGET_MS} ms median")
    print(f"  median {letter['median_ms']:.0f} ms  min {letter['min_ms']:.0f}  max {letter['max_ms']:.0f}  "
          f"({letter['runs']} runs, {letter['bytes']:,} bytes)")
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"residents-{name}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nWritten {out.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
