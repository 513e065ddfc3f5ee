"""Is the ASB Case Review threshold met for a case? The one function every caller uses: intake (the banner and the
manager's list), the application's threshold decision, and the checks.

The law (Anti-social Behaviour, Crime and Policing Act 2014, s.104(4) and (11)): the threshold is the local
number of qualifying complaints; a complaint qualifies if it was made within one month of the incident it is
about, and an application must come within six months of the complaint. The local rules are data
(casereview.ThresholdRule, edited by a manager); any active rule met means the threshold is met.

Whose reports count: the case's victims and complainants, each through their one record in the people register,
so a person's reports on other cases count too, as do reports someone made on their behalf (a reporter acting
for them on a case where they are the victim). A person's report counts as theirs when they made it as a victim or
complainant: a report they made as a witness, or for someone else, is not a complaint of theirs (the intake's
second-report rule reads reports the same way). One incident reported twice by the same person (the same case and
incident date) counts once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.utils import timezone

from cases import sla
from cases.models import OPEN_STATUSES, Case, PartyRole, Report

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
    # The open cases the result holds for: the case judged and, for a one-person rule, the person's other open cases
    # where they are a victim or complainant (their reports count the same there).
    case_ids: tuple[int, ...] = ()


def qualifies(report: Report) -> bool:
    """A complaint made within one month of its incident (a report with no incident date is about something still
    happening when it was made: it qualifies)."""
    if report.incident_date is None:
        return True
    received_on = report.received_at.astimezone(sla.LONDON).date()
    return received_on <= report.incident_date + COMPLAINT_WITHIN


def window_start(at: datetime, months: int) -> datetime:
    """The earliest time a complaint may have been made to count at `at` (six months back: at the same time of day
    on the same date, or the month's last day when that date does not exist). Counted on London's calendar and
    clock: judged at noon in June (BST), six months back is noon in December (GMT), whichever zone `at` is in."""
    return at.astimezone(sla.LONDON) - relativedelta(months=months)


class _Complaint(NamedTuple):
    """A candidate report as the rules read it."""

    pk: int
    case_id: int
    received_at: datetime
    incident_date: date | None
    reporter_id: int | None
    reporter_role: str
    hate_motivated: str
    reporter_person_id: int | None
    # Reporting on someone's behalf: the register record of the victim it is for (None when not recorded).
    on_behalf_person_id: int | None


def _incident_key(report: Report) -> tuple:
    # The same person reporting the same incident twice (same case, same incident date) is one incident.
    return (report.case_id, report.incident_date) if report.incident_date else ("report", report.pk)


def threshold_for_case(case: Case, *, at: datetime | None = None) -> ThresholdResult:
    """Whether any active threshold rule is met for `case`'s victims and complainants at `at` (default now).

    A fixed number of queries whatever the data: the rules, the case's victims with the cases where they are
    victims, and the candidate reports (three); and the reports that met it, when it is met (four).
    """
    at = at or timezone.now()
    rules = list(ThresholdRule.objects.filter(is_active=True).order_by("display_order", "id"))
    if not rules:
        return ThresholdResult(met=False, at=at)
    since = window_start(at, max(r.window_months for r in rules))

    # The case's victims and complainants (their register records), and every case where each is one: one query.
    # This and the candidates below are written as SQL: it runs at every report, and built with the ORM the two
    # statements cost more to compile than to run (bench/intake.py).
    victim_cases: dict[int, set[int]] = {}
    open_cases: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pa.person_id, pa.case_id, c.status = ANY(%s) FROM cases_party pa JOIN cases_case c ON c.id = pa.case_id"
            " WHERE pa.role = ANY(%s) AND pa.person_id IN ("
            " SELECT person_id FROM cases_party WHERE case_id = %s AND role = ANY(%s) AND NOT is_unknown"
            " AND person_id IS NOT NULL)",
            [list(OPEN_STATUSES), list(VICTIM_ROLES), case.pk, list(VICTIM_ROLES)],
        )
        for person_id, case_id, is_open in cursor.fetchall():
            victim_cases.setdefault(person_id, set()).add(case_id)
            if is_open:
                open_cases.add(case_id)
    people = set(victim_cases)
    on_behalf_cases = set().union(*victim_cases.values()) if victim_cases else set()

    # The candidates as a UNION of indexed lookups (this case's reports; the people's own, through the party's person
    # index; reports on their cases by someone on their behalf), in one subquery. An OR of the three across the join
    # made PostgreSQL scan every party: 90-140 ms at 100,000 cases (bench/intake.py), against about 1 ms.
    window = "r.received_at >= %s AND r.received_at <= %s"
    branches, params = [f"SELECT r.id FROM cases_report r WHERE r.case_id = %s AND {window}"], [case.pk, since, at]
    if people:
        branches.append(f"SELECT r.id FROM cases_report r JOIN cases_party p ON p.id = r.reporter_id "
                        f"WHERE p.person_id = ANY(%s) AND r.reporter_role = ANY(%s) AND {window}")
        params += [sorted(people), list(VICTIM_ROLES), since, at]
    if on_behalf_cases:
        branches.append(f"SELECT r.id FROM cases_report r WHERE r.case_id = ANY(%s) AND r.reporter_role = %s AND {window}")
        params += [sorted(on_behalf_cases), str(PartyRole.REPORTER), since, at]
    # The facts the rules read, as plain rows (no model instances to build for the usual answer, "not met").
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, r.case_id, r.received_at, r.incident_date, r.reporter_id, r.reporter_role, r.hate_motivated,"
            " p.person_id, ob.person_id FROM cases_report r LEFT JOIN cases_party p ON p.id = r.reporter_id"
            " LEFT JOIN cases_party ob ON ob.id = r.on_behalf_of_id"
            f" WHERE r.id IN ({' UNION '.join(branches)}) ORDER BY r.received_at, r.id",
            params,
        )
        reports = [row for row in map(_Complaint._make, cursor.fetchall()) if qualifies(row)]

    for rule in rules:
        start = window_start(at, rule.window_months)
        in_window = [r for r in reports if r.received_at >= start]
        met = _rule_met(rule, case, in_window, people, victim_cases)
        if met is not None:
            counted, person_id = met
            # The Report rows that met it, with their cases (one more query, only when the threshold is met).
            rows = Report.objects.filter(pk__in=[r.pk for r in counted]).select_related("case").order_by("received_at", "id")
            also = victim_cases.get(person_id, set()) & open_cases - {case.pk} if person_id else set()
            return ThresholdResult(met=True, rule=rule.describe(), reports=list(rows), rule_id=rule.pk, person_id=person_id,
                                   at=at, case_ids=(case.pk, *sorted(also)))
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


def _by_or_for(report: Report, person_id: int, victim_cases: dict[int, set[int]]) -> bool:
    """A complaint of this person's: made by them as a victim or complainant, or made for them by someone reporting
    on their behalf on a case where they are the victim (a witness statement is not their complaint)."""
    if report.reporter_person_id == person_id and report.reporter_role in VICTIM_ROLES:
        return True
    if report.reporter_role != PartyRole.REPORTER:
        return False
    if getattr(report, "on_behalf_person_id", None) is not None:  # whom it was for is recorded: theirs alone
        return report.on_behalf_person_id == person_id
    return report.case_id in victim_cases.get(person_id, ())  # not recorded (older reports): every victim on the case


def _rule_met(rule, case, reports, people, victim_cases) -> tuple[list[Report], int | None] | None:
    on_case = [r for r in reports if r.case_id == case.pk]
    if rule.kind == RuleKind.ONE_PERSON:
        for person_id in sorted(people):
            theirs = _distinct_incidents([r for r in reports if _by_or_for(r, person_id, victim_cases)])
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
        theirs = [r for r in reports if r.case_id == case.pk or any(_by_or_for(r, p, victim_cases) for p in people)]
        hate = [r for r in theirs if r.hate_motivated == "yes"]
        if len(hate) >= max(rule.min_reports, 1):
            return hate, None
        return None
    return None

