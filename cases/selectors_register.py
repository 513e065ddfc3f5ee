"""Reads of the register that screens, intake and tasks share: repeat flags, a person's cases, hotspots, a place's
cases, possible matches still to decide. Each costs a fixed number of queries whatever the number of people or cases.
The access policy (people_visible_to, places_visible_to) is the caller's: these take records already allowed."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    Party,
    PartyRole,
    Person,
    Place,
    PossibleMatch,
    RepeatRule,
    Report,
)
from .reference_data import REPEAT_RULES
from .sla import LONDON

# Whose cases count towards each repeat rule: a victim (or complainant, or someone reported for by a reporter on
# their behalf, who is recorded as the reporter) or an alleged perpetrator.
VICTIM_ROLES = (PartyRole.VICTIM, PartyRole.COMPLAINANT, PartyRole.REPORTER)
PERPETRATOR_ROLES = (PartyRole.PERPETRATOR,)


def repeat_rules() -> dict[str, RepeatRule]:
    """Both rules, the defaults (unsaved) where a row is missing."""
    rules = {rule.kind: rule for rule in RepeatRule.objects.all()}
    for kind, (cases, months) in REPEAT_RULES.items():
        rules.setdefault(kind, RepeatRule(kind=kind, cases=cases, months=months))
    return rules


def _months_back(day: date, months: int) -> date:
    """The same date `months` calendar months earlier (the month's last day where it has no such date)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for candidate in (day.day, 31, 30, 29, 28):
        if candidate <= day.day:
            try:
                return date(year, month, candidate)
            except ValueError:
                continue
    raise AssertionError("unreachable")


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def repeat_window(months: int, *, today: date | None = None) -> tuple[datetime, datetime]:
    """[start, end): from London midnight of the same date `months` months ago up to the end of today (London)."""
    today = today or timezone.localdate(timezone.now(), LONDON)
    return _midnight(_months_back(today, months)), _midnight(today + timedelta(days=1))


@dataclass(frozen=True)
class Flags:
    repeat_victim: bool
    repeat_perpetrator: bool
    vulnerable: bool
    victim_cases: int
    perpetrator_cases: int

    @property
    def any(self) -> bool:
        return self.repeat_victim or self.repeat_perpetrator or self.vulnerable


NO_FLAGS = Flags(False, False, False, 0, 0)


def person_flags(person_ids: list[int], *, today: date | None = None) -> dict[int, Flags]:
    """Repeat victim, repeat perpetrator and vulnerable flags for these people (two queries, however many).

    A case counts towards a rule when the person is on it in one of the rule's roles and it received a report in
    the rule's window (the last `months` calendar months, London dates, today included)."""
    ids = sorted({int(i) for i in person_ids if i is not None})
    if not ids:
        return {}
    rules = repeat_rules()
    counted = {}
    for kind, roles in (("victim", VICTIM_ROLES), ("perpetrator", PERPETRATOR_ROLES)):
        start, end = repeat_window(rules[kind].months, today=today)
        counted[kind] = Count("parties__case", distinct=True, filter=Q(
            parties__role__in=roles, parties__case__reports__received_at__gte=start,
            parties__case__reports__received_at__lt=end,
        ))
    rows = Person.objects.filter(pk__in=ids).annotate(victim_cases=counted["victim"], perpetrator_cases=counted["perpetrator"])
    return {
        pk: Flags(
            repeat_victim=victims >= rules["victim"].cases,
            repeat_perpetrator=perpetrators >= rules["perpetrator"].cases,
            vulnerable=vulnerable,
            victim_cases=victims,
            perpetrator_cases=perpetrators,
        )
        for pk, vulnerable, victims, perpetrators in rows.values_list("pk", "is_vulnerable", "victim_cases", "perpetrator_cases")
    }


@dataclass(frozen=True)
class PersonCaseRow:
    case: Case
    party: Party
    role: str
    received: datetime
    status: str

    @property
    def role_label(self) -> str:
        return PartyRole(self.role).label

    @property
    def status_label(self) -> str:
        return CaseStatus(self.status).label


def person_cases(person: Person) -> list[PersonCaseRow]:
    """Every case the person is on and in what role, newest first (one row per part they play; one query)."""
    parties = Party.objects.filter(person=person).select_related("case", "case__category", "case__officer")
    return [PersonCaseRow(p.case, p, p.role, p.case.received_at, p.case.status)
            for p in parties.order_by("-case__received_at", "case_id", "pk")]


@dataclass(frozen=True)
class HotspotRow:
    place: Place
    reports: int
    open_cases: int


def _instant(value, *, end: bool) -> datetime:
    """A datetime as it is; a date as London midnight (an end date counts the whole day)."""
    if isinstance(value, datetime):
        return value
    return _midnight(value + timedelta(days=1) if end else value)


def hotspots(*, start: date | datetime, end: date | datetime, limit: int = 50) -> list[HotspotRow]:
    """Places by the number of reports received in [start, end) (an end date is included), busiest first, with their
    open cases now. Two queries."""
    start, end = _instant(start, end=False), _instant(end, end=True)
    open_cases = Case.objects.filter(place=OuterRef("case__place"), status__in=OPEN_STATUSES).order_by().values("place")
    rows = list(
        Report.objects.filter(received_at__gte=start, received_at__lt=end, case__place__isnull=False)
        .values(place_id=F("case__place"))
        .annotate(reports=Count("pk"),
                  open_cases=Coalesce(Subquery(open_cases.annotate(n=Count("pk")).values("n")[:1]), 0))
        .order_by("-reports", "-open_cases", "place_id")[:limit]
    )
    places = Place.objects.in_bulk([row["place_id"] for row in rows])
    return [HotspotRow(places[row["place_id"]], row["reports"], row["open_cases"]) for row in rows]


def place_cases(place: Place) -> list[Case]:
    """The cases at a place, newest first (one query)."""
    return list(Case.objects.filter(place=place).select_related("category", "officer").order_by("-received_at", "-pk"))


def possible_matches_open(*, case: Case | None = None, party_ids: list[int] | None = None) -> list[PossibleMatch]:
    """Possible matches still to decide (on a case, or for some parties), strongest evidence first: only those that
    still mean something (the person is a live record other than the party's own)."""
    matches = PossibleMatch.objects.filter(decision="", person__merged_into__isnull=True, person__anonymised_at__isnull=True)
    if case is not None:
        matches = matches.filter(party__case=case)
    if party_ids is not None:
        matches = matches.filter(party_id__in=party_ids)
    matches = matches.exclude(party__person=F("person")).select_related("party", "person")
    return list(matches.order_by("party_id", "-found_at", "pk"))
