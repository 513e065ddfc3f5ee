"""Is the ASB Case Review threshold met for a case? The one function every caller uses: intake (the banner and the
manager's list), the application's threshold decision, and the checks.

The law (Anti-social Behaviour, Crime and Policing Act 2014, s.104(4) and (11)): the threshold is the local
number of qualifying complaints; a complaint qualifies if it was made within one month of the incident it is
about, and an application must come within six months of the complaint. The local rules are data
(casereview.ThresholdRule, edited by a manager); any active rule met means the threshold is met.

Whose reports count: the case's victims and complainants, each through their one record in the people register,
so a person's reports on other cases count too, as do reports someone made on their behalf (a reporter acting
for them on a case where they are the victim). One incident reported twice by the same person (the same case and
incident date) counts once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import F, Q
from django.utils import timezone

from cases import sla
from cases.models import Case, Party, PartyRole, Report

from .models import RuleKind, ThresholdRule

# s.104(11): a complaint qualifies if it is made within one month of the incident (statutory, not local).
COMPLAINT_WITHIN = relativedelta(months=1)
VICTIM_ROLES = (PartyRole.VICTIM, PartyRole.COMPLAINANT)


@dataclass(frozen=True)
class ThresholdResult:
    """What threshold_for_case found, judged at `at`."""

    met: bool
    # The rule that met it, in words ("3 separate incidents reported by one person within 6 months"), or None.
    rule: str | None = None
    # The qualifying Report rows that met it (received_at and incident_date on each), oldest first.
    reports: list[Report] = field(default_factory=list)
    rule_id: int | None = None
    # For a one-person rule: the register record of the person whose reports met it.
    person_id: int | None = None
    at: datetime | None = None


def qualifies(report: Report) -> bool:
    """A complaint made within one month of its incident (a report with no incident date is about something still
    happening when it was made: it qualifies)."""
    if report.incident_date is None:
        return True
    received_on = report.received_at.astimezone(sla.LONDON).date()
    return received_on <= report.incident_date + COMPLAINT_WITHIN


def window_start(at: datetime, months: int) -> datetime:
    """The earliest time a complaint may have been made to count at `at` (six months back: at the same time of day
    on the same date, or the month's last day when that date does not exist)."""
    return at - relativedelta(months=months)


def _incident_key(report: Report) -> tuple:
    # The same person reporting the same incident twice (same case, same incident date) is one incident.
    return (report.case_id, report.incident_date) if report.incident_date else ("report", report.pk)


def threshold_for_case(case: Case, *, at: datetime | None = None) -> ThresholdResult:
    """Whether any active threshold rule is met for `case`'s victims and complainants at `at` (default now).

    A fixed number of queries whatever the data: the rules, the case's victims with the cases where they are
    victims, and the candidate reports (three).
    """
    at = at or timezone.now()
    rules = list(ThresholdRule.objects.filter(is_active=True).order_by("display_order", "id"))
    if not rules:
        return ThresholdResult(met=False, at=at)
    since = window_start(at, max(r.window_months for r in rules))

    # The case's victims and complainants (their register records), and every case where each is one: one query.
    on_this_case = Party.objects.filter(case=case, role__in=VICTIM_ROLES, is_unknown=False, person__isnull=False)
    victim_cases: dict[int, set[int]] = {}
    for person_id, case_id in (Party.objects.filter(role__in=VICTIM_ROLES, person_id__in=on_this_case.values("person_id"))
                               .values_list("person_id", "case_id")):
        victim_cases.setdefault(person_id, set()).add(case_id)
    people = set(victim_cases)
    on_behalf_cases = set().union(*victim_cases.values()) if victim_cases else set()

    candidates = Q(case=case)
    if people:
        candidates |= Q(reporter__person_id__in=people)
    if on_behalf_cases:
        candidates |= Q(case_id__in=on_behalf_cases, reporter_role=PartyRole.REPORTER)
    reports = [
        r for r in Report.objects.filter(candidates, received_at__gte=since, received_at__lte=at)
        .annotate(reporter_person_id=F("reporter__person_id"))
        .select_related("case")
        .order_by("received_at", "id")
        if qualifies(r)
    ]

    for rule in rules:
        start = window_start(at, rule.window_months)
        in_window = [r for r in reports if r.received_at >= start]
        met = _rule_met(rule, case, in_window, people, victim_cases)
        if met is not None:
            counted, person_id = met
            return ThresholdResult(met=True, rule=rule.describe(), reports=counted, rule_id=rule.pk, person_id=person_id, at=at)
    return ThresholdResult(met=False, at=at)


def _distinct_incidents(reports: list[Report]) -> list[Report]:
    seen, kept = set(), []
    for r in reports:
        key = _incident_key(r)
        if key not in seen:
            seen.add(key)
            kept.append(r)
    return kept


def _reporter_key(report: Report):
    """Who made a report: their register record, else their party on the case; None when anonymous."""
    if report.reporter_person_id:
        return ("person", report.reporter_person_id)
    return ("party", report.reporter_id) if report.reporter_id else None


def _rule_met(rule, case, reports, people, victim_cases) -> tuple[list[Report], int | None] | None:
    on_case = [r for r in reports if r.case_id == case.pk]
    if rule.kind == RuleKind.ONE_PERSON:
        for person_id in sorted(people):
            theirs = _distinct_incidents([
                r for r in reports
                if r.reporter_person_id == person_id
                or (r.reporter_role == PartyRole.REPORTER and r.case_id in victim_cases.get(person_id, ()))
            ])
            if len(theirs) >= rule.min_reports:
                return theirs, person_id
        return None
    if rule.kind == RuleKind.DIFFERENT_PEOPLE:
        first_by_reporter: dict = {}
        for r in on_case:
            key = _reporter_key(r)
            if key is not None and key not in first_by_reporter:
                first_by_reporter[key] = r
        if len(first_by_reporter) >= rule.min_reports:
            return list(first_by_reporter.values()), None
        return None
    if rule.kind == RuleKind.SEVERAL_REPORTS:
        reporters = {_reporter_key(r) for r in on_case} - {None}
        if len(on_case) >= rule.min_reports and len(reporters) >= 2:
            return on_case, None
        return None
    if rule.kind == RuleKind.HATE:
        # On this case, or a report by (or for) one of its victims elsewhere.
        theirs = [r for r in reports if r.case_id == case.pk or r.reporter_person_id in people
                  or (r.reporter_role == PartyRole.REPORTER and any(r.case_id in c for c in victim_cases.values()))]
        hate = [r for r in theirs if r.hate_motivated == "yes"]
        if len(hate) >= max(rule.min_reports, 1):
            return hate, None
        return None
    return None

