"""Case Review stage deadlines in working days over bank holidays and closure days, swept by the one deadline engine
with exactly-once reminders and breach alerts (two sweeps in a row, two at the same time), to the right people."""

import threading
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection

from casereview.models import Stage, Timescales
from casereview.services.stages import EscalationAsk, application_decide, escalation_record, outcome_send
from cases.models import AlertStage, Deadline, DeadlineAlert, DeadlineKind
from cases.roles import Role
from cases.services.deadlines import closure_day_add, closure_day_remove
from cases.services.sweep import deadlines_sweep
from notifications.models import Message

from .factories import application_make, decided, fresh, london, met, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {"manager": staff("maria", Role.MANAGER), "spoc": staff("sam", Role.OFFICER)}


def due(application, kind):
    return Deadline.objects.filter(subject=application.subject, kind=kind).latest("id").due_at


def alerts():
    return sorted(Message.objects.filter(key__startswith="deadline:").values_list("to", "subject"))


# --- over bank holidays -------------------------------------------------------------------------------------------

def test_received_the_day_before_christmas_eve_acknowledge_by_30_december_decide_by_11_january():
    # Wednesday 23 December 2026. Working days: Thu 24 Dec; (Fri 25 Christmas, Mon 28 substitute Boxing Day) Tue 29,
    # Wed 30 (acknowledge: 3rd); Thu 31; (Fri 1 January) Mon 4 … Mon 11 January (decision: 10th).
    with time_machine.travel(london(2026, 12, 23, 15, 30), tick=False):
        application = application_make(received_at=london(2026, 12, 23, 15, 30))
    assert due(application, DeadlineKind.CASE_REVIEW_ACKNOWLEDGE) == london(2026, 12, 30, 23, 59, 59)
    assert due(application, DeadlineKind.CASE_REVIEW_DECISION) == london(2027, 1, 11, 23, 59, 59)


def test_received_on_christmas_day_counts_from_the_next_working_day():
    # Friday 25 December 2026 (a bank holiday): Tue 29 is day 1, so acknowledge by Thursday 31 December.
    with time_machine.travel(london(2026, 12, 25, 11), tick=False):
        application = application_make(received_at=london(2026, 12, 25, 11))
    assert due(application, DeadlineKind.CASE_REVIEW_ACKNOWLEDGE) == london(2026, 12, 31, 23, 59, 59)


def test_the_meeting_and_outcome_stages_skip_good_friday_and_easter_monday(people):
    # Decided Monday 22 March 2027: 15 working days, skipping Good Friday 26 and Easter Monday 29 March, is Wednesday
    # 14 April. The meeting on Thursday 25 March: the outcome's 5 working days end on Monday 5 April.
    with time_machine.travel(london(2027, 3, 22, 10), tick=False):
        application = decided(application_make(received_at=london(2027, 3, 15, 10), spoc=people["spoc"]), people["manager"])
        assert due(application, DeadlineKind.CASE_REVIEW_MEETING) == london(2027, 4, 14, 23, 59, 59)
    with time_machine.travel(london(2027, 3, 25, 17), tick=False):
        met(application, people["spoc"], held_on=date(2027, 3, 25))
    assert due(application, DeadlineKind.CASE_REVIEW_OUTCOME) == london(2027, 4, 5, 23, 59, 59)


def test_the_last_day_to_ask_again_after_an_outcome_on_christmas_eve_is_26_january(people):
    with time_machine.travel(london(2026, 12, 1, 10), tick=False):
        application = met(decided(application_make(received_at=london(2026, 11, 20, 10)), people["manager"]), people["spoc"])
    with time_machine.travel(london(2026, 12, 24, 12), tick=False):
        application = outcome_send(application=application, letter="The letter", actor=people["spoc"], version=fresh(application).version)
    # 20 working days from Thursday 24 December 2026: Tuesday 26 January 2027 is the last; Wednesday 27 is late.
    with time_machine.travel(london(2027, 1, 27, 9), tick=False):
        asked = escalation_record(application=application, actor=people["spoc"], version=application.version,
                                  ask=EscalationAsk(requested_on=date(2027, 1, 26), route="phone", reasons="Nothing changed"))
    assert asked.in_time is True
    # Asked Tuesday 26 January 2027: 15 working days for the decision, to Tuesday 16 February 2027.
    assert due(application, DeadlineKind.CASE_REVIEW_ESCALATION) == london(2027, 2, 16, 23, 59, 59)


def test_configured_timescales_are_used(people):
    Timescales.objects.update_or_create(pk=1, defaults={"acknowledge_days": 5, "decision_days": 21})
    with time_machine.travel(london(2026, 12, 23, 9), tick=False):
        application = application_make(received_at=london(2026, 12, 23, 9))
    # 5 working days from Wed 23 Dec 2026: 24, 29, 30, 31 Dec, 4 Jan. 21: … Tuesday 26 January 2027.
    assert due(application, DeadlineKind.CASE_REVIEW_ACKNOWLEDGE) == london(2027, 1, 4, 23, 59, 59)
    assert due(application, DeadlineKind.CASE_REVIEW_DECISION) == london(2027, 1, 26, 23, 59, 59)


# --- closure days -----------------------------------------------------------------------------------------------

def test_a_closure_day_moves_open_stage_deadlines_and_removing_it_moves_them_back(people):
    with time_machine.travel(london(2026, 12, 23, 10), tick=False):
        application = application_make(received_at=london(2026, 12, 23, 10))
        closure_day_add(day=date(2026, 12, 29), reason="Council closed between Christmas and New Year", actor=people["manager"])
        assert due(application, DeadlineKind.CASE_REVIEW_ACKNOWLEDGE) == london(2026, 12, 31, 23, 59, 59)
        assert due(application, DeadlineKind.CASE_REVIEW_DECISION) == london(2027, 1, 12, 23, 59, 59)
        closure_day_remove(day=date(2026, 12, 29), actor=people["manager"])
        assert due(application, DeadlineKind.CASE_REVIEW_ACKNOWLEDGE) == london(2026, 12, 30, 23, 59, 59)
        assert due(application, DeadlineKind.CASE_REVIEW_DECISION) == london(2027, 1, 11, 23, 59, 59)


def test_a_closure_day_does_not_move_a_met_stage_or_a_later_one(people):
    with time_machine.travel(london(2026, 12, 23, 10), tick=False):
        application = decided(application_make(received_at=london(2026, 12, 23, 10), stage=Stage.ACKNOWLEDGED), people["manager"])
        decision_due = due(application, DeadlineKind.CASE_REVIEW_DECISION)
        # A closure day before the meeting stage started (23 Dec) moves nothing of it; one inside it does.
        closure_day_add(day=date(2026, 12, 22), reason="Training", actor=people["manager"])
        assert due(application, DeadlineKind.CASE_REVIEW_MEETING) == london(2027, 1, 18, 23, 59, 59)
        closure_day_add(day=date(2027, 1, 4), reason="Stocktake", actor=people["manager"])
    assert due(application, DeadlineKind.CASE_REVIEW_DECISION) == decision_due  # met: stays as it was
    assert due(application, DeadlineKind.CASE_REVIEW_MEETING) == london(2027, 1, 19, 23, 59, 59)


# --- the sweep: exactly once, to the right people -------------------------------------------------------------

def test_reminder_to_the_spoc_two_days_before_then_breach_to_spoc_and_managers_each_once(people):
    with time_machine.travel(london(2026, 12, 23, 10), tick=False):
        application = application_make(received_at=london(2026, 12, 23, 10), spoc=people["spoc"], stage=Stage.ACKNOWLEDGED)
    decision_due = london(2027, 1, 11, 23, 59, 59)
    assert deadlines_sweep(now=decision_due - timedelta(days=2, seconds=1)).alerts == {}
    assert deadlines_sweep(now=decision_due - timedelta(days=2)).alerts == {AlertStage.REMINDER: 1}
    title = f"Case Review {application.reference}: decide whether the threshold is met"
    assert alerts() == [("sam@example.com", f"Due soon: {title}")]
    again = deadlines_sweep(now=decision_due - timedelta(days=1))
    assert again.alerts == {} and again.messages == 0
    breach = deadlines_sweep(now=decision_due + timedelta(minutes=5))
    assert breach.alerts == {AlertStage.BREACH: 1} and breach.newly_breached == 1
    assert alerts() == sorted([("sam@example.com", f"Due soon: {title}"), ("sam@example.com", f"Overdue: {title}"),
                               ("maria@example.com", f"Overdue: {title}")])
    assert deadlines_sweep(now=decision_due + timedelta(days=3)).messages == 0
    body = Message.objects.get(key__startswith="deadline:", to="maria@example.com").body
    assert f"/staff/case-review/{application.reference}/" in body and people["spoc"].get_full_name() in body


def test_a_met_stage_is_never_reminded(people):
    with time_machine.travel(london(2026, 12, 23, 10), tick=False):
        application = application_make(received_at=london(2026, 12, 23, 10), spoc=people["spoc"], stage=Stage.ACKNOWLEDGED)
    with time_machine.travel(london(2027, 1, 5, 10), tick=False):
        application_decide(application=application, threshold_met=False, proceeds=False, reasons="One report",
                           actor=people["manager"], version=application.version)
    assert deadlines_sweep(now=london(2027, 1, 12, 9)).alerts == {}
    assert alerts() == []


def test_no_spoc_means_the_breach_still_reaches_managers(people):
    with time_machine.travel(london(2026, 12, 23, 10), tick=False):
        application_make(received_at=london(2026, 12, 23, 10), stage=Stage.ACKNOWLEDGED)
    assert deadlines_sweep(now=london(2027, 1, 9, 12)).messages == 0  # a reminder with nobody to tell
    deadlines_sweep(now=london(2027, 1, 12, 9))
    assert [to for to, _ in alerts()] == ["maria@example.com"]


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_time_send_each_stage_alert_exactly_once():
    from cases.reference_data import reference_data_ensure

    reference_data_ensure()
    manager, spoc = staff("maria2", Role.MANAGER, email="maria@example.com"), staff("sam2", Role.OFFICER, email="sam@example.com")
    with time_machine.travel(london(2026, 12, 23, 10), tick=False):
        for _ in range(12):
            application_make(received_at=london(2026, 12, 23, 10), spoc=spoc, stage=Stage.ACKNOWLEDGED)
    late = london(2027, 1, 12, 9)
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
    assert not errors and manager.pk
    assert sum(r.alerts[AlertStage.BREACH] for r in results) == 12
    assert DeadlineAlert.objects.filter(stage=AlertStage.BREACH).count() == 12
    keys = list(Message.objects.filter(key__startswith="deadline:").values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == 24  # the contact person and the manager, once each per stage deadline
