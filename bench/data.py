"""A borough's ten-year ASB history, bulk-loaded (COPY) into a bench database of its own.

    .venv/bin/python bench/data.py [--cases 100000] [--seed 1] [--database asb_portal_bench_pages] [--reload]

Seeded and repeatable: the same --cases and --seed always give the same rows, laid out around a fixed
instant (ANCHOR), so bench/run.py measures the same thing on any day. Loads into `asb_portal_bench_pages`
(or --database, or BENCH_DATABASE_URL) and refuses any database whose name lacks "bench". Skips the load
when the marker table `bench_pages_marker` says the requested volume and seed are already there.
A partner agency (Leicestershire Police) has 1% of the cases shared with it: bench/data_partners.py.
People and places are in the register, some people on several cases: bench/data_register.py.
See bench/README.md, "Pages at council scale".
"""

import argparse
import io
import json
import math
import os
import random
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from time import perf_counter
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench import data_partners, data_register  # noqa: E402
from bench.sweep import FIRST_NAMES, LAST_NAMES, STREETS, _progress  # noqa: E402

LONDON = ZoneInfo("Europe/London")
# The data ends at this instant (a Wednesday morning, no bank holiday near). bench/run.py travels here.
ANCHOR = datetime(2026, 11, 18, 10, 0, tzinfo=LONDON)
YEARS = 10
DATA_VERSION = 5  # 5: officers grow with the open cases (issue 16); 3: a partner agency with 1% of the cases shared (issue 11); 4: the person and place register (issue 12)
DEFAULT_DATABASE = "asb_portal_bench_pages"
DEFAULT_DATABASE_URL = f"postgres://asb_portal:asb_portal@127.0.0.1:5432/{DEFAULT_DATABASE}"
MARKER = "bench_pages_marker"

# Staff grow with the volume (issue 16): about one officer per 50 open cases, never fewer than 20. A county's
# 1,000,000 cases hold about 50,000 open ones, so about 1,000 officers (20 officers with 2,458 each misled the home page).
OFFICERS_MIN = 20
OPEN_CASES_PER_OFFICER = 50
MANAGERS = 2
CALL_CENTRE = 4
FLUSH_ROWS = 20_000

# A word that appears in about 1% of descriptions: bench/run.py searches for it.
SEARCH_WORD = "motorbike"
PHRASES = {
    "Noise": ["loud music until 3am", "shouting and banging on the walls", "a party every weekend", "bass through the ceiling"],
    "Rowdy or inconsiderate behaviour": ["a group gathering outside the shop", "drunken shouting in the street", "youths kicking a ball at cars"],
    "Neighbour dispute": ["the neighbour blocks my drive", "threats over the boundary fence", "rubbish thrown over the garden wall"],
    "Vehicle nuisance": ["cars revving in the car park", "an abandoned van on the verge", "racing along the estate road"],
    "Street drinking": ["people drinking on the bench by the church", "cans and bottles left in the park"],
    "Drug use or dealing": ["cars stopping for a few minutes at the flat", "a smell of cannabis in the stairwell", "needles in the alley"],
    "Littering or fly-tipping": ["a mattress dumped in the lane", "bags of rubbish by the garages", "builders' waste on the field"],
    "Graffiti, vandalism or criminal damage": ["graffiti on the bus shelter", "windows smashed at the community centre", "fence kicked in"],
    "Animal nuisance": ["a dog barking all day", "dog fouling on the footpath", "an aggressive dog off the lead"],
    "Trespass": ["people climbing into the back gardens", "someone sleeping in the garage block"],
    "Begging": ["aggressive begging by the cash machine", "asking for money outside the station"],
    "Fireworks": ["fireworks set off at night in the park", "rockets aimed at houses"],
    "Intimidation or harassment": ["being followed and shouted at", "abuse every time I leave the house", "notes pushed through the door"],
    "Hate-motivated incident": ["racist abuse shouted at my family", "hateful graffiti on our door"],
    "Other": ["a problem on the estate that keeps happening", "people hanging around the flats"],
}
IMPACTS = ["I cannot sleep.", "My children are frightened.", "I feel unsafe in my own home.", "It is affecting my health.",
           "I have stopped using the park.", ""]
NOTES = ["Checked the address history.", "Spoke to the housing officer.", "Police log reviewed.", "Letter drafted.",
         "Discussed at the team meeting.", "Patrol requested in the area.", "CCTV request sent.", "Diary sheets issued."]
COMMENTS = ["Thank you for your help.", "It took a while but it is sorted now.", "Nobody called me back for weeks.",
            "The officer was very kind.", "Still happening.", ""]


# --- Database -------------------------------------------------------------------------------------------

def database_url(database: str | None) -> str:
    """--database, else BENCH_DATABASE_URL, else asb_portal_bench_pages on the local server."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    if database:
        parts = urlsplit(url)
        url = urlunsplit(parts._replace(path=f"/{database}"))
    return url


def database_prepare(database: str | None) -> str:
    """Point Django at the bench database (created if missing; refused unless its name contains "bench")."""
    from bench import sweep

    url = database_url(database)
    os.environ["BENCH_DATABASE_URL"] = url
    return sweep.database_prepare()  # creates it, checks the name, sets DATABASE_URL and DJANGO_SETTINGS_MODULE


def marker_read() -> dict | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT cases, seed, version, anchor, load_seconds, loaded_at FROM {MARKER}")
        row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip(["cases", "seed", "version", "anchor", "load_seconds", "loaded_at"], row, strict=True))


def data_present(cases: int, seed: int) -> bool:
    from cases.models import Case

    marker = marker_read()
    return (
        marker is not None
        and (marker["cases"], marker["seed"], marker["version"]) == (cases, seed, DATA_VERSION)
        and marker["anchor"] == ANCHOR
        and Case.objects.count() == cases
    )


# --- Generation --------------------------------------------------------------------------------------------

class Tables:
    """Per-table COPY buffers, each flushed (COPY … FROM STDIN via copy_expert) every FLUSH_ROWS rows."""

    def __init__(self, cursor, spec: dict[str, list[str]]):
        self.cursor, self.spec = cursor, spec
        self.buffers = {t: io.StringIO() for t in spec}
        self.pending = dict.fromkeys(spec, 0)
        self.written = dict.fromkeys(spec, 0)
        self.ids = dict.fromkeys(spec, 0)

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def add(self, table: str, row) -> None:
        buf = self.buffers[table]
        row = (*row, *CONSTANT_COLUMNS.get(table, {}).values())
        buf.write("\t".join(r"\N" if v is None else str(v) for v in row))
        buf.write("\n")
        self.pending[table] += 1
        if self.pending[table] >= FLUSH_ROWS:
            self.flush(table)

    def flush(self, table: str) -> None:
        if not self.pending[table]:
            return
        buf = self.buffers[table]
        buf.seek(0)
        self.cursor.copy_expert(f"COPY {table} ({', '.join(self.spec[table])}) FROM STDIN", buf)
        self.written[table] += self.pending[table]
        self.buffers[table], self.pending[table] = io.StringIO(), 0

    def close(self) -> dict[str, int]:
        for table in self.spec:
            self.flush(table)
        return self.written


# Columns every row of a table gets the same value in, appended to each row (NOT NULL columns whose default is
# Django's, not the database's): a case's deadlines have no subject, title or path (cases migration 0020).
CONSTANT_COLUMNS = {"cases_deadline": {"subject": "", "title": "", "path": ""}}

SPEC = {
    "cases_case": ["id", "reference", "status", "category_id", "risk_level", "officer_id", "address", "postcode",
                   "location_description", "hate_motivated", "received_at", "closure_reason", "closed_at", "version",
                   "created_at", "updated_at", "is_locked_down", "place_id"],
    "cases_party": ["id", "case_id", "role", "full_name", "is_unknown", "description", "email", "phone", "phone_normalised",
                    "address", "postcode", "preferred_contact_method", "best_times", "customer_group", "support_needs",
                    "support_details", "staff_safety_warning", "staff_safety_note", "created_at", "person_id"],
    "cases_report": ["id", "case_id", "channel", "received_at", "logged_by_id", "reporter_id", "reporter_role", "is_anonymous",
                     "category_id", "address", "postcode", "location_description", "is_ongoing", "frequency", "description",
                     "impact", "hate_motivated", "hate_characteristics", "submission_key", "created_at"],
    "cases_timelineentry": ["id", "case_id", "actor_id", "kind", "summary", "body", "changes", "visibility", "occurred_at",
                            "created_at", "agency_id"],
    "cases_contact": ["id", "case_id", "party_id", "method", "direction", "successful", "summary", "occurred_at",
                      "is_first_contact", "is_update", "is_final_update", "recorded_by_id", "created_at"],
    "cases_deadline": ["id", "kind", "case_id", "party_id", "starts_at", "due_at", "met_at", "cancelled_at", "breached",
                       "created_at", "interval_days", "subject", "title", "path"],
    "surveys_invitation": ["id", "case_id", "party_id", "purpose", "channel", "sent_at", "expires_at", "reminded_at",
                           "responded_at", "created_by_id"],
    "surveys_response": ["id", "invitation_id", "overall", "treated_fairly", "listened_to", "kept_updated",
                         "first_contact_speed", "staff_polite", "comments", "may_contact", "taken_by_phone", "entered_by_id",
                         "officer_id", "category_name", "report_channel", "submitted_at"],
    **data_partners.SPEC,
    **data_register.SPEC,
}
def _ts(value: datetime) -> str:
    return value.isoformat()


def _open_probability(age_days: float) -> float:
    # Tuned so about 5% of cases are open, nearly all of them recent.
    if age_days < 14:
        return 1.0
    if age_days < 60:
        return 0.85
    if age_days < 180:
        return 0.6
    if age_days < 365:
        return 0.32
    return 0.0


def officers_for(open_cases: int) -> int:
    return max(OFFICERS_MIN, math.ceil(open_cases / OPEN_CASES_PER_OFFICER))


def _users_create(officers: int) -> dict[str, list[int]]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from cases.roles import GROUP_NAMES, Role

    User = get_user_model()
    ids = {}
    for role, count in ((Role.OFFICER, officers), (Role.MANAGER, MANAGERS), (Role.CALL_CENTRE, CALL_CENTRE)):
        group = Group.objects.get(name=GROUP_NAMES[role])
        ids[role.value] = []
        for n in range(1, count + 1):
            user = User(
                username=f"bench-{role.value}-{n:02d}", email=f"bench-{role.value}-{n:02d}@example.invalid",
                first_name=FIRST_NAMES[n % len(FIRST_NAMES)], last_name=f"{role.label} {n}", is_staff=True,
            )
            user.set_unusable_password()
            user.save()
            user.groups.add(group)
            ids[role.value].append(user.pk)
    return ids


def _received_times(cases: int, rng: random.Random) -> list[datetime]:
    """Report times over ten years, more in office hours and evenings, oldest first."""
    start = ANCHOR - timedelta(days=365 * YEARS)
    span_days = (ANCHOR - start).days
    times = []
    for _ in range(cases):
        day = start + timedelta(days=rng.randrange(span_days))
        hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 10, 9, 9, 9, 8, 8, 7, 6, 6, 5, 4, 3, 2])[0]
        moment = day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
        times.append(min(moment, ANCHOR - timedelta(minutes=5)))
    times.sort()
    return times


def data_load(cases: int, seed: int) -> float:
    from django.db import connection, transaction

    from cases.models import Category

    started = perf_counter()
    rng = random.Random(seed)
    print(f"Loading {cases:,} cases over {YEARS} years (seed {seed}, anchor {ANCHOR:%a %d %b %Y %H:%M} London)")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER}")
        cursor.execute("TRUNCATE cases_case, notifications_message, django_session RESTART IDENTITY CASCADE")
        cursor.execute("TRUNCATE cases_person, cases_place RESTART IDENTITY CASCADE")
        # The dashboard's monthly rows describe the old data: built again from the new data at the end.
        cursor.execute("TRUNCATE dashboard_monthlyfigure, dashboard_builtmonth, dashboard_stalemonth")
        # Partner sharing (shares and referrals went with the cases); the access log names no foreign keys.
        cursor.execute("TRUNCATE cases_sharingagreement, cases_agencymember, cases_accesslogentry RESTART IDENTITY CASCADE")
        cursor.execute("DELETE FROM auth_user_groups WHERE user_id IN (SELECT id FROM auth_user WHERE username LIKE 'bench-%%')")
        cursor.execute("DELETE FROM auth_user WHERE username LIKE 'bench-%%'")
    times = _received_times(cases, rng)
    # Which cases are open; the detail-page case (exactly 30 timeline entries) is the newest open case of officer 1.
    open_flags = [rng.random() < _open_probability((ANCHOR - t).total_seconds() / 86400) for t in times]
    users = _users_create(officers_for(sum(open_flags)))
    officers, managers, call_centre = users["officer"], users["manager"], users["call_centre"]
    print(f"{len(officers):,} officers for {sum(open_flags):,} open cases")
    agency_id, partner_id = data_partners.partners_prepare(ANCHOR)
    shareable: list[data_partners.Shareable] = []
    categories = list(Category.objects.filter(is_active=True).values_list("pk", "name"))
    year_counter: dict[int, int] = {}
    closure_reasons = ["resolved", "no_further_action", "insufficient_evidence", "referred", "withdrawn"]
    t0 = perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        tables = Tables(cursor, SPEC)
        register = data_register.Register(tables, seed=seed, cases=cases, ts=_ts)
        bar = _progress(cases, "cases (+ people, reports, timeline, contacts, deadlines, surveys)")
        detail_case = None
        for i, received in enumerate(times):
            if i and i % 1000 == 0:
                bar.update(1000)
            case_id = tables.next_id("cases_case")
            year = received.astimezone(LONDON).year
            year_counter[year] = year_counter.get(year, 0) + 1
            reference = f"ASB-{year}-{year_counter[year]:06d}"
            category_id, category_name = rng.choice(categories)
            risk = rng.choices(["standard", "medium", "high"], weights=[70, 22, 8])[0]
            is_open = open_flags[i]
            age_days = (ANCHOR - received).total_seconds() / 86400
            if is_open and age_days < 4 and rng.random() < 0.6:
                status, officer = "new", None
            else:
                officer = rng.choice(officers)
                status = ("open" if rng.random() < 0.8 else "monitoring") if is_open else "closed"
            if status == "new":
                risk = "not_assessed"  # nobody has assessed a case still waiting for an officer (drawn anyway: same sequence)
            channel = "online" if rng.random() < 0.6 else "phone"
            anonymous = rng.random() < 0.03
            n_timeline = rng.randint(5, 15)
            if detail_case is None and is_open and not anonymous and status != "new" and age_days < 30:
                # The detail page's case: the first open case of the last 30 days, officer 1's, 30 timeline entries.
                detail_case, status, officer, n_timeline = (case_id, reference), "open", officers[0], 30
            street = f"{rng.randint(1, 200)} {rng.choice(STREETS)}"
            postcode = f"LE{rng.randint(1, 19)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            closed_at = None
            if status == "closed":
                closed_at = min(received + timedelta(days=rng.uniform(5, 90)), ANCHOR - timedelta(hours=1))
            end = closed_at or ANCHOR
            created = _ts(received)
            # The register (its own random stream): sometimes a hotspot; a repeat victim's case is at their home.
            home, home_postcode = street, postcode
            street, postcode = register.case_place(street, postcode)
            at_hotspot = street != home

            # People: the reporting victim (unless anonymous), sometimes a perpetrator.
            victim_id = perpetrator_id = None
            if not anonymous:
                victim_id = tables.next_id("cases_party")
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                phone = f"07700 9{rng.randrange(100_000):05d}"
                victim = register.victim(name=name, email=f"resident{victim_id}@example.invalid", phone=phone, address=home,
                                         postcode=home_postcode, created=created)
                if victim.cases > 1 and not at_hotspot:
                    street, postcode = victim.address, victim.postcode
                tables.add("cases_party", (
                    victim_id, case_id, "victim", victim.name, "false", "", victim.email, victim.phone,
                    victim.phone.replace(" ", ""), victim.address, victim.postcode, rng.choice(["phone", "email", "text", "letter"]), "",
                    rng.choice(["owner_occupier", "council_tenant", "private_tenant", "ha_tenant", ""]), "[]", "",
                    "false", "", created, victim.person_id))
            if rng.random() < 0.4:
                perp_id = tables.next_id("cases_party")
                unknown = rng.random() < 0.4
                warning = rng.random() < 0.05
                perpetrator_id = None if unknown else perp_id
                perpetrator = None
                if not unknown:  # drawn in the order they always were
                    drawn_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                    drawn_address = f"{rng.randint(1, 200)} {rng.choice(STREETS)}"
                    perpetrator = register.perpetrator(name=drawn_name, address=drawn_address, postcode=postcode, created=created)
                tables.add("cases_party", (
                    perp_id, case_id, "perpetrator", "" if unknown else perpetrator.name,
                    "true" if unknown else "false", "A group of young people" if unknown else "", "", "", "",
                    "" if unknown else perpetrator.address, "" if unknown else perpetrator.postcode, "", "",
                    "", "[]", "", "true" if warning else "false", "Visit in pairs" if warning else "", created,
                    None if unknown else perpetrator.person_id))

            # Reports: one, sometimes a repeat report later.
            n_reports = 2 if rng.random() < 0.1 else 1
            for r in range(n_reports):
                r_at = received if r == 0 else min(received + timedelta(days=rng.uniform(1, 30)), end)
                r_channel = channel if r == 0 else ("online" if rng.random() < 0.6 else "phone")
                phrase = rng.choice(PHRASES.get(category_name, PHRASES["Other"]))
                extra = f" The {SEARCH_WORD} comes past again and again." if rng.random() < 0.01 else ""
                description = f"{phrase.capitalize()} near {street}.{extra} It has been going on for weeks."
                tables.add("cases_report", (
                    tables.next_id("cases_report"), case_id, r_channel, _ts(r_at),
                    rng.choice(call_centre) if r_channel == "phone" else None,
                    None if anonymous else victim_id, "victim", "true" if anonymous else "false", category_id, street,
                    postcode, "", "true", rng.choice(["daily", "weekly", "monthly", "occasionally"]), description,
                    rng.choice(IMPACTS), "no", "[]", uuid.UUID(int=rng.getrandbits(128), version=4), _ts(r_at)))

            # Deadlines and contacts for the victim: first contact, then updates every 14 (7 if high) days.
            contact_times = []
            if victim_id is not None:
                recorder = officer or rng.choice(officers)
                first_due = received + timedelta(days=3 if received.weekday() < 2 else 5)
                if status == "new":
                    # Open first-contact deadline; about one in eight of them already overdue.
                    due = ANCHOR - timedelta(hours=rng.randint(1, 30)) if rng.random() < 0.125 else first_due
                    tables.add("cases_deadline", (tables.next_id("cases_deadline"), "first_contact", case_id, victim_id,
                                                  _ts(received), _ts(due), None, None, "false", created, None))
                else:
                    late = rng.random() < 0.1
                    met = first_due + timedelta(hours=rng.randint(2, 72)) if late else received + timedelta(
                        hours=rng.uniform(2, (first_due - received).total_seconds() / 3600 - 1))
                    met = min(met, end)
                    tables.add("cases_deadline", (tables.next_id("cases_deadline"), "first_contact", case_id, victim_id,
                                                  _ts(received), _ts(first_due), _ts(met), None,
                                                  "true" if met > first_due else "false", created, None))
                    tables.add("cases_contact", (tables.next_id("cases_contact"), case_id, victim_id,
                                                 rng.choice(["phone", "email", "visit"]), "out", "true",
                                                 "First contact: discussed the report and next steps.", _ts(met), "true",
                                                 "true", "false", recorder, _ts(met)))
                    contact_times.append(met)
                    interval = timedelta(days=7 if risk == "high" else 14)
                    last = met
                    while True:
                        due = last + interval
                        if due >= end:
                            if status == "closed":
                                # Final update at closure, then the open deadline is cancelled.
                                tables.add("cases_deadline", (tables.next_id("cases_deadline"), "victim_update", case_id,
                                                              victim_id, _ts(last), _ts(due), None, _ts(end), "false",
                                                              _ts(last), interval.days))
                                final_at = end - timedelta(hours=1)
                                tables.add("cases_contact", (tables.next_id("cases_contact"), case_id, victim_id, "phone",
                                                             "out", "true", "Final update before closing the case.",
                                                             _ts(final_at), "false", "true", "true", recorder, _ts(final_at)))
                                contact_times.append(final_at)
                            else:
                                # Open case: the next update is owed; about one in ten is overdue.
                                open_due = ANCHOR - timedelta(hours=rng.randint(2, 120)) if rng.random() < 0.1 else due
                                tables.add("cases_deadline", (tables.next_id("cases_deadline"), "victim_update", case_id,
                                                              victim_id, _ts(last), _ts(open_due), None, None,
                                                              "true" if open_due < ANCHOR else "false", _ts(last),
                                                              interval.days))
                            break
                        late = rng.random() < 0.12
                        met = due + timedelta(hours=rng.randint(1, 96)) if late else due - timedelta(hours=rng.randint(1, 96))
                        met = max(min(met, end - timedelta(minutes=1)), last + timedelta(minutes=1))
                        tables.add("cases_deadline", (tables.next_id("cases_deadline"), "victim_update", case_id, victim_id,
                                                      _ts(last), _ts(due), _ts(met), None,
                                                      "true" if met > due else "false", _ts(last), interval.days))
                        tables.add("cases_contact", (tables.next_id("cases_contact"), case_id, victim_id,
                                                     rng.choice(["phone", "email", "text"]), "out", "true",
                                                     "Update on progress.", _ts(met), "false", "true", "false", recorder,
                                                     _ts(met)))
                        contact_times.append(met)
                        last = met

            # Timeline: about 10 entries (5–15), 30 for the detail page's case.
            entries = [("report", "Report received", received, None)]
            if officer:
                entries.append(("assignment", "Assigned", received + timedelta(hours=rng.uniform(1, 20)), managers[0]))
            entries += [("contact", "Contact recorded", at, officer) for at in contact_times]
            if status == "closed":
                entries.append(("status", "Case closed", end, officer))
            entries = entries[:n_timeline]
            while len(entries) < n_timeline:
                at = received + (end - received) * rng.random()
                kind = rng.choice(["note", "note", "risk", "referral", "edit"])
                entries.append((kind, rng.choice(NOTES) if kind == "note" else f"{kind.title()} recorded", at,
                                officer or rng.choice(officers)))
            for kind, summary, at, actor in entries:
                tables.add("cases_timelineentry", (tables.next_id("cases_timelineentry"), case_id, actor, kind, summary,
                                                   "", "{}", "staff", _ts(at), _ts(at), None))

            tables.add("cases_case", (
                case_id, reference, status, category_id, risk, officer, street, postcode, "", "false", _ts(received),
                rng.choice(closure_reasons) if status == "closed" else "", _ts(closed_at) if closed_at else None, 1,
                created, _ts(end if status == "closed" else received), "false", register.place_id(street, postcode, created)))
            shareable.append(data_partners.Shareable(case_id, reference, is_open, officer, victim_id, perpetrator_id, postcode,
                                                     received, end))

            # Satisfaction survey for about 40% of closed cases with a victim; about 60% answer.
            if status == "closed" and victim_id and rng.random() < 0.4:
                inv_id = tables.next_id("surveys_invitation")
                sent = closed_at + timedelta(minutes=5)
                answered = rng.random() < 0.6 and sent + timedelta(days=3) < ANCHOR
                responded = sent + timedelta(days=rng.uniform(0.1, 3)) if answered else None
                tables.add("surveys_invitation", (
                    inv_id, case_id, victim_id, "closure", rng.choice(["email", "sms", "phone"]), _ts(sent),
                    _ts(sent + timedelta(days=28)), None, _ts(responded) if responded else None, None))
                if answered:
                    overall = rng.choices([5, 4, 3, 2, 1], weights=[55, 33, 6, 3, 3])[0]
                    others = [max(1, min(5, overall + rng.choice([-1, 0, 0, 0, 1]))) for _ in range(5)]
                    tables.add("surveys_response", (
                        tables.next_id("surveys_response"), inv_id, overall, *others, rng.choice(COMMENTS),
                        "true" if rng.random() < 0.5 else "false", "false", None, officer, category_name, channel,
                        _ts(responded)))

        bar.update(cases - (cases - 1) // 1000 * 1000)
        bar.close()
        partner_reference = data_partners.shares_add(tables, shareable, seed=seed, anchor=ANCHOR, agency_id=agency_id,
                                                     partner_id=partner_id, officers=officers, ts=_ts)
        written = tables.close()
        summary = register.summary()
        print(f"  register: {summary['victim_people']:,} victims ({summary['victims_on_several_cases']:.1%} on several cases), "
              f"{summary['perpetrator_people']:,} named perpetrators ({summary['perpetrators_on_several_cases']:.1%}), "
              f"{summary['places']:,} places (busiest {summary['busiest_place_cases']} cases); person page "
              f"{summary['page_person']} on {summary['page_person_cases']} cases")
        print(f"  {written['cases_caseshare']:,} cases shared with {data_partners.AGENCY}; partner case page {partner_reference}")
        print(f"  rows generated and copied in {perf_counter() - t0:.1f} s")

        t1 = perf_counter()
        for table in SPEC:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))")
        cursor.execute("DELETE FROM cases_casereferencecounter")
        cursor.executemany("INSERT INTO cases_casereferencecounter (year, last_number) VALUES (%s, %s)",
                           sorted(year_counter.items()))
        print("  search_document: one UPDATE from the reports' descriptions", end="", flush=True)
        cursor.execute("""
            UPDATE cases_case c SET search_document = to_tsvector('english', s.doc)
            FROM (SELECT case_id, string_agg(description || ' ' || impact, ' ') AS doc FROM cases_report GROUP BY case_id) s
            WHERE s.case_id = c.id
        """)
        print(f" ({cursor.rowcount:,} cases, {perf_counter() - t1:.1f} s)")
        cursor.execute(f"CREATE TABLE {MARKER} (cases integer, seed integer, version integer, anchor timestamptz, "
                       "load_seconds double precision, loaded_at timestamptz, detail_reference text, search_word text, "
                       "partner_reference text, partner_username text, register_person integer, register_caller text)")
        cursor.execute(f"INSERT INTO {MARKER} VALUES (%s, %s, %s, %s, NULL, now(), %s, %s, %s, %s, %s, %s)",
                       [cases, seed, DATA_VERSION, ANCHOR, detail_case[1] if detail_case else None, SEARCH_WORD,
                        partner_reference, data_partners.PARTNER_USERNAME, summary["page_person"],
                        json.dumps(register.match_caller())])
        t2 = perf_counter()
    print(f"  commit (deferred foreign-key checks) {perf_counter() - t2:.1f} s")
    t3 = perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"  VACUUM (ANALYZE) {perf_counter() - t3:.1f} s")
    # The dashboard's closed months, as the beat job keeps them in production (the anchor's month stays live).
    from dashboard.services import dashboard_refresh

    t4 = perf_counter()
    built = dashboard_refresh(today=ANCHOR.astimezone(LONDON).date())
    print(f"  dashboard: {len(built)} closed months built in {perf_counter() - t4:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) dashboard_monthlyfigure")
    seconds = perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {MARKER} SET load_seconds = %s", [seconds])
    print("  rows: " + ", ".join(f"{t} {n:,}" for t, n in written.items()))
    return seconds


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases over ten years (default 100,000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--database", default=None, help=f"database name (default {DEFAULT_DATABASE} or BENCH_DATABASE_URL's)")
    parser.add_argument("--reload", action="store_true", help="reload even if the data is already there")
    args = parser.parse_args(argv)
    name = database_prepare(args.database)
    import django

    django.setup()
    from django.core.management import call_command

    print(f"Database {name}: migrating")
    call_command("migrate", verbosity=0)
    if not args.reload and data_present(args.cases, args.seed):
        marker = marker_read()
        print(f"Data already loaded ({args.cases:,} cases, seed {args.seed}, loaded {marker['loaded_at']:%Y-%m-%d %H:%M} "
              f"in {marker['load_seconds'] or 0:.0f} s): skipping")
        return
    seconds = data_load(args.cases, args.seed)
    print(f"Loaded in {seconds:.1f} s")


if __name__ == "__main__":
    main()
