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

Diary entries: where a rule says so (ThresholdRule.counts_diary_entries; some councils count only reports made to
the council), an entry in a victim's or complainant's online incident diary counts as a complaint of theirs like a
report: the date it happened is the incident date, the time it was received is when the complaint was made, and the
same one-month and window rules apply. A diary kept by someone reporting on a victim's behalf counts for that victim,
as their reports do. A correction is not another complaint (the entry it corrects counts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.utils import timezone

from cases import sla
from cases.models import OPEN_STATUSES, Case, DiaryEntry, PartyRole, Report

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
    # The qualifying complaints that met it (received_at, incident_date and case on each), oldest first: Report rows,
    # and a DiaryComplaint for each diary entry a rule counted (`is_diary_entry` tells them apart).
    reports: list = field(default_factory=list)
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


@dataclass(frozen=True)
class DiaryComplaint:
    """A diary entry counted as a complaint, read like a Report by the callers (the decision page's table, the flag's
    list of qualifying complaints: `pk` is "diary:<id>", so it never collides with a report's id)."""

    entry: DiaryEntry
    pk: str
    case: Case
    case_id: int
    received_at: datetime
    incident_date: date
    is_diary_entry: bool = True


class _Complaint(NamedTuple):
    """A candidate report (or diary entry: `diary_id` set, `pk` None) as the rules read it."""

    pk: int | None
    case_id: int
    received_at: datetime
    incident_date: date | None
    reporter_id: int | None
    reporter_role: str
    hate_motivated: str
    reporter_person_id: int | None
    # Reporting on someone's behalf: the register record of the victim it is for (None when not recorded).
    on_behalf_person_id: int | None
    diary_id: object = None  # the DiaryEntry's id (a UUID) when the complaint is a diary entry


def _incident_key(report: Report) -> tuple:
    # The same person reporting the same incident twice (same case, same incident date) is one incident.
    return (report.case_id, report.incident_date) if report.incident_date else ("report", report.pk)


def threshold_for_case(case: Case, *, at: datetime | None = None) -> ThresholdResult:
    """Whether any active threshold rule is met for `case`'s victims and complainants at `at` (default now).

    A fixed number of queries whatever the data: the rules, the case's victims with the cases where they are
    victims, and the candidate reports and diary entries (three); and the reports that met it, when it is met (four;
    five when diary entries are among them).
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
    sql = ("SELECT r.id, r.case_id, r.received_at, r.incident_date, r.reporter_id, r.reporter_role, r.hate_motivated,"
           " p.person_id, ob.person_id, NULL::uuid FROM cases_report r LEFT JOIN cases_party p ON p.id = r.reporter_id"
           " LEFT JOIN cases_party ob ON ob.id = r.on_behalf_of_id"
           f" WHERE r.id IN ({' UNION '.join(branches)})")
    if any(r.counts_diary_entries for r in rules):
        # Diary entries by the case's victims and complainants, in the same statement (the query count stays fixed):
        # this case's, and the people's own on their other cases, as indexed lookups again.
        dwindow = "d.received_at >= %s AND d.received_at <= %s"
        diary, diary_params = [f"SELECT d.id FROM cases_diaryentry d WHERE d.case_id = %s AND {dwindow}"], [case.pk, since, at]
        if people:
            diary.append(f"SELECT d.id FROM cases_diaryentry d JOIN cases_party p ON p.id = d.party_id "
                         f"WHERE p.person_id = ANY(%s) AND {dwindow}")
            diary_params += [sorted(people), since, at]
        if on_behalf_cases:
            # A diary kept by someone reporting on a victim's behalf, on the victims' cases (as their reports are).
            diary.append(f"SELECT d.id FROM cases_diaryentry d JOIN cases_party p ON p.id = d.party_id "
                         f"WHERE d.case_id = ANY(%s) AND p.role = %s AND {dwindow}")
            diary_params += [sorted(on_behalf_cases), str(PartyRole.REPORTER), since, at]
        # Whom a reporter's diary is for: the victim their report on the case was made for (ob), read like a report's.
        sql += (" UNION ALL SELECT NULL, d.case_id, d.received_at, (d.happened_at AT TIME ZONE %s)::date, d.party_id,"
                " p.role, 'no', p.person_id, ob.person_id, d.id FROM cases_diaryentry d JOIN cases_party p ON p.id = d.party_id"
                " LEFT JOIN LATERAL (SELECT obp.person_id FROM cases_report r2 JOIN cases_party obp ON obp.id = r2.on_behalf_of_id"
                " WHERE r2.reporter_id = d.party_id ORDER BY r2.received_at DESC, r2.id DESC LIMIT 1) ob ON true"
                f" WHERE d.id IN ({' UNION '.join(diary)}) AND p.role = ANY(%s) AND d.corrects_id IS NULL")
        params += [str(sla.LONDON), *diary_params, [*VICTIM_ROLES, str(PartyRole.REPORTER)]]
    # The facts the rules read, as plain rows (no model instances to build for the usual answer, "not met").
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY 3, 1, 10", params)
        reports = [row for row in map(_Complaint._make, cursor.fetchall()) if qualifies(row)]

    for rule in rules:
        start = window_start(at, rule.window_months)
        in_window = [r for r in reports if r.received_at >= start and (r.diary_id is None or rule.counts_diary_entries)]
        met = _rule_met(rule, case, in_window, people, victim_cases)
        if met is not None:
            counted, person_id = met
            also = victim_cases.get(person_id, set()) & open_cases - {case.pk} if person_id else set()
            return ThresholdResult(met=True, rule=rule.describe(), reports=_counted_rows(counted), rule_id=rule.pk,
                                   person_id=person_id, at=at, case_ids=(case.pk, *sorted(also)))
    return ThresholdResult(met=False, at=at)


def _counted_rows(counted: list[_Complaint]) -> list:
    """The Report rows (and DiaryComplaints) that met a rule, with their cases, oldest first: one query, and one more
    when diary entries are among them (only when the threshold is met)."""
    report_ids = [r.pk for r in counted if r.diary_id is None]
    rows = list(Report.objects.filter(pk__in=report_ids).select_related("case")) if report_ids else []
    diary_ids = [r.diary_id for r in counted if r.diary_id is not None]
    if diary_ids:
        for entry in DiaryEntry.objects.filter(pk__in=diary_ids).select_related("case"):
            rows.append(DiaryComplaint(entry=entry, pk=f"diary:{entry.pk}", case=entry.case, case_id=entry.case_id,
                                       received_at=entry.received_at,
                                       incident_date=entry.happened_at.astimezone(sla.LONDON).date()))
    return sorted(rows, key=lambda r: (r.received_at, str(r.pk)))


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



def diary_entry_taken(*, entry) -> None:
    """cases.hooks callback (apps.py): a diary entry just saved may meet the threshold, as a report may; when it does
    and the case has no open flag, the flag is stored (casereview.intake). Fixed queries, like the report callback."""
    from .intake import threshold_flag_record  # intake imports this module

    if entry.party_id is not None:  # an anonymous reporter's diary is nobody's complaint under the rules
        threshold_flag_record(case=entry.case, at=entry.received_at)
