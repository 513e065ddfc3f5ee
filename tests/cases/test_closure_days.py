"""Council closure days: atomic, audited, and recomputing open first-contact deadlines in a bounded number of queries."""

import html
from datetime import date, datetime

import pytest
import time_machine

from cases import sla
from cases.models import ClosureDay, ClosureDayChange, Deadline, DeadlineKind
from cases.services import deadlines as deadline_services
from cases.services.deadlines import closure_day_add, closure_day_remove

from .factories import report_submission, submit_report

pytestmark = pytest.mark.django_db

WEDNESDAY = date(2026, 12, 16)


def london(*args):
    return datetime(*args, tzinfo=sla.LONDON)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(london(2026, 12, 14, 12, 0), tick=False):
        yield


def reports_on_monday(n):
    """n named reports received Monday 14 December 2026 at 9am: first contact due end of Thursday the 17th."""
    for i in range(n):
        submit_report(report_submission(incident_date=date(2026, 12, 14), phone=f"07700 9{i:05d}", email=f"p{i}@example.com"),
                      received_at=london(2026, 12, 14, 9))


def due_days():
    return set(Deadline.objects.open().filter(kind=DeadlineKind.FIRST_CONTACT).values_list("due_at", flat=True))


def test_adding_and_removing_a_closure_day_moves_fifty_deadlines_in_a_bounded_number_of_queries(
    manager_user, django_assert_max_num_queries
):
    reports_on_monday(50)
    assert due_days() == {london(2026, 12, 17, 23, 59, 59)}
    with django_assert_max_num_queries(10):
        closure_day_add(day=WEDNESDAY, reason="Staff training", actor=manager_user)
    assert due_days() == {london(2026, 12, 18, 23, 59, 59)}
    with django_assert_max_num_queries(10):
        closure_day_remove(day=WEDNESDAY, actor=manager_user, reason="Training moved")
    assert due_days() == {london(2026, 12, 17, 23, 59, 59)}


def test_closure_day_changes_are_audited_with_who_and_why(manager_user):
    reports_on_monday(2)
    closure_day_add(day=WEDNESDAY, reason="Staff training", actor=manager_user)
    assert ClosureDay.objects.get().created_by == manager_user
    closure_day_add(day=WEDNESDAY, reason="Staff training (all day)", actor=manager_user)
    closure_day_remove(day=WEDNESDAY, actor=manager_user, reason="Training moved")
    log = list(ClosureDayChange.objects.order_by("id").values_list("day", "change", "reason", "actor", "deadlines_moved"))
    assert log == [
        (WEDNESDAY, "added", "Staff training", manager_user.pk, 2),
        (WEDNESDAY, "changed", "Staff training (all day)", manager_user.pk, 0),
        (WEDNESDAY, "removed", "Training moved", manager_user.pk, 2),
    ]


def test_a_closure_day_is_not_saved_if_the_deadlines_cannot_be_moved(manager_user, monkeypatch):
    reports_on_monday(1)

    def fails(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(deadline_services, "deadlines_recompute_first_contact", fails)
    with pytest.raises(RuntimeError):
        closure_day_add(day=WEDNESDAY, reason="Staff training", actor=manager_user)
    assert not ClosureDay.objects.exists() and not ClosureDayChange.objects.exists()
    assert due_days() == {london(2026, 12, 17, 23, 59, 59)}


def test_a_closure_day_moves_only_deadlines_it_falls_inside(manager_user):
    reports_on_monday(1)
    submit_report(report_submission(incident_date=date(2026, 12, 16), phone="07700 900999", email="late@example.com"),
                  received_at=london(2026, 12, 16, 9))  # received on the closure day itself: counts from Thursday anyway
    closure_day_add(day=WEDNESDAY, reason="Staff training", actor=manager_user)
    assert due_days() == {london(2026, 12, 18, 23, 59, 59), london(2026, 12, 21, 23, 59, 59)}
    assert ClosureDayChange.objects.get().deadlines_moved == 1


def test_the_closure_days_page_shows_who_changed_what(client, manager_user):
    closure_day_add(day=WEDNESDAY, reason="Staff training", actor=manager_user)
    client.force_login(manager_user)
    page = client.get("/staff/closure-days/").content.decode()
    assert "Recent changes" in page and "16 December 2026: added" in page and html.escape(manager_user.get_full_name()) in page
