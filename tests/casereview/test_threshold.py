"""The ASB Case Review threshold, table-driven: casereview.threshold.threshold_for_case judged at a frozen instant on
reports seeded through intake (report_submit), so the people register links a person's reports across cases.

Each row is a scenario: the rules in force (this council's three by default), the reports (who, on which case, how
long before the judging instant, how long after the incident, in what part), and what must be found: met or not, the
rule met in words, and how many reports met it.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casereview.defaults import case_review_defaults_ensure
from casereview.intake import threshold_flag_record
from casereview.models import RuleKind, ThresholdFlag, ThresholdRule
from casereview.services.flags import threshold_flag_close
from casereview.threshold import qualifies, threshold_for_case, window_start
from cases.models import Channel, Party, PartyRole, Report
from cases.services import report_submit

from ..cases.factories import report_submission

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Judged at Monday 15 June 2026, noon in London (BST): six months back is 15 December 2025, in GMT.
AT = datetime(2026, 6, 15, 12, 0, tzinfo=LONDON)
SIX_MONTHS_BEFORE = AT - relativedelta(months=6)

PEOPLE = {
    "margaret": {"full_name": "Margaret Ellis", "email": "margaret@example.com", "phone": "07700 900123"},
    "arthur": {"full_name": "Arthur Pennington", "email": "arthur@example.com", "phone": "07700 900201"},
    "beryl": {"full_name": "Beryl Okonkwo", "email": "beryl@example.com", "phone": "07700 900202"},
    "cedric": {"full_name": "Cedric Lowe", "email": "cedric@example.com", "phone": "07700 900203"},
    "dora": {"full_name": "Dora Fairweather", "email": "dora@example.com", "phone": "07700 900204"},
    "edwin": {"full_name": "Edwin Marsh", "email": "edwin@example.com", "phone": "07700 900205"},
}
# Each case is a different problem at a different address.
CASES = {"A": ("14 Bell Street", "LE18 1AA"), "B": ("3 Moat Street", "LE18 2GE"), "C": ("9 Paddock Street", "LE18 2AQ")}


@dataclass(frozen=True)
class R:
    """One report: who made it (a key of PEOPLE, or None for anonymous), on which case, when (a timedelta before AT,
    or an exact datetime), how long after the incident it was made, in what part, and whether hate-motivated."""

    who: str | None
    case: str = "A"
    ago: timedelta | datetime = timedelta(days=10)
    after_incident: timedelta | relativedelta = timedelta(0)
    role: str = PartyRole.VICTIM
    hate: str = "no"
    on_behalf_of: str = ""
    same_incident_as_first: bool = False


DEFAULT = None  # this council's three rules (migration 0002)
THREE_ONE_PERSON = "3 separate incidents reported by one person within 6 months"
THREE_PEOPLE = "3 different people reporting the same problem within 6 months"
HATE = "any hate incident reported within 6 months"
FIVE_REPORTS = "5 reports about the same problem from more than one person within 6 months"
FIVE_PEOPLE = "5 different people reporting the same problem within 6 months"


def days(n):
    return timedelta(days=n)


@dataclass(frozen=True)
class Scenario:
    id: str
    reports: list
    met: bool
    rule: str | None = None
    counted: int = 0
    rules: list | None = DEFAULT  # [(kind, min_reports, window_months)] replacing the defaults
    judge: str = "A"


SCENARIOS = [
    # This council's first rule: three separate incidents reported by one person within six months.
    Scenario("one person, three incidents", [R("margaret", ago=days(150)), R("margaret", ago=days(90)), R("margaret", ago=days(10))],
             True, THREE_ONE_PERSON, 3),
    Scenario("one person, two incidents", [R("margaret", ago=days(90)), R("margaret", ago=days(10))], False),
    # The six-month window's edges: exactly six months before counts; a minute older does not.
    Scenario("a complaint exactly six months before counts",
             [R("margaret", ago=SIX_MONTHS_BEFORE), R("margaret", ago=days(90)), R("margaret", ago=days(10))], True, THREE_ONE_PERSON, 3),
    Scenario("a complaint six months and a minute before does not",
             [R("margaret", ago=SIX_MONTHS_BEFORE - timedelta(minutes=1)), R("margaret", ago=days(90)), R("margaret", ago=days(10))], False),
    # s.104(11): a complaint qualifies if made within one month of the incident.
    Scenario("a complaint made a month after the incident qualifies",
             [R("margaret", ago=days(120), after_incident=relativedelta(months=1)), R("margaret", ago=days(90)), R("margaret", ago=days(10))],
             True, THREE_ONE_PERSON, 3),
    Scenario("a complaint made a month and a day after the incident does not",
             [R("margaret", ago=days(120), after_incident=relativedelta(months=1, days=1)), R("margaret", ago=days(90)),
              R("margaret", ago=days(10))], False),
    Scenario("complaints made long after their incidents do not",
             [R("margaret", ago=days(120), after_incident=days(60)), R("margaret", ago=days(90), after_incident=days(45)),
              R("margaret", ago=days(10))], False),
    # The second rule: three different people reporting the same incident (one case).
    Scenario("the same incident reported by three people",
             [R("margaret", ago=days(5)), R("arthur", ago=days(5), role=PartyRole.WITNESS, same_incident_as_first=True),
              R("beryl", ago=days(4), role=PartyRole.COMPLAINANT, same_incident_as_first=True)], True, THREE_PEOPLE, 3),
    Scenario("the same incident reported by two people", [R("margaret", ago=days(5)), R("arthur", ago=days(5), same_incident_as_first=True)], False),
    Scenario("three anonymous reports are not three people", [R(None, ago=days(30)), R(None, ago=days(20)), R(None, ago=days(10))], False),
    Scenario("the same person reporting one incident three times is one incident",
             [R("margaret", ago=days(12)), R("margaret", ago=days(11), same_incident_as_first=True),
              R("margaret", ago=days(10), same_incident_as_first=True)], False),
    # The third rule: any hate incident.
    Scenario("a hate incident", [R("margaret", ago=days(20), hate="yes")], True, HATE, 1),
    Scenario("a report not sure whether hate-motivated is not a hate incident", [R("margaret", ago=days(20), hate="not_sure")], False),
    Scenario("a hate incident older than the window", [R("margaret", ago=days(200), hate="yes")], False),
    Scenario("her hate incident reported on another case counts for her",
             [R("margaret", case="A", ago=days(60)), R("margaret", case="B", ago=days(30), hate="yes")], True, HATE, 1),
    # Across cases through the register: one person's reports about different problems.
    Scenario("reports across two cases by one person",
             [R("margaret", case="A", ago=days(100)), R("margaret", case="B", ago=days(50)), R("margaret", case="B", ago=days(5))],
             True, THREE_ONE_PERSON, 3),
    Scenario("the same reports judged from her other case",
             [R("margaret", case="A", ago=days(100)), R("margaret", case="B", ago=days(50)), R("margaret", case="B", ago=days(5))],
             True, THREE_ONE_PERSON, 3, judge="B"),
    Scenario("reports by different people on different cases do not add up",
             [R("margaret", case="A", ago=days(100)), R("arthur", case="B", ago=days(50)), R("beryl", case="C", ago=days(5))], False),
    Scenario("statements she gave as a witness are not her complaints",
             [R("margaret", case="A", ago=days(50)), R("margaret", case="B", ago=days(40), role=PartyRole.WITNESS),
              R("margaret", case="C", ago=days(30), role=PartyRole.WITNESS)], False),
    Scenario("reports made on her behalf count as hers",
             [R("margaret", ago=days(60)), R("dora", ago=days(30), role=PartyRole.REPORTER, on_behalf_of="Margaret Ellis"),
              R("dora", ago=days(10), role=PartyRole.REPORTER, on_behalf_of="Margaret Ellis")], True, THREE_ONE_PERSON, 3),
    # A configured five-report rule replacing the defaults (South Wales: five reports from more than one person).
    Scenario("five reports from more than one person", [R("margaret", ago=days(d)) for d in (90, 70, 50)]
             + [R("arthur", ago=days(d)) for d in (30, 10)], True, FIVE_REPORTS, 5, rules=[(RuleKind.SEVERAL_REPORTS, 5, 6)]),
    Scenario("four reports from two people", [R("margaret", ago=days(d)) for d in (90, 70)] + [R("arthur", ago=days(d)) for d in (30, 10)],
             False, rules=[(RuleKind.SEVERAL_REPORTS, 5, 6)]),
    Scenario("five reports from one person are not from more than one", [R("margaret", ago=days(d)) for d in (90, 70, 50, 30, 10)],
             False, rules=[(RuleKind.SEVERAL_REPORTS, 5, 6)]),
    # Bath and North East Somerset: five people reporting the same problem.
    Scenario("five people reporting the same problem",
             [R(who, ago=days(n + 1)) for n, who in enumerate(["margaret", "arthur", "beryl", "cedric", "edwin"])],
             True, FIVE_PEOPLE, 5, rules=[(RuleKind.DIFFERENT_PEOPLE, 5, 6)]),
    Scenario("three people under a five-people rule", [R(who, ago=days(n + 1)) for n, who in enumerate(["margaret", "arthur", "beryl"])],
             False, rules=[(RuleKind.DIFFERENT_PEOPLE, 5, 6)]),
    Scenario("three incidents under a five-incident rule", [R("margaret", ago=days(d)) for d in (90, 50, 10)], False,
             rules=[(RuleKind.ONE_PERSON, 5, 6)]),
    # Oxford: one hate incident in three months.
    Scenario("a hate incident four months ago under a three-month rule", [R("margaret", ago=days(120), hate="yes")], False,
             rules=[(RuleKind.HATE, 1, 3)]),
    Scenario("a hate incident two months ago under a three-month rule", [R("margaret", ago=days(60), hate="yes")], True,
             "any hate incident reported within 3 months", 1, rules=[(RuleKind.HATE, 1, 3)]),
]


def _incident(received_at, after):
    return (received_at.astimezone(LONDON) - after).date()


def seed(reports: list[R]) -> dict:
    """Submit every report through intake at its own instant (the clock frozen at AT); the cases by key."""
    cases, first_incident = {}, {}
    for spec in reports:
        received_at = spec.ago if isinstance(spec.ago, datetime) else AT - spec.ago
        address, postcode = CASES[spec.case]
        incident = first_incident[spec.case] if spec.same_incident_as_first else _incident(received_at, spec.after_incident)
        first_incident.setdefault(spec.case, incident)
        person = PEOPLE[spec.who] if spec.who else {}
        data = report_submission(
            address=address, postcode=postcode, incident_date=incident, reporter_role=spec.role, hate_motivated=spec.hate,
            on_behalf_of=spec.on_behalf_of, is_anonymous=spec.who is None,
            full_name=person.get("full_name", ""), email=person.get("email", ""), phone=person.get("phone", ""),
            preferred_contact_method="email" if spec.who else "",
        )
        report = report_submit(data=data, channel=Channel.ONLINE, submission_key=uuid.uuid4(), received_at=received_at,
                               existing_case=cases.get(spec.case))
        cases.setdefault(spec.case, report.case)
    return cases


def rules_replace(rules) -> None:
    ThresholdRule.objects.update(is_active=False)
    for order, (kind, min_reports, months) in enumerate(rules):
        ThresholdRule.objects.create(kind=kind, min_reports=min_reports, window_months=months, display_order=order)


@pytest.fixture(autouse=True)
def _frozen():
    case_review_defaults_ensure()
    with time_machine.travel(AT, tick=False):
        yield


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_threshold(scenario):
    if scenario.rules is not None:
        rules_replace(scenario.rules)
    cases = seed(scenario.reports)
    result = threshold_for_case(cases[scenario.judge], at=AT)
    assert result.met is scenario.met, result
    assert result.rule == scenario.rule
    assert len(result.reports) == scenario.counted
    assert result.at == AT
    if scenario.met:
        assert ThresholdRule.objects.get(pk=result.rule_id).describe() == scenario.rule
        assert all(qualifies(r) and window_start(AT, 12) <= r.received_at <= AT for r in result.reports)
        assert [r.received_at for r in result.reports] == sorted(r.received_at for r in result.reports)


def test_the_defaults_are_this_councils_three_rules():
    assert [r.describe() for r in ThresholdRule.objects.filter(is_active=True)] == [THREE_ONE_PERSON, THREE_PEOPLE, HATE]


def test_a_one_person_rule_names_the_person_whose_reports_met_it():
    cases = seed([R("margaret", case="A", ago=days(100)), R("margaret", case="B", ago=days(50)), R("margaret", case="A", ago=days(5))])
    result = threshold_for_case(cases["A"], at=AT)
    margaret = Party.objects.filter(case=cases["A"], role=PartyRole.VICTIM).get().person_id
    assert result.person_id == margaret and {r.case_id for r in result.reports} == {cases["A"].pk, cases["B"].pk}


def test_inactive_rules_are_ignored():
    cases = seed([R("margaret", ago=days(20), hate="yes")])
    assert threshold_for_case(cases["A"], at=AT).met
    ThresholdRule.objects.filter(kind=RuleKind.HATE).update(is_active=False)
    assert not threshold_for_case(cases["A"], at=AT).met
    ThresholdRule.objects.update(is_active=False)
    assert threshold_for_case(cases["A"], at=AT).met is False


def test_judged_later_the_oldest_report_leaves_the_window():
    cases = seed([R("margaret", ago=days(150)), R("margaret", ago=days(90)), R("margaret", ago=days(10))])
    assert threshold_for_case(cases["A"], at=AT + days(30)).met
    assert not threshold_for_case(cases["A"], at=AT + days(40)).met
    # A report made after the judging instant does not count either.
    assert not threshold_for_case(cases["A"], at=AT - days(20)).met


def test_without_at_it_is_judged_now():
    cases = seed([R("margaret", ago=days(150)), R("margaret", ago=days(90)), R("margaret", ago=days(10))])
    result = threshold_for_case(cases["A"])
    assert result.met and result.at == AT


def _queries(case) -> tuple[int, bool]:
    with CaptureQueriesContext(connection) as captured:
        result = threshold_for_case(case, at=AT)
    return len(captured), result.met


def test_a_fixed_number_of_queries_whatever_the_history():
    """Three when not met (the rules, the victims' cases, the candidate facts); four when met (and the reports)."""
    below = seed([R("margaret", case="A", ago=days(d)) for d in (150, 90)])["A"]
    assert _queries(below) == (3, False)
    # Much more data about other people and other problems: still three.
    seed([R("arthur", case="B", ago=days(d)) for d in range(5, 170, 6)] + [R("beryl", case="C", ago=days(d)) for d in range(4, 170, 9)])
    assert _queries(below) == (3, False)
    # Met by three reports, or by thirty across two cases: four.
    met = seed([R("cedric", case="A", ago=days(d)) for d in (100, 60, 20)])["A"]
    assert _queries(met) == (4, True)
    seed([R("cedric", case="B", ago=days(d)) for d in range(3, 170, 6)])
    assert _queries(met) == (4, True) and len(threshold_for_case(met, at=AT).reports) > 20


# --- the flag intake stores when the threshold is met ---------------------------------------------------------------

def test_the_report_that_meets_the_threshold_flags_the_case_once():
    cases = seed([R("margaret", ago=days(90)), R("margaret", ago=days(50))])
    assert not ThresholdFlag.objects.exists()
    seed_more = [R("margaret", ago=days(10))]
    for spec in seed_more:
        report_submit(data=report_submission(address="14 Bell Street", postcode="LE18 1AA", incident_date=(AT - spec.ago).date(),
                                             **PEOPLE["margaret"]),
                      channel=Channel.ONLINE, submission_key=uuid.uuid4(), received_at=AT - spec.ago, existing_case=cases["A"])
    flag = ThresholdFlag.objects.get()
    assert (flag.case, flag.rule_text, len(flag.report_ids), flag.closed_at) == (cases["A"], THREE_ONE_PERSON, 3, None)
    assert flag.person_id == Party.objects.filter(case=cases["A"], role=PartyRole.VICTIM).first().person_id
    # A fourth report, and judging again, keep the one open flag.
    report_submit(data=report_submission(address="14 Bell Street", postcode="LE18 1AA", incident_date=(AT - days(2)).date(),
                                         **PEOPLE["margaret"]),
                  channel=Channel.ONLINE, submission_key=uuid.uuid4(), received_at=AT - days(2), existing_case=cases["A"])
    assert threshold_flag_record(case=cases["A"], at=AT) == flag
    assert ThresholdFlag.objects.count() == 1


def test_a_closed_flag_is_raised_again_by_the_next_report_that_meets_the_threshold():
    cases = seed([R("margaret", ago=days(d)) for d in (90, 50, 10)])
    flag = ThresholdFlag.objects.get()
    threshold_flag_close(flag=flag, actor=None, note="Explained by phone; she does not want a review")
    assert threshold_flag_record(case=cases["A"], at=AT).pk != flag.pk
    assert ThresholdFlag.objects.filter(closed_at__isnull=True).count() == 1


def test_a_report_below_the_threshold_flags_nothing():
    cases = seed([R("margaret", ago=days(d)) for d in (90, 10)])
    assert threshold_flag_record(case=cases["A"], at=AT) is None
    assert not ThresholdFlag.objects.exists()
    assert Report.objects.count() == 2


def test_the_window_is_counted_on_londons_clock_whatever_zone_at_is_in():
    # Noon in June (BST, 11:00 UTC): six months back is noon in December (GMT, 12:00 UTC), not 11:00.
    utc = AT.astimezone(ZoneInfo("UTC"))
    assert window_start(utc, 6) == window_start(AT, 6) == datetime(2025, 12, 15, 12, 0, tzinfo=LONDON)
    cases = seed([R("margaret", ago=SIX_MONTHS_BEFORE), R("margaret", ago=days(90)), R("margaret", ago=days(10))])
    assert threshold_for_case(cases["A"], at=utc).met
    assert not threshold_for_case(cases["A"], at=utc + timedelta(minutes=1)).met
