"""The stored deadlines and the sweep, against real Postgres (DESIGN.md, "The SLA rules")."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection

from cases import sla
from cases.models import AlertStage, ClosureDay, Deadline, DeadlineAlert, DeadlineKind, PartyRole, RiskLevel
from cases.services import (
    case_assign,
    case_close,
    case_status_change,
    contact_record,
    party_add,
    risk_assess,
    risk_question_set_active,
)
from cases.services.sweep import deadlines_sweep
from notifications.models import Message

from .factories import UserFactory, report_submission, submit_report

pytestmark = pytest.mark.django_db


def london(*args):
    from datetime import datetime

    return datetime(*args, tzinfo=sla.LONDON)


MONDAY_9AM = london(2026, 11, 23, 9, 0)


@pytest.fixture(autouse=True)
def _december():
    # The stories below happen in late November 2026; "now" is mid-December, after all of them.
    with time_machine.travel(london(2026, 12, 15, 12, 0), tick=True):
        yield


def reported(at=MONDAY_9AM, **overrides):
    report = submit_report(report_submission(incident_date=at.date(), **overrides), received_at=at)
    return report.case, report.reporter


def call(case, party, actor, at, *, update=True, successful=True, final=False):
    return contact_record(case=case, party=party, method="phone", direction="out", successful=successful, summary="Spoke",
                          occurred_at=at, gave_update=update, final_update=final, actor=actor)


def open_deadlines(case, kind=None):
    qs = Deadline.objects.open().filter(case=case)
    return list(qs.filter(kind=kind) if kind else qs)


# --- opening and meeting -------------------------------------------------------------------

def test_a_named_report_opens_a_first_contact_deadline_at_the_end_of_the_third_working_day():
    case, reporter = reported()
    (deadline,) = open_deadlines(case)
    assert deadline.kind == DeadlineKind.FIRST_CONTACT and deadline.party == reporter
    assert deadline.due_at == london(2026, 11, 26, 23, 59, 59)


def test_an_anonymous_report_has_no_first_contact_deadline():
    case, _ = reported(is_anonymous=True, full_name="", email="", phone="", preferred_contact_method="")
    assert open_deadlines(case) == []


def test_first_contact_meets_the_deadline_and_starts_the_update_clock(officer_user):
    case, victim = reported()
    with_time = london(2026, 11, 24, 10, 0)
    call(case, victim, officer_user, with_time)
    first = Deadline.objects.get(case=case, kind=DeadlineKind.FIRST_CONTACT)
    assert first.met_at == with_time and not first.breached
    (update,) = open_deadlines(case, DeadlineKind.VICTIM_UPDATE)
    assert update.party == victim and update.starts_at == with_time
    assert update.due_at == london(2026, 12, 8, 23, 59, 59)  # 14 calendar days, standard risk


def test_a_documented_failed_attempt_meets_first_contact(officer_user):
    case, victim = reported()
    call(case, victim, officer_user, london(2026, 11, 24, 10), successful=False, update=False)
    assert Deadline.objects.get(kind=DeadlineKind.FIRST_CONTACT).met_at is not None


def test_first_contact_met_late_counts_as_breached(officer_user):
    case, victim = reported()
    call(case, victim, officer_user, london(2026, 11, 27, 9, 0))  # Friday: due end of Thursday
    assert Deadline.objects.get(kind=DeadlineKind.FIRST_CONTACT).breached


def test_each_update_meets_the_open_deadline_and_opens_the_next(officer_user):
    case, victim = reported()
    call(case, victim, officer_user, london(2026, 11, 24, 10))
    call(case, victim, officer_user, london(2026, 11, 30, 10))
    met = Deadline.objects.filter(kind=DeadlineKind.VICTIM_UPDATE, met_at__isnull=False).get()
    assert met.met_at == london(2026, 11, 30, 10) and not met.breached
    (nxt,) = open_deadlines(case, DeadlineKind.VICTIM_UPDATE)
    assert nxt.starts_at == london(2026, 11, 30, 10) and nxt.due_at.date() == london(2026, 12, 14).date()


def test_every_victim_and_complainant_gets_their_own_update_deadline(officer_user):
    case, victim = reported()
    neighbour = party_add(case=case, actor=officer_user, role=PartyRole.COMPLAINANT, full_name="Ann Shaw", phone="07700 900111")
    party_add(case=case, actor=officer_user, role=PartyRole.WITNESS, full_name="Bob Witness", phone="07700 900222")
    party_add(case=case, actor=officer_user, role=PartyRole.VICTIM, full_name="No Details")  # cannot be updated
    call(case, victim, officer_user, london(2026, 11, 24, 10))
    owed = {d.party for d in open_deadlines(case, DeadlineKind.VICTIM_UPDATE)}
    assert owed == {victim, neighbour}


def test_raising_risk_to_high_moves_the_update_due_from_14_to_7_days(officer_user):
    case, victim = reported()
    last_update = london(2026, 11, 24, 10)
    call(case, victim, officer_user, last_update)
    (deadline,) = open_deadlines(case, DeadlineKind.VICTIM_UPDATE)
    assert deadline.due_at.date() == (last_update + timedelta(days=14)).date()
    questions = risk_question_set_active().questions.all()
    case.refresh_from_db()
    risk_assess(case=case, answers={q.pk: q.forces_high for q in questions}, actor=officer_user)
    deadline.refresh_from_db()
    assert case.__class__.objects.get(pk=case.pk).risk_level == RiskLevel.HIGH
    assert deadline.due_at.date() == (last_update + timedelta(days=7)).date()


def test_closing_cancels_open_deadlines_and_reopening_restarts_updates(officer_user):
    case, victim = reported()
    call(case, victim, officer_user, london(2026, 11, 24, 10), final=True)
    case.refresh_from_db()
    case_close(case=case, reason="resolved", actor=officer_user)
    assert open_deadlines(case) == []
    assert Deadline.objects.filter(case=case, cancelled_at__isnull=False).count() == 1
    case.refresh_from_db()
    case_status_change(case=case, to_status="open", reason="It started again", actor=officer_user)
    (restarted,) = open_deadlines(case)
    assert restarted.kind == DeadlineKind.VICTIM_UPDATE and restarted.party == victim


def test_a_closure_day_recomputes_open_first_contact_deadlines(manager_user):
    from cases.services.deadlines import closure_day_add, closure_day_remove

    case, _ = reported()
    (deadline,) = open_deadlines(case)
    assert deadline.due_at.date() == london(2026, 11, 26).date()
    closure_day_add(day=london(2026, 11, 25).date(), reason="Staff training", actor=manager_user)
    deadline.refresh_from_db()
    assert deadline.due_at.date() == london(2026, 11, 27).date()
    closure_day_remove(day=london(2026, 11, 25).date(), actor=manager_user)
    deadline.refresh_from_db()
    assert deadline.due_at.date() == london(2026, 11, 26).date()
    assert not ClosureDay.objects.exists()


# --- the sweep -------------------------------------------------------------------------------

@pytest.fixture
def manager_with_email(db):
    manager = UserFactory(username="alison", email="alison@example.com")
    manager.groups.add(Group.objects.get(name="Manager"))
    return manager


@pytest.fixture
def officer_with_email(db):
    officer = UserFactory(username="tom", email="tom@example.com")
    officer.groups.add(Group.objects.get(name="ASB officer"))
    return officer


def alert_messages():
    return sorted(Message.objects.filter(key__startswith="deadline:").values_list("to", "subject"))


def test_first_contact_reminder_on_the_morning_of_the_due_day(officer_with_email, manager_with_email):
    case, _ = reported()
    case_assign(case=case, officer=officer_with_email, actor=manager_with_email)
    assert deadlines_sweep(now=london(2026, 11, 26, 6, 59)).alerts == {}
    result = deadlines_sweep(now=london(2026, 11, 26, 7, 0))
    assert result.alerts == {AlertStage.REMINDER: 1}
    assert alert_messages() == [("tom@example.com", f"Due soon: first contact on {case.reference}")]


def test_update_reminder_two_days_before(officer_with_email, manager_with_email):
    case, victim = reported()
    case_assign(case=case, officer=officer_with_email, actor=manager_with_email)
    call(case, victim, officer_with_email, london(2026, 11, 24, 10))
    due = london(2026, 12, 8, 23, 59, 59)
    assert deadlines_sweep(now=due - timedelta(days=2, minutes=1)).alerts == {}
    assert deadlines_sweep(now=due - timedelta(days=2)).alerts == {AlertStage.REMINDER: 1}


def test_breach_alerts_officer_and_manager_and_marks_it_breached(officer_with_email, manager_with_email):
    case, _ = reported()
    case_assign(case=case, officer=officer_with_email, actor=manager_with_email)
    result = deadlines_sweep(now=london(2026, 11, 27, 0, 5))
    assert result.alerts == {AlertStage.BREACH: 1} and result.newly_breached == 1
    assert alert_messages() == [
        ("alison@example.com", f"Overdue: first contact on {case.reference}"),
        ("tom@example.com", f"Overdue: first contact on {case.reference}"),
    ]
    assert Deadline.objects.get().breached


def test_unassigned_case_due_within_a_working_day_alerts_the_manager(manager_with_email):
    case, _ = reported()  # due end of Thursday 26th
    assert deadlines_sweep(now=london(2026, 11, 24, 9)).alerts == {}  # due in two working days
    result = deadlines_sweep(now=london(2026, 11, 25, 9))  # due by the end of the next working day
    assert result.alerts == {AlertStage.UNASSIGNED: 1}
    assert alert_messages() == [("alison@example.com", f"Unassigned case due soon: first contact on {case.reference}")]


def test_a_second_sweep_sends_nothing_new(officer_with_email, manager_with_email):
    case, _ = reported()
    case_assign(case=case, officer=officer_with_email, actor=manager_with_email)
    late = london(2026, 11, 27, 9)
    deadlines_sweep(now=late)
    count = Message.objects.count()
    again = deadlines_sweep(now=late + timedelta(minutes=5))
    assert again.alerts == {} and again.messages == 0 and Message.objects.count() == count


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_time_send_each_message_exactly_once():
    from cases.reference_data import reference_data_ensure

    reference_data_ensure()
    manager = UserFactory(username="alison2", email="alison@example.com")
    manager.groups.add(Group.objects.get(name="Manager"))
    officer = UserFactory(username="tom2", email="tom@example.com")
    officer.groups.add(Group.objects.get(name="ASB officer"))
    for n in range(30):
        case, _ = reported(phone=f"07700 9{n:05d}", email=f"v{n}@example.com")
        case_assign(case=case, officer=officer, actor=manager)
    late = london(2026, 11, 27, 9)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(deadlines_sweep(now=late))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r.alerts[AlertStage.BREACH] for r in results) == 30
    assert DeadlineAlert.objects.filter(stage=AlertStage.BREACH).count() == 30
    keys = list(Message.objects.filter(key__startswith="deadline:").values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == 60  # officer and manager, once each per deadline


# --- the morning digest ------------------------------------------------------------------------

def test_the_morning_digest_lists_due_today_and_overdue_once_per_day(officer_with_email, manager_with_email):
    from cases.services.sweep import officer_digests_send

    overdue, _ = reported(at=london(2026, 12, 1, 9))  # first contact due end of Friday 4 December
    due_today, _ = reported(at=london(2026, 12, 10, 9), phone="07700 900555", email="b@example.com")  # due Tuesday 15th
    for case in (overdue, due_today):
        case_assign(case=case, officer=officer_with_email, actor=manager_with_email)
    assert officer_digests_send(today=london(2026, 12, 15).date()) == 1
    assert officer_digests_send(today=london(2026, 12, 15).date()) == 1  # the same day again: same key, no second email
    (digest,) = Message.objects.filter(key__startswith="digest:")
    assert digest.to == "tom@example.com" and digest.subject == "Your ASB cases today, Tuesday 15 December"
    assert digest.body.index("Overdue") < digest.body.index(overdue.reference) < digest.body.index("Due today")
    assert digest.body.index("Due today") < digest.body.index(due_today.reference)


def test_no_digest_for_an_officer_with_nothing_due(officer_with_email, manager_with_email):
    from cases.services.sweep import officer_digests_send

    case, _ = reported(at=london(2026, 12, 14, 9))  # due Thursday 17th
    case_assign(case=case, officer=officer_with_email, actor=manager_with_email)
    assert officer_digests_send(today=london(2026, 12, 15).date()) == 0
