"""The partner agency in the bench data (issue 11): Leicestershire Police with an agreement in force at the anchor,
one partner user, and 1% of the cases (1,000 at 100,000) shared with it at the timeline scope.

Called by bench/data.py inside its load transaction, after the cases are generated, with its own random stream
(so the council's rows are the same as without partners). Each shared case has a couple of shared people (the
victim and the named perpetrator; a witness is added where the case has fewer than two), the share's timeline
entry, one to three entries marked for partners, sometimes an update written by the police and sometimes a
referral to them. The partner case page's case (PARTNER_PAGE_ENTRIES entries the partner sees) is the first open
shared case.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

AGENCY = "Leicestershire Police"
PARTNER_USERNAME = "bench-partner-01"
SHARE_FRACTION = 0.01  # 1,000 of 100,000
PARTNER_PAGE_ENTRIES = 12  # entries the partner sees on the measured case page (8 for partners, 4 from the police)
SHARE_SUMMARY = f"Shared with {AGENCY} (summary, people and entries marked for partners)"
PARTNER_NOTES = ["Patrols asked for in the area on Friday and Saturday nights.", "Warning letter served; copy on file.",
                 "Neighbour has CCTV: footage requested.", "Joint visit with the PCSO arranged for next week.",
                 "Victim reports it is quieter since the patrols began.", "Perpetrator seen again near the shops."]
POLICE_UPDATES = ["Incident number issued; officer in the case assigned.", "Beat team visited the address; words of advice given.",
                  "Intelligence logged for the neighbourhood policing team.", "No further reports to us this week."]

SPEC = {
    "cases_caseshare": ["id", "case_id", "agency_id", "reason", "scope", "ends_on", "shared_by_id", "shared_at", "stopped_at",
                        "stopped_by_id", "stop_reason"],
    "cases_sharedperson": ["id", "share_id", "party_id", "basis", "note"],
    "cases_referral": ["id", "case_id", "agency_id", "reason", "referred_on", "status", "response", "responded_on",
                       "responded_by_id", "outcome", "created_by_id", "created_at"],
}


@dataclass
class Shareable:
    """What data.py remembers of each case, to share some of them."""

    case_id: int
    reference: str
    is_open: bool
    officer: int | None
    victim_id: int | None
    perpetrator_id: int | None  # a named perpetrator only
    postcode: str
    received: datetime
    end: datetime


def partners_prepare(now: datetime) -> tuple[int, int]:
    """The agency, its agreement in force at `now` and the partner user: (agency id, partner user id)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from cases.models import AgencyMember, LawfulBasis, PartnerAgency, SharingAgreement
    from cases.roles import GROUP_NAMES, Role

    agency = PartnerAgency.objects.get(name=AGENCY)
    SharingAgreement.objects.create(
        agency=agency, title="Community safety information-sharing agreement", lawful_basis=LawfulBasis.CDA_S115_AND_PUBLIC_TASK,
        what_may_be_shared="Case summaries, people with consent or a lawful reason, entries marked for partners.",
        signed_on=(now - timedelta(days=365)).date(), review_by=(now + timedelta(days=365)).date())
    user = get_user_model()(username=PARTNER_USERNAME, email=f"{PARTNER_USERNAME}@example.invalid", first_name="Sam",
                            last_name="Police")
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.PARTNER_USER]))
    AgencyMember.objects.create(user=user, agency=agency)
    return agency.pk, user.pk


def shares_add(tables, cases: list[Shareable], *, seed: int, anchor: datetime, agency_id: int, partner_id: int,
               officers: list[int], ts) -> str | None:
    """Share 1% of the cases with the agency (rows into `tables`); returns the partner case page's reference."""
    rng = random.Random(seed * 7919 + 11)
    candidates = [c for c in cases if c.officer is not None]
    count = min(len(candidates), max(1, round(len(cases) * SHARE_FRACTION)))
    open_cases = [c for c in candidates if c.is_open]
    closed = [c for c in candidates if not c.is_open]
    # Most shares are of open cases; the rest of closed ones still shared (the partner's list holds both).
    from_open = min(len(open_cases), round(count * 0.7))
    chosen = rng.sample(open_cases, from_open) + rng.sample(closed, min(len(closed), count - from_open))
    chosen.sort(key=lambda c: c.case_id)
    page_case = next((c for c in chosen if c.is_open and c.victim_id and c.perpetrator_id), None)
    for case in chosen:
        officer = case.officer or rng.choice(officers)
        span = max((case.end - case.received).total_seconds(), 3600)
        shared_at = min(case.received + timedelta(seconds=span * rng.uniform(0.1, 0.5)), anchor - timedelta(hours=2))
        share_id = tables.next_id("cases_caseshare")
        tables.add("cases_caseshare", (share_id, case.case_id, agency_id, "Joint problem solving with the neighbourhood team.",
                                       "timeline", None, officer, ts(shared_at), None, None, ""))
        people = [(p, basis) for p, basis in ((case.victim_id, "consent"), (case.perpetrator_id, "crime")) if p]
        while len(people) < 2:
            witness = tables.next_id("cases_party")
            tables.add("cases_party", (
                witness, case.case_id, "witness", f"Witness {witness}", "false", "", "", f"07700 8{witness % 100_000:05d}",
                f"077008{witness % 100_000:05d}", "", case.postcode, "phone", "", "", "[]", "", "false", "", ts(case.received),
                None))
            people.append((witness, "consent"))
        for party, basis in people:
            tables.add("cases_sharedperson", (tables.next_id("cases_sharedperson"), share_id, party, basis, ""))
        entries = [("share", SHARE_SUMMARY, "staff", officer, None)]
        is_page = case is page_case
        n_notes = 8 if is_page else rng.randint(1, 3)
        n_updates = 4 if is_page else (1 if rng.random() < 0.3 else 0)
        entries += [("note", rng.choice(PARTNER_NOTES), "partners", officer, None) for _ in range(n_notes)]
        entries += [("note", rng.choice(POLICE_UPDATES), "staff", partner_id, agency_id) for _ in range(n_updates)]
        referral = is_page or rng.random() < 0.4
        if referral:
            entries.append(("referral", f"Referred to {AGENCY}", "staff", officer, None))
        end = min(case.end, anchor - timedelta(minutes=30))
        for n, (kind, summary, visibility, actor, agency) in enumerate(entries):
            at = shared_at if n == 0 else shared_at + (end - shared_at) * rng.random()
            at = max(at, shared_at)
            tables.add("cases_timelineentry", (tables.next_id("cases_timelineentry"), case.case_id, actor, kind, summary,
                                               "", "{}", visibility, ts(at), ts(at), agency))
        if referral:
            status = "sent" if is_page else rng.choice(["sent", "accepted", "accepted", "declined", "completed"])
            answered = status != "sent"
            responded = shared_at + timedelta(days=rng.uniform(0.5, 5)) if answered else None
            responded = min(responded, anchor - timedelta(minutes=10)) if responded else None
            tables.add("cases_referral", (
                tables.next_id("cases_referral"), case.case_id, agency_id, "Patrols and intelligence checks, please.",
                shared_at.date().isoformat(), status, "Patrols arranged." if answered else "",
                responded.date().isoformat() if responded else None, partner_id if answered else None, "", officer,
                ts(shared_at)))
    return page_case.reference if page_case else None
