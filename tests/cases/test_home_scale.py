"""The officer home at county scale (issue 16): a fixed number of queries whatever the caseload, and the same rows,
counts and tasks as the rules say, worked out here in Python from the data each test makes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import CaseStatus, ContactPrompt, Deadline, DeadlineKind, Person, RiskLevel
from cases.selectors import HOME_CASES, HOME_TASKS, TASK_HORIZON, officer_home

from .factories import CaseFactory, PartyFactory, UserFactory
from .test_query_counts import MAX_QUERIES, worked_case

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/London"))  # after the factories' incident date
UNASSIGNED_SHOWN = 20


def deadline(case, party, *, due_in, kind=DeadlineKind.FIRST_CONTACT, **state):
    return Deadline.objects.create(kind=kind, case=case, party=party, starts_at=NOW - timedelta(days=3),
                                   due_at=NOW + due_in, **state)


def light_case(officer, i, *, status=CaseStatus.OPEN, risk=RiskLevel.STANDARD, due_in=None, prefers="email", person=None):
    """A case with one victim and, when `due_in` is given, an open first-contact deadline to them."""
    case = CaseFactory(officer=officer, status=status, risk_level=risk, received_at=NOW - timedelta(days=40, hours=i))
    victim = PartyFactory(case=case, preferred_contact_method=prefers, person=person)
    if due_in is not None:
        deadline(case, victim, due_in=due_in)
    return case


def page_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/staff/")
    assert response.status_code == 200
    return len(captured)


@time_machine.travel(NOW, tick=False)
def test_the_home_makes_the_same_queries_for_one_case_and_sixty(client, officer_user):
    worked_case(1, officer_user)  # victims on the register, an action under review, a referral: every section drawn
    client.force_login(officer_user)
    client.get("/staff/")  # warm the session and role caches
    with CaptureQueriesContext(connection) as captured:
        officer_home(officer_user)
    small_selector, small_page = len(captured), page_queries(client)

    for i in range(59):  # victims on the register too, so the rows shown read their flags as before
        light_case(officer_user, i, risk=RiskLevel.HIGH if i % 3 == 0 else RiskLevel.STANDARD,
                   due_in=timedelta(hours=i - 20) if i % 4 else None, prefers="phone" if i % 2 else "email",
                   person=Person.objects.create(full_name=f"Victim {i}"))
    for i in range(30):
        light_case(None, 100 + i, status=CaseStatus.NEW, due_in=timedelta(days=1))
    with CaptureQueriesContext(connection) as captured:
        home = officer_home(officer_user)
    assert home.counts["open"] == 60 and len(home.my_cases) == HOME_CASES and home.tasks  # the large caseload is drawn
    assert (len(captured), page_queries(client)) == (small_selector, small_page)
    assert small_page <= MAX_QUERIES, small_page


@time_machine.travel(NOW, tick=False)
def test_the_most_urgent_cases_counts_and_tasks_are_the_rules(officer_user):
    other = UserFactory(username="other-officer")
    mine, phone_parties = [], []
    for i in range(32):
        case = CaseFactory(officer=officer_user, status=[CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.MONITORING][i % 3],
                           risk_level=RiskLevel.HIGH if i % 4 == 0 else RiskLevel.MEDIUM,
                           received_at=NOW - timedelta(days=60) + timedelta(hours=i % 7))  # received_at ties too
        victim = PartyFactory(case=case, preferred_contact_method="phone" if i % 2 else "email")
        if i % 2:
            phone_parties.append(victim)
        if i % 5:  # every fifth case owes nothing: those come last, oldest first
            deadline(case, victim, due_in=timedelta(hours=7 * (i - 12)))
        if i % 3 == 0:  # a second person: an open update, plus ones met or cancelled, which count for nothing
            second = PartyFactory(case=case, role="witness", preferred_contact_method="letter", address="2 Bell Street")
            deadline(case, second, kind=DeadlineKind.VICTIM_UPDATE, due_in=timedelta(days=i - 20))
            deadline(case, victim, kind=DeadlineKind.VICTIM_UPDATE, due_in=timedelta(days=-30), met_at=NOW)
            third = PartyFactory(case=case)  # whose only deadline was cancelled
            deadline(case, third, due_in=timedelta(days=-40), cancelled_at=NOW - timedelta(days=41))
        mine.append(case)
    ContactPrompt.objects.create(case=mine[1], party=phone_parties[0], topic="case_review", created_at=NOW,
                                 guidance="Explain the ASB Case Review", question="Explained?")
    # Not mine, or not open: never on my home, whatever they owe.
    for officer, status in ((officer_user, CaseStatus.CLOSED), (other, CaseStatus.OPEN)):
        for i in range(3):
            light_case(officer, 50 + i, status=status, risk=RiskLevel.HIGH, due_in=timedelta(days=-5), prefers="phone")
    # Waiting for an officer: new ones are listed oldest first; open ones are counted only; closed ones not at all.
    waiting = [light_case(None, 200 + i, status=CaseStatus.NEW, due_in=timedelta(days=i - 10)) for i in range(24)]
    for status in (CaseStatus.OPEN, CaseStatus.OPEN, CaseStatus.CLOSED):
        light_case(None, 300, status=status)

    home = officer_home(officer_user)

    def open_deadlines(case):
        return sorted((d for d in Deadline.objects.filter(case=case) if d.met_at is None and d.cancelled_at is None),
                      key=lambda d: d.due_at)

    def next_due(case):
        found = open_deadlines(case)
        return (0, found[0].due_at, case.received_at, case.pk) if found else (1, NOW, case.received_at, case.pk)

    urgent = sorted(mine, key=next_due)[:HOME_CASES]
    assert [row["case"].pk for row in home.my_cases] == [c.pk for c in urgent]
    for row, case in zip(home.my_cases, urgent, strict=True):
        owed = open_deadlines(case)
        assert (row["next"].deadline.pk if row["next"] else None) == (owed[0].pk if owed else None)
        assert [d.deadline.pk for d in row["overdue"]] == [d.pk for d in owed if d.due_at < NOW]
    assert home.my_cases[[c.pk for c in urgent].index(mine[1].pk)]["next"].guidance == ["Explain the ASB Case Review"]

    assert home.counts == {
        "open": len(mine),
        "high_risk": sum(c.risk_level == RiskLevel.HIGH for c in mine),
        "overdue": sum(any(d.due_at < NOW for d in open_deadlines(c)) for c in mine),
        "unassigned": len(waiting) + 2,
    }
    assert [row["case"].pk for row in home.unassigned] == [c.pk for c in sorted(waiting, key=lambda c: c.received_at)][:UNASSIGNED_SHOWN]
    assert all(row["next"].deadline.case_id == row["case"].pk for row in home.unassigned)

    # Tasks: my open cases' deadlines due within two days (or overdue) to people no message reaches, soonest first.
    due_soon = sorted((d for c in mine for d in open_deadlines(c)
                       if d.due_at <= NOW + TASK_HORIZON and d.party.preferred_contact_method in ("phone", "letter")),
                      key=lambda d: d.due_at)
    assert len(due_soon) > 3
    assert [t.deadline.pk for t in home.tasks] == [d.pk for d in due_soon][:HOME_TASKS]
    prompted = next(t for t in home.tasks if t.deadline.party_id == phone_parties[0].pk)
    assert prompted.guidance == ["Explain the ASB Case Review"]
    assert timezone.now() == NOW


def test_an_officer_with_no_cases_sees_zero_counts(officer_user):
    light_case(None, 1, status=CaseStatus.NEW, due_in=timedelta(days=1))
    home = officer_home(officer_user)
    assert home.my_cases == [] and home.tasks == []
    assert home.counts == {"open": 0, "high_risk": 0, "overdue": 0, "unassigned": 1}
    assert len(home.unassigned) == 1
