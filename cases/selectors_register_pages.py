"""What the register's screens show: a person's page, a place's page, a match to decide, the repeat rules.

Each read starts from the access policy (`people_visible_to`, `places_visible_to`, `cases_visible_to`) and costs
a fixed number of queries whatever the person's history. The rules themselves (matching, flags, hotspots) are
`cases.services.register` and `cases.selectors_register`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from .models import (
    Action,
    Case,
    Contact,
    Party,
    Person,
    PersonMerge,
    Place,
    PossibleMatch,
    RiskAssessment,
)
from .policy import Can, can, cases_visible_to, people_visible_to, places_visible_to
from .selectors_register import repeat_rules

PAGE_ROWS = 100  # contacts, risk assessments and actions shown on a person's page (newest first)
MERGE_HOPS = 10  # a chain of merges longer than this is a data fault, not something to follow forever


def person_or_none(user, person_id: int) -> Person | None:
    return people_visible_to(user).filter(pk=person_id).first()


def person_current(user, person: Person) -> Person | None:
    """The record a retired (merged) person now lives in, following merges; None if it is not visible."""
    seen = {person.pk}
    current = person
    for _ in range(MERGE_HOPS):
        if current.merged_into_id is None:
            return current
        if current.merged_into_id in seen:
            return None
        seen.add(current.merged_into_id)
        current = person_or_none(user, current.merged_into_id)
        if current is None:
            return None
    return None


@dataclass
class PersonPage:
    person: Person
    parties: list[Party]  # their parts in cases this user may open, newest case first
    contacts: list[Contact]
    risks: list[RiskAssessment]
    actions: list[Action]
    waiting_matches: list[PossibleMatch]
    merges: list[PersonMerge]
    rules: dict = field(default_factory=dict)


def person_page(user, person: Person) -> PersonPage:
    """Everything a person's page shows, in seven queries however many cases they are on."""
    visible_cases = cases_visible_to(user).values("pk")
    parties = list(
        Party.objects.filter(person=person, case__in=visible_cases)
        .select_related("case", "case__category")
        .defer("case__search_document")
        .order_by("-case__received_at", "-id")
    )
    case_ids = {p.case_id for p in parties}
    party_ids = [p.pk for p in parties]
    contacts = list(
        Contact.objects.filter(party_id__in=party_ids).select_related("case", "party", "recorded_by").order_by("-occurred_at")[:PAGE_ROWS]
    )
    risks = list(RiskAssessment.objects.filter(case_id__in=case_ids).select_related("case", "party", "assessed_by")[:PAGE_ROWS])
    actions = list(
        Action.objects.filter(perpetrator_id__in=party_ids).select_related("case", "action_type").order_by("-served_on", "-id")[:PAGE_ROWS]
    )
    waiting = list(
        waiting_matches().filter(party__case__in=visible_cases)
        .filter(Q(person=person) | Q(party__person=person))
        .select_related("party", "party__case", "person")
        .order_by("-found_at")
    )
    merges = list(
        PersonMerge.objects.filter(Q(kept=person) | Q(merged=person))
        .select_related("kept", "merged", "merged_by", "undone_by")
    )
    return PersonPage(person, parties, contacts, risks, actions, waiting, merges, repeat_rules())


def waiting_matches():
    """Possible matches still to decide that still mean something (as selectors_register.possible_matches_open):
    the proposed person is a live record, not already the party's own."""
    return (
        PossibleMatch.objects.filter(decision="", person__merged_into__isnull=True, person__anonymised_at__isnull=True)
        .exclude(party__person=F("person"))
    )


def merge_or_none(user, merge_id: int) -> PersonMerge | None:
    """A merge whose two records this user may see."""
    people = people_visible_to(user)
    return (
        PersonMerge.objects.filter(pk=merge_id, kept__in=people.values("pk"), merged__in=people.values("pk"))
        .select_related("kept", "merged", "merged_by", "undone_by").first()
    )


def people_case_counts(person_ids) -> dict[int, int]:
    """How many cases each person is on (one query), for choosing which record to merge."""
    rows = Party.objects.filter(person_id__in=list(person_ids)).values("person_id").annotate(n=Count("case_id", distinct=True))
    return {r["person_id"]: r["n"] for r in rows}


def match_for_case(case: Case, match_id: int) -> PossibleMatch | None:
    """A possible match on one of `case`'s people (the case comes from case_or_404, so it is visible)."""
    return (
        PossibleMatch.objects.filter(pk=match_id, party__case=case)
        .select_related("party", "party__person", "person", "decided_by").first()
    )


def place_or_none(user, place_id: int) -> Place | None:
    return places_visible_to(user).filter(pk=place_id).first()


def place_cases_for_page(user, place: Place, *, limit: int = 200) -> list[Case]:
    return list(
        cases_visible_to(user).filter(place=place).select_related("category").defer("search_document")
        .order_by("-received_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class RegisterHit:
    """A register record that may be someone named on a phone report, as the officer's prompt shows it."""

    person_id: int
    full_name: str
    where: str  # the first line of their latest address
    reasons: str
    cases: int
    flags: object | None  # selectors_register.Flags
    strong: bool  # intake links a strong match itself; a weak one waits on the case page for staff to decide

    @property
    def question(self) -> str:
        return f"Is this the same {self.full_name}{', ' + self.where if self.where else ''}?"


@dataclass(frozen=True)
class PhoneRegisterPrompt:
    caller: list[RegisterHit]
    perpetrator: list[RegisterHit]

    def __bool__(self):
        return bool(self.caller or self.perpetrator)


PROMPT_LIMIT = 3


def phone_register_prompt(user, *, caller: dict, people: dict) -> PhoneRegisterPrompt | None:
    """Register records that may be the caller, or the perpetrator they name, for officers and managers only.

    The call centre gets None and costs no query: they may be talking to the perpetrator, so they see nothing
    beyond the caller history they saw before the register (cases.selectors.caller_history). For officers it is
    a fixed number of queries: two candidate searches, one flags read and one case count.
    """
    if not (can(user, Can.SEE_REGISTER) and can(user, Can.SEE_PEOPLE)):
        return None
    from .selectors_register import person_flags
    from .services.register import person_candidates

    found_caller, found_perpetrator = [], []
    if caller.get("full_name"):
        found_caller = person_candidates(
            full_name=caller["full_name"], date_of_birth=caller.get("date_of_birth"), email=caller.get("email") or "",
            phone=caller.get("phone") or "", address=caller.get("reporter_address") or "",
            postcode=caller.get("reporter_postcode") or "", limit=PROMPT_LIMIT,
        )
    if people.get("perpetrator_known") == "named" and people.get("perpetrator_name"):
        found_perpetrator = person_candidates(
            full_name=people["perpetrator_name"], address=people.get("perpetrator_address") or "", limit=PROMPT_LIMIT,
        )
    ids = {c.person.pk for c in [*found_caller, *found_perpetrator]}
    if not ids:
        return PhoneRegisterPrompt([], [])
    flags = person_flags(ids)
    counts = people_case_counts(ids)

    def hit(c) -> RegisterHit:
        reasons = c.reasons if isinstance(c.reasons, str) else "; ".join(c.reasons)
        where = (c.person.address or "").replace("\n", ",").split(",")[0].strip()
        return RegisterHit(c.person.pk, c.person.full_name, where, reasons, counts.get(c.person.pk, 0), flags.get(c.person.pk),
                           c.strength == "strong")

    return PhoneRegisterPrompt([hit(c) for c in found_caller], [hit(c) for c in found_perpetrator])
