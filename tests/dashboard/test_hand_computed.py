"""Dashboard figures checked against a hand-computed history (issue 9): deadlines missed before a case closed,
the update interval across the October clock change, and the open-case age bands."""

import csv
import importlib
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from cases import sla
from cases.models import Case, Deadline, DeadlineKind, PartyRole
from cases.services import case_assign, case_close, case_merge, case_status_change, contact_record
from dashboard import selectors
from dashboard.exports import export_rows
from dashboard.selectors import Filters, period_from

from ..cases.factories import CaseFactory, report_submission, submit_report

pytestmark = pytest.mark.django_db


def london(*args):
    return datetime(*args, tzinfo=sla.LONDON)


TODAY = date(2026, 12, 15)
OCTOBER = period_from("custom", today=TODAY, start=date(2026, 10, 1), end=date(2026, 10, 31))
NOVEMBER = period_from("custom", today=TODAY, start=date(2026, 11, 1), end=date(2026, 11, 30))


@pytest.fixture(autouse=True)
def _december():
    with time_machine.travel(london(2026, 12, 15, 12, 0), tick=False):
        yield


def report(at, n, **overrides):
    values = {"phone": f"07700 900{n:03d}", "email": f"person{n}@example.com", "incident_date": at.date(), **overrides}
    r = submit_report(report_submission(**values), received_at=at)
    return r.case, r.reporter


def call(case, party, actor, at, **kw):
    return contact_record(case=case, party=party, method="phone", direction="out", successful=True, summary="x",
                          occurred_at=at, gave_update=True, actor=actor, **kw)


def share(s):
    return (s.met, s.total)


@pytest.fixture
def october(officer_user):
    """Eight first-contact deadlines fall due in October 2026; five are met on time.

    - five reports on Monday 5 October (due Thursday 8th), each contacted on the 6th: met;
    - a witness's report on Monday 12 October (due Thursday 15th), never contacted; the case is closed on the
      20th: missed before closing, so it counts as missed (the issue's example);
    - a report on Monday 19 October (due Thursday 22nd), contacted on the 23rd: met late, missed;
    - a report on Monday 26 October (due Thursday 29th), never contacted and still open: missed;
    - a witness's report on Tuesday 13 October (due Friday 16th), closed on the 14th before it fell due: not counted.
    """
    for n in range(5):
        case, reporter = report(london(2026, 10, 5, 9), n)
        call(case, reporter, officer_user, london(2026, 10, 6, 10))
    closed_late, _ = report(london(2026, 10, 12, 9), 10, reporter_role=PartyRole.WITNESS)
    case_assign(case=closed_late, officer=officer_user, actor=officer_user)
    closed_late.refresh_from_db()
    with time_machine.travel(london(2026, 10, 20, 15), tick=False):
        case_close(case=closed_late, reason="no_further_action", actor=officer_user)
    late, reporter = report(london(2026, 10, 19, 9), 11)
    call(late, reporter, officer_user, london(2026, 10, 23, 10))
    report(london(2026, 10, 26, 9), 12)
    closed_early, _ = report(london(2026, 10, 13, 9), 13, reporter_role=PartyRole.WITNESS)
    with time_machine.travel(london(2026, 10, 14, 15), tick=False):
        case_close(case=closed_early, reason="withdrawn", actor=officer_user)
    return {"closed_late": closed_late, "closed_early": closed_early}


def test_a_first_contact_missed_before_the_case_closed_counts_as_missed(october, viewer):
    assert share(selectors.figures(OCTOBER, Filters(viewer=viewer)).first_contact) == (5, 8)  # not 5 of 7


def test_closing_marks_overdue_deadlines_breached_and_cancels_the_rest(october):
    missed = Deadline.objects.get(case=october["closed_late"])
    assert missed.cancelled_at == london(2026, 10, 20, 15) and missed.breached
    early = Deadline.objects.get(case=october["closed_early"])
    assert early.cancelled_at == london(2026, 10, 14, 15) and not early.breached
    assert set(Deadline.objects.counted().values_list("case", flat=True)) >= {october["closed_late"].pk}
    assert not Deadline.objects.counted().filter(case=october["closed_early"]).exists()


def test_trends_officer_and_channel_filters_and_exports_count_it_too(october, officer_user, viewer):
    by_month = {r["month"]: r for r in selectors.trends(Filters(viewer=viewer), today=TODAY)}
    assert share(by_month[date(2026, 10, 1)]["first_contact"]) == (5, 8)
    assert share(selectors.figures(OCTOBER, Filters(viewer=viewer, officer=officer_user.pk)).first_contact) == (0, 1)
    assert share(selectors.figures(OCTOBER, Filters(viewer=viewer, channel="online")).first_contact) == (5, 8)
    assert share(selectors.trends(Filters(viewer=viewer, officer=officer_user.pk), today=TODAY)[-3]["first_contact"]) == (0, 1)
    rows = list(csv.reader(export_rows("first-contact", OCTOBER, Filters(viewer=viewer))))
    assert rows[0] == ["reference", "person", "due_at", "met_at", "late_or_missed"]
    assert len(rows) == 1 + 8
    assert sum(r[4] == "True" for r in rows[1:]) == 3
    assert october["closed_late"].reference in {r[0] for r in rows}
    assert october["closed_early"].reference not in {r[0] for r in rows}


def test_reopening_after_a_missed_first_contact_does_not_count_it_twice(october, officer_user, viewer):
    case = Case.objects.get(pk=october["closed_late"].pk)
    with time_machine.travel(london(2026, 11, 1, 10), tick=False):  # a Sunday
        case_status_change(case=case, to_status="open", reason="It started again", actor=officer_user)
    assert share(selectors.figures(OCTOBER, Filters(viewer=viewer)).first_contact) == (5, 8)
    fresh = Deadline.objects.open().get(case=case, kind=DeadlineKind.FIRST_CONTACT)
    # Owed first contact again, from the reopening: the 3rd working day after Sunday 1 November.
    assert fresh.starts_at == london(2026, 11, 1, 10) and fresh.due_at == london(2026, 11, 4, 23, 59, 59)
    assert share(selectors.figures(NOVEMBER, Filters(viewer=viewer)).first_contact) == (0, 1)


def test_merging_keeps_a_missed_deadline_counted_once(officer_user, viewer):
    missed, _ = report(london(2026, 10, 12, 9), 1)  # due 15 October, never met
    into, _ = report(london(2026, 10, 13, 9), 2)  # due 16 October, never met
    with time_machine.travel(london(2026, 10, 20, 15), tick=False):
        case_merge(duplicate=missed, into=into, actor=officer_user)
    assert Deadline.objects.filter(case=into, cancelled_at__isnull=True).count() == 2
    assert share(selectors.figures(OCTOBER, Filters(viewer=viewer)).first_contact) == (0, 2)


# --- the update interval, stored on the deadline --------------------------------------------------------

def test_a_seven_day_update_spanning_the_october_clock_change_is_filed_as_high_risk(officer_user, viewer):
    # Clocks go back at 02:00 on Sunday 25 October 2026. An update due 7 days after 00:30 on Monday 19 October is due
    # 23:59:59 on Monday 26 October: 8 days and 29 minutes later by the clock, yet a 7-day (high-risk) deadline.
    case, victim = report(london(2026, 10, 18, 20), 1)
    Case.objects.filter(pk=case.pk).update(risk_level="high")
    case.refresh_from_db()
    call(case, victim, officer_user, london(2026, 10, 19, 0, 30))
    deadline = Deadline.objects.get(case=case, kind=DeadlineKind.VICTIM_UPDATE)
    assert deadline.due_at == london(2026, 10, 26, 23, 59, 59) and deadline.due_at - deadline.starts_at > timedelta(days=8)
    assert deadline.interval_days == 7
    f = selectors.figures(OCTOBER, Filters(viewer=viewer))
    assert share(f.updates_high) == (0, 1) and share(f.updates_standard) == (0, 0)
    rows = list(csv.reader(export_rows("updates", OCTOBER, Filters(viewer=viewer))))
    assert rows[0][-1] == "interval_days" and rows[1][-1] == "7"


def test_a_change_of_risk_stores_the_new_interval(officer_user):
    from cases.services import risk_assess, risk_question_set_active

    case, victim = report(london(2026, 11, 2, 9), 1)
    call(case, victim, officer_user, london(2026, 11, 3, 10))
    assert Deadline.objects.get(kind=DeadlineKind.VICTIM_UPDATE).interval_days == 14
    questions = risk_question_set_active().questions.all()
    case.refresh_from_db()
    risk_assess(case=case, answers={q.pk: q.forces_high for q in questions}, actor=officer_user)
    deadline = Deadline.objects.get(kind=DeadlineKind.VICTIM_UPDATE)
    assert (deadline.interval_days, deadline.due_at) == (7, london(2026, 11, 10, 23, 59, 59))


def test_the_backfill_counts_london_dates_and_marks_missed_cancelled_deadlines_breached(officer_user):
    migration = importlib.import_module("cases.migrations.0012_deadline_risk_interval")
    case, victim = report(london(2026, 10, 18, 20), 1)
    Case.objects.filter(pk=case.pk).update(risk_level="high")
    case.refresh_from_db()
    call(case, victim, officer_user, london(2026, 10, 19, 0, 30))
    other, _ = report(london(2026, 10, 12, 9), 2, reporter_role=PartyRole.WITNESS)
    Deadline.objects.update(interval_days=None)
    Deadline.objects.filter(case=other).update(cancelled_at=london(2026, 10, 20, 15))  # closed before this fix
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL_INTERVAL)
        cursor.execute(migration.BACKFILL_BREACHED)
    assert Deadline.objects.get(kind=DeadlineKind.VICTIM_UPDATE).interval_days == 7
    assert Deadline.objects.get(kind=DeadlineKind.FIRST_CONTACT, case=case).interval_days is None
    assert Deadline.objects.get(case=other).breached


# --- open cases by age --------------------------------------------------------------------------------

def test_age_bands_include_both_ends_of_each_label(viewer):
    now = timezone.now()
    for days in (0, 30, 31, 90, 91, 180, 181):
        CaseFactory(received_at=now - timedelta(days=days))
    ages = selectors.figures(NOVEMBER, Filters(viewer=viewer), now=now).open_by_age
    assert ages == {"0–30 days": 2, "31–90 days": 2, "91–180 days": 2, "Over 180 days": 1}
