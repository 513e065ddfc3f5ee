"""Deadlines of apps above cases (obligation_open/meet/cancel/reassign) and the hooks intake calls."""

import threading
from datetime import datetime

import pytest
import time_machine
from django.db import connection

from cases import hooks, sla
from cases.models import ClosureDay, Deadline, DeadlineKind, Report
from cases.services.deadlines import (
    closure_day_add,
    closure_day_remove,
    obligation_meet,
    obligation_open,
    obligations_cancel,
    obligations_reassign,
)

from .factories import report_submission, submit_report

pytestmark = pytest.mark.django_db

LONDON = sla.LONDON
# Monday 14 December 2026, 10:00 London: three working days later is Thursday 17th; ten is Wednesday 30th
# (Christmas Day, Boxing Day's substitute Monday 28th and the weekends are not working days).
MONDAY = datetime(2026, 12, 14, 10, 0, tzinfo=LONDON)


def _open(subject="casereview.application:1", kind=DeadlineKind.CASE_REVIEW_DECISION, days=10, **extra):
    return obligation_open(kind=kind, subject=subject, title="Case Review CR-2026-0001: decide", path="/staff/case-review/CR-2026-0001/",
                           starts_at=MONDAY, working_days=days, **extra)


def test_an_obligation_is_due_at_the_end_of_its_working_days_over_christmas():
    deadline = _open()
    assert deadline.due_at == datetime(2026, 12, 30, 23, 59, 59, tzinfo=LONDON)
    assert deadline.case_id is None and deadline.party_id is None and deadline.working_days == 10
    short = _open(kind=DeadlineKind.CASE_REVIEW_ACKNOWLEDGE, days=3)
    assert short.due_at == datetime(2026, 12, 17, 23, 59, 59, tzinfo=LONDON)


def test_opening_twice_returns_the_open_one():
    first = _open()
    assert _open().pk == first.pk
    assert Deadline.objects.filter(subject="casereview.application:1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_racing_opens_make_one_row():
    ids, errors, barrier = [], [], threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            ids.append(_open(subject="casereview.application:race").pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors and len(set(ids)) == 1
    assert Deadline.objects.filter(subject="casereview.application:race").count() == 1


def test_an_obligation_needs_a_subject_and_one_way_to_be_due():
    with pytest.raises(ValueError):
        obligation_open(kind=DeadlineKind.CASE_REVIEW_DECISION, subject="", title="", path="", starts_at=MONDAY, working_days=3)
    with pytest.raises(ValueError):
        obligation_open(kind=DeadlineKind.CASE_REVIEW_DECISION, subject="x:1", title="", path="", starts_at=MONDAY)


def test_meeting_it_late_marks_it_breached_and_a_new_one_can_open():
    deadline = _open()
    met = obligation_meet(kind=DeadlineKind.CASE_REVIEW_DECISION, subject=deadline.subject,
                          at=datetime(2026, 12, 31, 9, 0, tzinfo=LONDON))
    assert met.pk == deadline.pk and met.breached and met.met_at is not None
    assert obligation_meet(kind=DeadlineKind.CASE_REVIEW_DECISION, subject=deadline.subject) is None
    assert _open().pk != deadline.pk  # the stage can be owed again (a review looked at again)


def test_cancel_and_reassign_touch_only_the_subjects_open_rows(django_user_model):
    spoc = django_user_model.objects.create(username="spoc")
    mine, other = _open(), _open(subject="casereview.application:2")
    assert obligations_reassign(subject=mine.subject, owner=spoc) == 1
    mine.refresh_from_db()
    assert mine.owner == spoc
    with time_machine.travel(datetime(2027, 1, 4, 9, 0, tzinfo=LONDON)):
        assert obligations_cancel(subject=mine.subject) == 1
    mine.refresh_from_db(), other.refresh_from_db()
    assert mine.cancelled_at is not None and mine.breached  # cancelled after it fell due: it was missed
    assert other.cancelled_at is None and other.owner is None


def test_a_closure_day_moves_open_working_day_obligations_and_back(django_user_model):
    manager = django_user_model.objects.create(username="closer")
    deadline = _open()
    closure_day_add(day=datetime(2026, 12, 22).date(), reason="Staff training", actor=manager)
    deadline.refresh_from_db()
    assert deadline.due_at == datetime(2026, 12, 31, 23, 59, 59, tzinfo=LONDON)
    closure_day_remove(day=datetime(2026, 12, 22).date(), actor=manager)
    deadline.refresh_from_db()
    assert deadline.due_at == datetime(2026, 12, 30, 23, 59, 59, tzinfo=LONDON)
    assert not ClosureDay.objects.exists()


def test_a_calendar_obligation_is_not_moved_by_a_closure_day(django_user_model):
    manager = django_user_model.objects.create(username="closer")
    due = datetime(2026, 12, 23, 23, 59, 59, tzinfo=LONDON)
    deadline = obligation_open(kind=DeadlineKind.CASE_REVIEW_RECOMMENDATION, subject="casereview.recommendation:1",
                               title="", path="", starts_at=MONDAY, due_at=due)
    closure_day_add(day=datetime(2026, 12, 21).date(), reason="Staff training", actor=manager)
    deadline.refresh_from_db()
    assert deadline.due_at == due


# --- hooks -------------------------------------------------------------------------------------------------------

@pytest.fixture
def registered():
    """A callback registered for one test, then removed (the registry is process-wide)."""
    added = []

    def register(callback):
        hooks.on_report_taken(callback)
        added.append(callback)
        return callback

    yield register
    for callback in set(added):
        hooks._report_taken.remove(callback)


def test_a_registered_callback_hears_each_report_inside_its_transaction_and_adds_to_the_acknowledgement(registered):
    heard = []

    @registered
    def callback(*, report):
        heard.append((report.pk, Report.objects.filter(pk=report.pk).exists()))
        return [hooks.AcknowledgementNote(email="A paragraph from above cases.", sms="Short note.")]

    registered(callback)  # registering again does nothing
    assert hooks._report_taken.count(callback) == 1
    with time_machine.travel(MONDAY):
        report = submit_report(report_submission(incident_date=MONDAY.date()))
    assert heard == [(report.pk, True)]
    from notifications.models import Message

    body = Message.objects.get(key=f"report-ack:{report.pk}").body
    assert body.count("A paragraph from above cases.") == 1


def test_a_failing_callback_rolls_the_report_back(registered):
    @registered
    def callback(*, report):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError), time_machine.travel(MONDAY):
        submit_report(report_submission(incident_date=MONDAY.date()))
    assert not Report.objects.exists()


def test_the_case_review_callback_is_registered_by_its_app():
    from casereview import intake

    assert intake.report_taken in hooks._report_taken
